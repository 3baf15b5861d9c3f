import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { AuthenticationService } from '../../src/shared/auth/authentication.service.js';
import { PERMISSIONS } from '../../src/shared/auth/permissions.js';
import { transactionalManager } from '../../src/shared/database/transactions.adapter.js';
import { InvalidInputError } from '../../src/shared/errors/domain-errors.js';
import { JobService, type JobContext } from '../../src/shared/jobs/job.service.js';
import { WorkerPool } from '../../src/shared/jobs/worker-pool.service.js';
import { collect, errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { createTestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The long jobs facility from outside (src/shared/jobs): a job's progress followed over a real
 * graphql-ws client up to 100 % and its result; a failure recorded with its reason and its
 * writes undone; cancellation; who may see what; and the jobs of a process that died failed
 * at start-up while another live replica's are left alone. Test kinds are registered on the
 * running service, their heavy part in the worker pool (src/shared/jobs/worker-pool.fixture.ts).
 */
const FIXTURE = new URL('../../src/shared/jobs/worker-pool.fixture.js', import.meta.url);
const JOB_FIELDS = 'id kind state percent message result error { code message } createdBy startedAt finishedAt';

describe('long jobs', () => {
  let t: TestApp;
  let admin: string;
  let manager: string;
  let operator: string;
  const staleId = randomUUID();
  const aliveId = randomUUID();
  /** The gates test kinds wait on, by job id. */
  const gates = new Map<string, () => void>();
  const gate = (id: string) => new Promise<void>((resolve) => gates.set(id, resolve));
  /** Lets a gated job go on, once it has reached its gate. */
  const release = async (id: string) => (await waitFor(() => gates.get(id), { what: `job ${id} at its gate` }))();

  async function ok(query: string, variables: Record<string, unknown>, token = admin) {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  const jobOf = async (id: string, token = admin) =>
    (await ok(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id }, token)).job;

  beforeAll(async () => {
    const db = await createTestDatabase();
    // Left RUNNING by processes before this one: one stopped beating an hour ago, one (another replica) beats now.
    for (const [id, beat] of [
      [staleId, "now() - interval '1 hour'"],
      [aliveId, 'now()'],
    ])
      await db.query(
        `INSERT INTO jobs (id, kind, permission, state, created_by, owner, heartbeat_at, started_at)
         VALUES ($1, 'test.old', 'leaks:read', 'RUNNING', gen_random_uuid(), 'elsewhere', ${beat}, now())`,
        [id],
      );
    t = await startTestApp({ JOB_WORKERS: '1' }, db);
    admin = await t.login();
    for (const role of ['manager', 'operator']) {
      await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
        i: { email: `jobs-${role}@plantgraph.test`, displayName: role, password: `jobs-${role}-pw`, roles: [role] },
      });
    }
    manager = await t.login('jobs-manager@plantgraph.test', 'jobs-manager-pw');
    operator = await t.login('jobs-operator@plantgraph.test', 'jobs-operator-pw');
    await t.db.query('CREATE TABLE job_test_marks (job_id uuid NOT NULL)');

    const jobs = t.app.get(JobService);
    const pool = t.app.get(WorkerPool);
    const mark = (id: string) =>
      transactionalManager(t.app.get(DataSource).manager).query('INSERT INTO job_test_marks VALUES ($1)', [id]);
    jobs.register<{ n: number }, { sum: number }>({
      name: 'test.squares',
      permission: PERMISSIONS.LEAKS_WRITE,
      run: async ({ n }, job) => {
        await gate(job.id);
        const values = Float64Array.from({ length: n }, (_, i) => i);
        const { sum } = await pool.run<{ sum: number }>({
          module: FIXTURE,
          fn: 'squares',
          args: [values],
          transfer: [values.buffer],
          onProgress: (fraction, message) => job.progress(fraction * 0.9, message),
          signal: job.signal,
        });
        return job.commit(async () => {
          await mark(job.id);
          return { sum };
        });
      },
    });
    jobs.register<{ when: 'before' | 'during' }, never>({
      name: 'test.failing',
      permission: PERMISSIONS.LEAKS_WRITE,
      run: async ({ when }, job) => {
        job.progress(0.5, 'half-way');
        const refuse = () => {
          throw new InvalidInputError('The input is wrong in a way only the job could see', { input: 'wrong' });
        };
        if (when === 'before') refuse();
        return job.commit(async () => {
          await mark(job.id);
          return refuse();
        });
      },
    });
    jobs.register<object, never>({
      name: 'test.endless',
      permission: PERMISSIONS.LEAKS_WRITE,
      run: (_, job) =>
        pool.run({ module: FIXTURE, fn: 'forever', args: [], signal: job.signal, onProgress: job.progress }),
    });
  });

  afterAll(() => t?.close());

  /** Starts a test kind as the token's user (only the leak-detection import has a mutation of its own). */
  const start = async (kind: string, input: unknown, token = admin) =>
    t.app.get(JobService).start(kind, input, await t.app.get(AuthenticationService).authenticate(`Bearer ${token}`));

  it('shows a job’s progress rising to 100 % over graphql-ws, then its result, and ends the subscription', async () => {
    const { id } = await start('test.squares', { n: 200_000 });
    const progress = collect(t.wsClient(admin), `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, {
      id,
    });
    await waitFor(() => progress.events.length > 0, { what: 'the first event (the job as it is)' });
    await release(id);
    await waitFor(() => progress.completed, { what: 'the subscription to end with the job', timeoutMs: 30_000 });
    const jobs = progress.events.map((e) => e.data!.jobProgress);
    const percents = jobs.map((j) => j.percent);
    // Stored and published in steps of at least 1 %, one write at a time: a fast job shows fewer.
    expect(percents.length).toBeGreaterThanOrEqual(3);
    expect(percents.every((p, i) => i === 0 || p >= percents[i - 1])).toBe(true);
    expect(jobs.at(-1)).toMatchObject({ state: 'SUCCEEDED', percent: 100, error: null, kind: 'test.squares' });
    expect(JSON.parse(jobs.at(-1)!.result)).toEqual({ sum: (200_000 * 199_999) / 2 });
    expect(jobs.some((j) => j.state === 'RUNNING' && j.percent > 0 && j.percent < 100)).toBe(true);
    expect(await jobOf(id)).toMatchObject({ state: 'SUCCEEDED', percent: 100 });
    expect(await t.db.query('SELECT * FROM job_test_marks WHERE job_id = $1', [id])).toHaveLength(1);
  });

  it('records why a job failed, and undoes the writes it had made', async () => {
    for (const when of ['before', 'during']) {
      const { id } = await start('test.failing', { when });
      const job = await waitFor(async () => {
        const now = await jobOf(id);
        return now.state === 'FAILED' && now;
      });
      expect(job.error).toEqual({
        code: 'BAD_USER_INPUT',
        message: 'The input is wrong in a way only the job could see',
      });
      expect(job.result).toBeNull();
      expect(job.finishedAt).not.toBeNull();
      expect(await t.db.query('SELECT * FROM job_test_marks WHERE job_id = $1', [id])).toHaveLength(0);
    }
  });

  it('cancels a running job: its worker stops, its subscription ends CANCELLED, a second cancel is a CONFLICT', async () => {
    const { id } = await start('test.endless', {});
    const progress = collect(t.wsClient(admin), 'subscription($id: ID!) { jobProgress(id: $id) { state percent } }', {
      id,
    });
    await waitFor(async () => (await jobOf(id)).percent >= 50, { what: 'the endless task to report progress' });
    expect(t.app.get(WorkerPool).load().running).toBe(1);
    const { cancelJob } = await ok('mutation($id: ID!) { cancelJob(id: $id) { state finishedAt } }', { id });
    expect(cancelJob.state).toBe('CANCELLED');
    await waitFor(() => progress.completed, { what: 'the subscription to end' });
    expect(progress.events.at(-1)!.data!.jobProgress.state).toBe('CANCELLED');
    await waitFor(() => t.app.get(WorkerPool).load().running === 0, { what: 'the worker to be stopped' });
    expect(errorOf(await t.graphql('mutation($id: ID!) { cancelJob(id: $id) { state } }', { id }, admin)).code).toBe(
      'CONFLICT',
    );
    expect((await jobOf(id)).state).toBe('CANCELLED');
    // The pool runs the next task on a fresh thread.
    const next = await start('test.squares', { n: 10 });
    await release(next.id);
    await waitFor(async () => (await jobOf(next.id)).state === 'SUCCEEDED', { what: 'the next job' });
  });

  it('lets a user see and cancel only their own jobs (an admin all), and only with the kind’s permission', async () => {
    const mine = await start('test.squares', { n: 10 }, manager);
    const admins = await start('test.squares', { n: 10 }, admin);
    const list = async (token: string) =>
      (await ok('{ jobs(kind: "test.squares", limit: 500) { totalCount items { id } } }', {}, token)).jobs.items.map(
        (j: { id: string }) => j.id,
      );
    expect(await list(manager)).toContain(mine.id);
    expect(await list(manager)).not.toContain(admins.id);
    expect(await list(admin)).toEqual(expect.arrayContaining([mine.id, admins.id]));
    expect(await list(operator)).toEqual([]);
    for (const [token, id] of [
      [manager, admins.id],
      [operator, mine.id],
    ]) {
      expect(errorOf(await t.graphql('query($id: ID!) { job(id: $id) { id } }', { id }, token)).code).toBe('NOT_FOUND');
      expect(errorOf(await t.graphql('mutation($id: ID!) { cancelJob(id: $id) { id } }', { id }, token)).code).toBe(
        'NOT_FOUND',
      );
      const follow = collect(t.wsClient(token), 'subscription($id: ID!) { jobProgress(id: $id) { id } }', { id });
      await waitFor(() => follow.events.some((e) => e.errors?.length) || follow.error, { what: 'a refusal' });
      expect(follow.events.some((e) => e.data?.jobProgress)).toBe(false);
    }
    await expect(start('test.squares', { n: 10 }, operator)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(errorOf(await t.graphql('query { job(id: "not-a-uuid") { id } }', {}, admin)).code).toBe('NOT_FOUND');
    for (const { id } of [mine, admins]) await release(id);
    await waitFor(async () => (await jobOf(mine.id, manager)).state === 'SUCCEEDED', { what: 'the manager’s job' });
  });

  it('on two replicas: one cancels the other’s job (its worker stops), and an orderly stop fails the stopping one’s jobs', async () => {
    const other = await startTestApp({ JOB_WORKERS: '1' }, t.db);
    try {
      const jobs = other.app.get(JobService);
      const endless = {
        name: 'test.endless',
        permission: PERMISSIONS.LEAKS_WRITE,
        run: (_: object, job: JobContext) =>
          other.app
            .get(WorkerPool)
            .run<never>({ module: FIXTURE, fn: 'forever', args: [], signal: job.signal, onProgress: job.progress }),
      };
      jobs.register(endless);
      const user = await other.app.get(AuthenticationService).authenticate(`Bearer ${admin}`);
      const cancelled = await jobs.start('test.endless', {}, user);
      await waitFor(async () => (await jobOf(cancelled.id)).percent >= 50, {
        what: 'the job to run on the other replica',
      });
      await ok('mutation($id: ID!) { cancelJob(id: $id) { state } }', { id: cancelled.id });
      // Through the PubSub with Redis at once; without it, at the other replica's next heartbeat (5 s).
      await waitFor(() => other.app.get(WorkerPool).load().running === 0, {
        what: 'the other replica to stop the cancelled job’s worker',
        timeoutMs: 15_000,
      });
      const stopped = await jobs.start('test.endless', {}, user);
      await waitFor(async () => (await jobOf(stopped.id)).state === 'RUNNING', { what: 'the second job to run' });
      await other.close();
      expect(await jobOf(stopped.id)).toMatchObject({
        state: 'FAILED',
        error: { code: 'INTERRUPTED', message: expect.stringMatching(/service stopped before this job finished/) },
      });
      expect((await jobOf(cancelled.id)).state).toBe('CANCELLED');
    } finally {
      await other.close().catch(() => undefined);
    }
  });

  it('fails the jobs of a process that stopped beating, at start-up, and leaves a live replica’s alone', async () => {
    const rows = await t.db.query<{ id: string; state: string; error_code: string; error_message: string }>(
      'SELECT id, state, error_code, error_message FROM jobs WHERE id = ANY($1::uuid[])',
      [[staleId, aliveId]],
    );
    const byId = Object.fromEntries(rows.map((r) => [r.id, r]));
    expect(byId[staleId]).toMatchObject({ state: 'FAILED', error_code: 'INTERRUPTED' });
    expect(byId[staleId].error_message).toMatch(/process running this job stopped/);
    expect(byId[aliveId].state).toBe('RUNNING');
  });
});
