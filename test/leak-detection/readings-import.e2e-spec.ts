import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { matrixProfile } from '../../src/leak-detection/domain/matrix-profile.js';
import { PROFILE_MAX_POINTS } from '../../src/leak-detection/application/ppmv-profile.service.js';
import { ImportedReadingsRepository } from '../../src/leak-detection/application/readings-import.ports.js';
import { MAX_IMPORTED_FILE_CHARS } from '../../src/shared/graphql/graphql-http-body.js';
import { WorkerPool } from '../../src/shared/jobs/worker-pool.service.js';
import { collect, errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * Leak detection's long jobs from outside: a sensor's historical readings imported from the
 * original system's `index,Time,Values` CSV as a job followed over graphql-ws (sentinels and
 * implausible rows refused with a count, duplicates kept once, all or nothing), and the batch
 * matrix profile of the stored series, computed in the worker pool, equal to the domain's.
 */
const RUN = randomBytes(3).toString('hex');
const JOB_FIELDS = 'id kind state percent message result error { code message }';
const START = Date.UTC(2026, 10, 1);
const TEN_MINUTES = 600_000;

/** ppmv of reading i: a daily shape with some noise, seeded by i. */
const ppmvAt = (i: number) =>
  Math.round((30 + 10 * Math.sin((2 * Math.PI * i) / 144) + ((i * 7919) % 13) / 10) * 100) / 100;

function csv(from: number, count: number, extra: string[] = []): string {
  const lines = ['index,Time,Values'];
  for (let i = from; i < from + count; i++) {
    const time = new Date(START + i * TEN_MINUTES).toISOString().replace('T', ' ').slice(0, 19);
    lines.push(`${i},${time},${ppmvAt(i)}`);
  }
  return [...lines, ...extra].join('\n') + '\n';
}

