import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Transactions } from '../../src/shared/database/transactions.js';
import { messageIdOf } from '../../src/shared/mail/email-message.js';
import { Mailer } from '../../src/shared/mail/mailer.service.js';
import { errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../harness/smtp-server.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * E-mail through the outbox against a real SMTP server started here (npm smtp-server, with
 * authentication): delivered once per idempotency key with a stable Message-ID, nothing sent
 * for a rolled-back cause, a server that refuses retried with backoff, a message given up on
 * after OUTBOX_MAX_ATTEMPTS visible with its error and re-sendable over GraphQL.
 */
const RUN = randomBytes(3).toString('hex');

describe('shared outbox: e-mail through a real SMTP server', () => {
  let smtp: TestSmtpServer;
  let t: TestApp;
  let admin: string;
  let received: ReceivedMail[];
  /** Subjects the server refuses (451, "try again later") while they are in here. */
  let refused: Set<string>;

  beforeAll(async () => {
    smtp = await startSmtpServer();
    ({ received, refused } = smtp);
    t = await startTestApp({
      ...smtp.env,
      MAIL_FROM: 'Plantgraph <plantgraph@plant.example>',
      OUTBOX_MAX_ATTEMPTS: '3',
      OUTBOX_RETRY_BASE_MS: '50',
      OUTBOX_POLL_MS: '50',
    });
    admin = await t.login();
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });

  const outbox = async (key: string) =>
    (
      await t.db.query<{ id: string; state: string; attempts: number; last_error: string | null }>(
        'SELECT id, state, attempts, last_error FROM outbox_messages WHERE idempotency_key = $1',
        [key],
      )
    )[0];

  it('delivers an e-mail once per idempotency key, with the Message-ID of its key', async () => {
    const mailer = t.app.get(Mailer);
    const key = `test:${RUN}:delivered`;
    const subject = `FanSpeed1 out of band ${RUN}`;
    expect(
      await mailer.send({ to: ['ops@plant.example'], subject, text: 'FanSpeed1 = 1250 rpm, above 1200 rpm' }, key),
    ).toBe(true);
    await waitFor(() => received.some((m) => m.subject === subject), { what: 'the e-mail' });
    expect(received.filter((m) => m.subject === subject)).toEqual([
      { to: ['ops@plant.example'], subject, messageId: messageIdOf(key), body: 'FanSpeed1 = 1250 rpm, above 1200 rpm' },
    ]);
    await waitFor(async () => (await outbox(key))?.state === 'SENT', { what: 'the message marked sent' });
    expect(await outbox(key)).toMatchObject({ state: 'SENT', attempts: 1, last_error: null });
    // The same cause again adds nothing.
    expect(await mailer.send({ to: ['ops@plant.example'], subject, text: 'again' }, key)).toBe(false);
    const rows = await t.db.query('SELECT id FROM outbox_messages WHERE idempotency_key = $1', [key]);
    expect(rows).toHaveLength(1);
  });

  it('sends nothing for a cause whose transaction rolled back', async () => {
    const key = `test:${RUN}:rolled-back`;
    await expect(
      t.app.get(Transactions).run(async () => {
        await t.app.get(Mailer).send({ to: ['ops@plant.example'], subject: 'never', text: 'x' }, key);
        throw new Error('the cause failed');
      }),
    ).rejects.toThrow('the cause failed');
    expect(await outbox(key)).toBeUndefined();
  });

  it('refuses a malformed e-mail at once, naming the field', async () => {
    await expect(
      t.app.get(Mailer).send({ to: ['not-an-address'], subject: 's', text: 't' }, `test:${RUN}:bad`),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { fields: { to: expect.any(String) } } });
  });

  it('retries a server that refuses, with backoff, until it takes the e-mail', async () => {
    const key = `test:${RUN}:retried`;
    const subject = `Pressure high ${RUN}`;
    refused.add(subject);
    const before = smtp.refusals();
    await t.app.get(Mailer).send({ to: ['lab@plant.example'], subject, text: 'P = 3.2 bar' }, key);
    await waitFor(() => smtp.refusals() >= before + 2, { what: 'two refused attempts' });
    refused.delete(subject);
    await waitFor(async () => (await outbox(key))?.state === 'SENT', { what: 'the e-mail delivered' });
    expect((await outbox(key)).attempts).toBeGreaterThanOrEqual(3);
    expect(received.filter((m) => m.subject === subject)).toHaveLength(1);
  });

  it('gives up after OUTBOX_MAX_ATTEMPTS, shows why, and sends again on request', async () => {
    const key = `test:${RUN}:failed`;
    const subject = `Leak confirmed ${RUN}`;
    refused.add(subject);
    await t.app.get(Mailer).send({ to: ['hse@plant.example'], subject, text: 'LMF1' }, key);
    await waitFor(async () => (await outbox(key))?.state === 'FAILED', { what: 'the message to fail' });
    const failed = await t.graphql(
      'query { outboxMessages(states: [FAILED], channel: "email") { items { id idempotencyKey state attempts lastError payload } } }',
      {},
      admin,
    );
    const item = failed.data!.outboxMessages.items.find((m: { idempotencyKey: string }) => m.idempotencyKey === key);
    expect(item).toMatchObject({ state: 'FAILED', attempts: 3 });
    expect(item.lastError).toContain('Mailbox busy');
    expect(JSON.parse(item.payload)).toEqual({ to: ['hse@plant.example'], subject, text: 'LMF1' });

    refused.delete(subject);
    const resent = await t.graphql(
      'mutation($id: ID!) { resendOutboxMessage(id: $id) { state attempts } }',
      { id: item.id },
      admin,
    );
    expect(resent.data!.resendOutboxMessage).toEqual({ state: 'PENDING', attempts: 0 });
    await waitFor(async () => (await outbox(key))?.state === 'SENT', { what: 'the e-mail sent again' });
    expect(received.filter((m) => m.subject === subject)).toHaveLength(1);
    const again = await t.graphql(
      'mutation($id: ID!) { resendOutboxMessage(id: $id) { state } }',
      { id: item.id },
      admin,
    );
    expect(errorOf(again)).toMatchObject({ code: 'CONFLICT' });
    const unknown = await t.graphql('mutation { resendOutboxMessage(id: "999999999") { state } }', {}, admin);
    expect(errorOf(unknown)).toMatchObject({ code: 'NOT_FOUND' });
  });
});
