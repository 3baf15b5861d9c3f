import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AppConfig } from '../../config/app-config.js';
import type { OutboxMessage } from '../outbox/outbox-message.js';
import { WebhookChannel } from './webhook-channel.adapter.js';
import { verifySignature, type WebhookMessage } from './webhook-message.js';
import type { WebhookSecretsRepository } from './webhook-secrets.repository.js';

/** The channel against a local node:http server: what it sends, and what counts as failure. */
describe('webhook channel', () => {
  const secrets = new Map([['channel:1', 'whsec-0123456789abcdef']]);
  const sut = (allowed = '127.0.0.1/32', timeoutMs = 2_000) =>
    new WebhookChannel(
      { WEBHOOK_ALLOWED_NETWORKS: allowed, WEBHOOK_TIMEOUT_MS: timeoutMs } as AppConfig,
      { get: async (ref: string) => secrets.get(ref) ?? null } as unknown as WebhookSecretsRepository,
    );
  let server: Server;
  let base: string;
  const received: Array<{ headers: IncomingMessage['headers']; body: string; url?: string }> = [];
  /** What the server does with a request: a status, or 'hang' (never answers). */
  let behaviour: number | 'hang' = 204;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body, url: req.url });
        if (behaviour !== 'hang')
          res.writeHead(behaviour, { location: 'http://example.com/' }).end('nope '.repeat(200));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const message = (payload: Partial<WebhookMessage> = {}, attempts = 0): OutboxMessage<WebhookMessage> => ({
    id: '1',
    channel: 'webhook',
    idempotencyKey: 'alarm:1:transition:2:rule:3:channel:4',
    payload: { url: `${base}/hook`, body: '{"event":"alarm.transition"}', secretRef: 'channel:1', ...payload },
    state: 'PENDING',
    attempts,
    nextAttemptAt: new Date(),
    lastError: null,
    createdAt: new Date(),
    sentAt: null,
  });

  it('POSTs the body with its idempotency key, attempt, timestamp and a valid signature', async () => {
    behaviour = 204;
    received.length = 0;
    await sut().send(message({}, 2));
    const [call] = received;
    expect(call.url).toBe('/hook');
    expect(call.body).toBe('{"event":"alarm.transition"}');
    expect(call.headers).toMatchObject({
      'content-type': 'application/json',
      'idempotency-key': 'alarm:1:transition:2:rule:3:channel:4',
      'x-plantgraph-attempt': '3',
    });
    const signature = call.headers['x-plantgraph-signature'] as string;
    expect(signature).toMatch(new RegExp(`^t=${call.headers['x-plantgraph-timestamp'] as string},v1=[0-9a-f]{64}$`));
    expect(verifySignature(signature, call.body, 'whsec-0123456789abcdef')).toBe(true);
  });

  it('sends unsigned without a secret reference, and refuses to when the referenced secret is gone', async () => {
    behaviour = 200;
    received.length = 0;
    await sut().send(message({ secretRef: null }));
    expect(received[0].headers['x-plantgraph-signature']).toBeUndefined();
    await expect(sut().send(message({ secretRef: 'channel:deleted' }))).rejects.toThrow('no signing secret');
    expect(received).toHaveLength(1);
  });

  it.each([
    [500, 'HTTP 500'],
    [404, 'HTTP 404'],
    [302, 'redirects are not followed'],
  ])('fails on HTTP %i, saying so briefly', async (status, text) => {
    behaviour = status;
    const failure = sut().send(message());
    await expect(failure).rejects.toThrow(text);
    expect(((await failure.catch((e: Error) => e)) as Error).message.length).toBeLessThan(400);
  });

  it('fails a receiver that does not answer in time', async () => {
    behaviour = 'hang';
    await expect(sut('127.0.0.1/32', 200).send(message())).rejects.toThrow('No answer within 200 ms');
  });

  it('refuses addresses outside the allowed networks, by IP and by the name it resolves to', async () => {
    received.length = 0;
    await expect(sut('').send(message())).rejects.toThrow('not a public address');
    const port = new URL(base).port;
    await expect(sut('').send(message({ url: `http://localhost:${port}/hook` }))).rejects.toThrow(
      'not a public address',
    );
    expect(received).toHaveLength(0);
  });
});