describe('leak detection: readings import and batch profile', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let templateId: number;

  async function ok(query: string, variables: Record<string, unknown> = {}, token = admin) {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  async function sensor(name: string): Promise<number> {
    return (
      await ok(
        'mutation($t: Int!, $n: String!) { createLeakSensor(templateId: $t, input: { name: $n, x: 0, y: 0, z: 0 }) { id } }',
        { t: templateId, n: name },
      )
    ).createLeakSensor.id;
  }

  const importReadings = (sensorName: string, text: string, token = admin) =>
    t.graphql(
      `mutation($s: String!, $c: String!) { importSensorReadings(sensorName: $s, csv: $c) { ${JOB_FIELDS} } }`,
      {
        s: sensorName,
        c: text,
      },
      token,
    );

  async function finished(id: string) {
    return waitFor(
      async () => {
        const { job } = await ok(`query($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id });
        return ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(job.state) && job;
      },
      { what: `job ${id} to finish`, timeoutMs: 20_000 },
    );
  }

  const stored = async (sensorId: number) =>
    Number(
      (await t.db.query<{ n: string }>('SELECT count(*) AS n FROM ppmv_samples WHERE sensor_id = $1', [sensorId]))[0].n,
    );

  /** Occupies the only worker thread until the returned function is called. */
  function blockWorkers(): () => void {
    const controller = new AbortController();
    t.app
      .get(WorkerPool)
      .run({
        module: new URL('../../src/shared/jobs/worker-pool.fixture.js', import.meta.url),
        fn: 'forever',
        args: [],
        signal: controller.signal,
      })
      .catch(() => undefined);
    return () => controller.abort();
  }

  beforeAll(async () => {
    t = await startTestApp({ JOB_WORKERS: '1' });
    admin = await t.login();
    await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: {
        email: 'import-operator@plantgraph.test',
        displayName: 'op',
        password: 'import-operator-pw',
        roles: ['operator'],
      },
    });
    operator = await t.login('import-operator@plantgraph.test', 'import-operator-pw');
    const { leakFields } = await ok('{ leakFields { id name } }');
    templateId = (
      await ok(
        'mutation($f: Int!) { createLeakTemplate(fieldId: $f, input: { name: "Import", angleFromNorth: 0 }) { id } }',
        {
          f: leakFields.find((f: { name: string }) => f.name === 'Trestakk').id,
        },
      )
    ).createLeakTemplate.id;
  });

  afterAll(() => t?.close());

  it('imports a CSV of 4,000 readings (over the anonymous 100 KiB) as a job seen rising to 100 % over graphql-ws: sentinels refused and counted, the rest stored', async () => {
    const name = `19XT2116-${RUN}`;
    const sensorId = await sensor(name);
    const release = blockWorkers();
    const text = csv(0, 4000, [
      '2000,2026-11-14 21:20:00,100000000000000',
      '2001,2026-11-14 21:30:00,-3',
      '2002,not a time,3',
      '2003,2026-11-14 21:50:00,',
    ]);
    const started = await importReadings(name, text);
    expect(started.errors).toBeUndefined();
    const job = started.data!.importSensorReadings;
    expect(job).toMatchObject({ kind: 'leaks.importSensorReadings', result: null });
    const progress = collect(t.wsClient(admin), `subscription($id: ID!) { jobProgress(id: $id) { ${JOB_FIELDS} } }`, {
      id: job.id,
    });
    await waitFor(() => progress.events.length > 0, { what: 'the job as it is' });
    release();
    await waitFor(() => progress.completed, { what: 'the job to end', timeoutMs: 20_000 });
    const events = progress.events.map((e) => e.data!.jobProgress);
    expect(events.some((e) => e.state === 'RUNNING' && e.percent > 0 && e.percent < 100)).toBe(true);
    expect(events.map((e) => e.percent)).toEqual([...events.map((e) => e.percent)].sort((a, b) => a - b));
    const done = events.at(-1)!;
    expect(done).toMatchObject({ state: 'SUCCEEDED', percent: 100, error: null });
    expect(JSON.parse(done.result)).toMatchObject({
      sensorName: name,
      rows: 4004,
      stored: 4000,
      duplicates: 0,
      refused: { total: 4, sentinel: 1, negative: 1, badTime: 1, badValue: 1, malformed: 0, olderThanRetention: 0 },
      from: new Date(START).toISOString(),
      to: new Date(START + 3999 * TEN_MINUTES).toISOString(),
    });
    expect(await stored(sensorId)).toBe(4000);

    // An overlapping part: what is stored already is kept and counted as a duplicate.
    const again = (await importReadings(name, csv(3500, 1000))).data!.importSensorReadings;
    expect(JSON.parse((await finished(again.id)).result)).toMatchObject({ stored: 500, duplicates: 500 });
    expect(await stored(sensorId)).toBe(4500);
  });

  it('fails a file with a bad header, saying why, and stores nothing', async () => {
    const name = `19XT2117-${RUN}`;
    const sensorId = await sensor(name);
    const job = (await importReadings(name, csv(0, 100).replace('index,Time,Values', 'when,ppm'))).data!
      .importSensorReadings;
    const failed = await finished(job.id);
    expect(failed).toMatchObject({ state: 'FAILED', result: null, error: { code: 'BAD_USER_INPUT' } });
    expect(failed.error.message).toMatch(/header index,Time,Values/);
    expect(await stored(sensorId)).toBe(0);
  });

  it('fails an import whose sensor is deleted mid-way, and stores nothing', async () => {
    const name = `19XT2118-${RUN}`;
    const sensorId = await sensor(name);
    const release = blockWorkers();
    const job = (await importReadings(name, csv(0, 1000))).data!.importSensorReadings;
    await waitFor(
      async () => (await ok('query($id: ID!) { job(id: $id) { state } }', { id: job.id })).job.state === 'RUNNING',
    );
    await ok('mutation($id: Int!) { deleteLeakSensor(id: $id) { deleted } }', { id: sensorId });
    release();
    const failed = await finished(job.id);
    expect(failed).toMatchObject({ state: 'FAILED', error: { code: 'CONFLICT' } });
    expect(failed.error.message).toBe(`The sensor ${name} was deleted during the import; nothing was stored`);
    expect(await stored(sensorId)).toBe(0);
  });

  it('cancels an import before it stores anything', async () => {
    const name = `19XT2119-${RUN}`;
    const sensorId = await sensor(name);
    const release = blockWorkers();
    const job = (await importReadings(name, csv(0, 500))).data!.importSensorReadings;
    const { cancelJob } = await ok('mutation($id: ID!) { cancelJob(id: $id) { state } }', { id: job.id });
    expect(cancelJob.state).toBe('CANCELLED');
    release();
    expect((await finished(job.id)).state).toBe('CANCELLED');
    expect(t.app.get(WorkerPool).load()).toEqual({ running: 0, queued: 0 });
    expect(await stored(sensorId)).toBe(0);
  });

  it('refuses an import to a caller without leaks:write, and hides the jobs of others', async () => {
    const name = `19XT2120-${RUN}`;
    await sensor(name);
    expect(errorOf(await importReadings(name, csv(0, 10), operator)).code).toBe('FORBIDDEN');
    const job = (await importReadings(name, csv(0, 10))).data!.importSensorReadings;
    expect(errorOf(await t.graphql('query($id: ID!) { job(id: $id) { id } }', { id: job.id }, operator)).code).toBe(
      'NOT_FOUND',
    );
    expect((await ok('{ jobs { totalCount } }', {}, operator)).jobs.totalCount).toBe(0);
    // Validated at the edge: an unknown sensor, a bad name, a CSV beyond the limit.
    expect(errorOf(await importReadings(`nobody-${RUN}`, csv(0, 10)))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { sensorName: expect.any(String) },
    });
    expect(errorOf(await importReadings(name, 'x'.repeat(MAX_IMPORTED_FILE_CHARS + 1)))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { csv: expect.any(String) },
    });
    expect(errorOf(await importReadings('bad name!', csv(0, 10)))).toMatchObject({ code: 'BAD_USER_INPUT' });
    await finished(job.id);
  });

  it('answers the batch matrix profile of the stored series, equal to the domain function, +∞ as null', async () => {
    const name = `19XT2121-${RUN}`;
    const sensorId = await sensor(name);
    const job = (await importReadings(name, csv(0, 600))).data!.importSensorReadings;
    expect((await finished(job.id)).state).toBe('SUCCEEDED');
    const series = Float64Array.from({ length: 600 }, (_, i) => ppmvAt(i));
    const query = `query($s: String!, $w: Int!, $n: Boolean!, $e: Int, $from: DateTime) {
      ppmvMatrixProfile(sensorName: $s, window: $w, normalized: $n, exclusionZone: $e, from: $from) {
        sensorName window exclusionZone normalized points firstAt lastAt
        profile indices leftProfile leftIndices rightProfile rightIndices } }`;
    for (const [normalized, exclusionZone] of [
      [false, null],
      [true, null],
      [true, 5],
    ] as const) {
      const { ppmvMatrixProfile: p } = await ok(query, { s: name, w: 24, n: normalized, e: exclusionZone }, operator);
      const expected = matrixProfile(series, 24, { normalized, exclusionZone: exclusionZone ?? undefined });
      const asJson = (values: Float64Array) => Array.from(values, (v) => (Number.isFinite(v) ? v : null));
      expect(p).toMatchObject({ sensorName: name, window: 24, points: 600, exclusionZone: expected.exclusionZone });
      expect(p.firstAt).toBe(new Date(START).toISOString());
      expect(p.profile).toEqual(asJson(expected.distances));
      expect(p.indices).toEqual(Array.from(expected.indices));
      expect(p.leftProfile).toEqual(asJson(expected.leftDistances));
      expect(p.leftIndices).toEqual(Array.from(expected.leftIndices));
      expect(p.rightProfile).toEqual(asJson(expected.rightDistances));
      expect(p.rightIndices).toEqual(Array.from(expected.rightIndices));
      // The first window has nothing before it: +∞ travels as null, its index as -1.
      expect(p.leftProfile[0]).toBeNull();
      expect(p.leftIndices[0]).toBe(-1);
    }
    // A window longer than the series, and a series beyond the bound, are the client's mistakes.
    expect(errorOf(await t.graphql(query, { s: name, w: 601, n: false }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { window: expect.any(String) },
    });
    await t.db.query(
      `INSERT INTO ppmv_samples (sensor_id, ts, ppmv)
       SELECT $1, $2::timestamptz - g * interval '1 minute', 20 + g % 7 FROM generate_series(1, $3) g`,
      [sensorId, new Date(START).toISOString(), PROFILE_MAX_POINTS],
    );
    expect(errorOf(await t.graphql(query, { s: name, w: 24, n: false }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { from: expect.any(String), to: expect.any(String) },
    });
    const recent = await ok(query, { s: name, w: 24, n: false, from: new Date(START).toISOString() });
    expect(recent.ppmvMatrixProfile.points).toBe(600);

    // A job's read goes in chunks (a cursor, paced between them): every reading once, in order, up to max.
    const stored = await t.db.query<{ ms: number; ppmv: number }>(
      `SELECT (extract(epoch FROM ts) * 1000)::float8 AS ms, ppmv FROM ppmv_samples WHERE sensor_id = $1 ORDER BY ts`,
      [sensorId],
    );
    const max = stored.length - 7;
    const chunked = await t.app.get(ImportedReadingsRepository).series(sensorId, {}, max, { background: true });
    expect(Array.from(chunked.times)).toEqual(stored.slice(0, max).map((r) => r.ms));
    expect(Array.from(chunked.ppmv)).toEqual(stored.slice(0, max).map((r) => r.ppmv));
    const bounded = await t.app
      .get(ImportedReadingsRepository)
      .series(sensorId, { from: new Date(stored[100].ms), to: new Date(stored[12_100].ms) }, max);
    expect(Array.from(bounded.times)).toEqual(stored.slice(100, 12_101).map((r) => r.ms));
  });
});
