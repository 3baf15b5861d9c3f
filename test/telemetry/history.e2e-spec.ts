import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MachinesService } from '../../src/machines/application/machines.service.js';
import { startTestApp, type GraphQLResponse, type TestApp } from '../harness/app.js';

/** A known instant, aligned to 5 s (buckets are aligned to the epoch). */
const BASE = Date.parse('2026-11-18T08:00:00.000Z');
const at = (ms: number) => new Date(BASE + ms).toISOString();
const stats = '{ min max avg }';

const ELECTRICAL = `query($codes: [String!]!, $from: DateTime, $to: DateTime, $lastMinutes: Int, $bucketSeconds: Float, $maxPoints: Int, $limit: Int) {
  electricalHistory(machineCodes: $codes, from: $from, to: $to, lastMinutes: $lastMinutes, bucketSeconds: $bucketSeconds, maxPoints: $maxPoints, limit: $limit) {
    from to bucketSeconds series { machineCode ts count current ${stats} voltage ${stats} truncated }
  }
}`;
const AXES = `query($codes: [String!]!, $axes: [SampleAxis!], $from: DateTime, $to: DateTime, $bucketSeconds: Float, $maxPoints: Int, $limit: Int) {
  axisHistory(machineCodes: $codes, axes: $axes, from: $from, to: $to, bucketSeconds: $bucketSeconds, maxPoints: $maxPoints, limit: $limit) {
    bucketSeconds series { machineCode axis ts count actual ${stats} target ${stats} distanceToGo ${stats} velocity ${stats} acceleration ${stats} homedFraction truncated }
  }
}`;
const TOOLS = `query($codes: [String!]!, $from: DateTime, $to: DateTime, $bucketSeconds: Float) {
  toolHistory(machineCodes: $codes, from: $from, to: $to, bucketSeconds: $bucketSeconds) {
    bucketSeconds series { machineCode ts count toolInUse toolOffset ${stats} feedRate ${stats} truncated }
  }
}`;

function errorOf(result: GraphQLResponse) {
  expect(result.data?.electricalHistory ?? result.data?.axisHistory ?? null).toBeNull();
  expect(result.errors).toHaveLength(1);
  return result.errors![0];
}

describe('telemetry history', () => {
  let t: TestApp;
  let admin: string;
  let ids: Record<string, number>;

  async function ok(query: string, variables: Record<string, unknown>, token = admin) {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data!;
  }

  /** Ten axis samples at 10 Hz per (machine, axis): actual = k + offset, target = 2k, homed on even k. */
  async function insertAxisSamples(code: string, axis: string, offset: number): Promise<void> {
    await t.db.query(
      `INSERT INTO axis_samples (machine_id, axis, ts, actual, target, distance_to_go, velocity, acceleration, homed)
       SELECT $1::int, $2::char(1), $3::timestamptz + k * interval '100 ms', k + $4::int, 2 * k, k - $4::int, 10 * k, -k, k % 2 = 0
       FROM generate_series(0, 9) AS k`,
      [ids[code], axis, at(0), offset],
    );
  }

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    const machines = t.app.get(MachinesService);
    const axis = (name: 'X' | 'Y' | 'Z' | 'A' | 'C') => ({ name, maxVelocity: 60, maxAcceleration: 200 });
    ids = {};
    for (const [code, axes] of [
      ['H1', [axis('X'), axis('Y'), axis('Z')]],
      ['H2', [axis('X'), axis('A')]],
      ['H3', []],
    ] as const)
      ids[code] = (await machines.create({ code, name: `History ${code}`, axes: [...axes] })).id;

    // H1: current = k, voltage = 10k at BASE + k s (k = 0…9); H2: one sample.
    await t.db.query(
      `INSERT INTO electrical_samples (machine_id, ts, current, voltage)
       SELECT $1::int, $2::timestamptz + k * interval '1 s', k, 10 * k FROM generate_series(0, 9) AS k`,
      [ids.H1, at(0)],
    );
    await t.db.query('INSERT INTO electrical_samples VALUES ($1, $2, 100, 20)', [ids.H2, at(3000)]);
    for (const [code, axisName, offset] of [
      ['H1', 'X', 0],
      ['H1', 'Y', 100],
      ['H1', 'Z', 200],
      ['H2', 'X', 300],
      ['H2', 'A', 400],
    ] as const)
      await insertAxisSamples(code, axisName, offset);
    await t.db.query(
      `INSERT INTO tool_samples (machine_id, ts, tool_in_use, tool_offset, feed_rate) VALUES
       ($1, $2, 3, 10, 100), ($1, $3, NULL, 20, NULL), ($1, $4, 5, NULL, 300)`,
      [ids.H1, at(0), at(1000), at(2000)],
    );
  });
  afterAll(() => t.close());

  describe('raw samples', () => {
    it('returns the samples of each machine in time order, numbers as numbers, one series per machine asked', async () => {
      const { electricalHistory } = await ok(ELECTRICAL, {
        codes: ['H2', 'H1', 'H3'],
        from: at(0),
        to: at(10_000),
      });
      expect(electricalHistory).toMatchObject({ from: at(0), to: at(10_000), bucketSeconds: null });
      expect(electricalHistory.series.map((s: any) => s.machineCode)).toEqual(['H2', 'H1', 'H3']);
      const [h2, h1, h3] = electricalHistory.series;
      expect(h2).toEqual({
        machineCode: 'H2',
        ts: [at(3000)],
        count: [1],
        current: { min: [100], max: [100], avg: [100] },
        voltage: { min: [20], max: [20], avg: [20] },
        truncated: false,
      });
      expect(h1.ts).toEqual(Array.from({ length: 10 }, (_, k) => at(k * 1000)));
      expect(h1.current.avg).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(h1.voltage.min).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
      expect(h1.truncated).toBe(false);
      expect(h3).toMatchObject({ ts: [], count: [], current: { min: [], max: [], avg: [] }, truncated: false });
    });

    it('keeps the window half-open and says when a series was cut by the limit', async () => {
      const { electricalHistory } = await ok(ELECTRICAL, { codes: ['H1'], from: at(2000), to: at(8000), limit: 4 });
      const [h1] = electricalHistory.series;
      expect(h1.ts).toEqual([at(2000), at(3000), at(4000), at(5000)]);
      expect(h1.current.avg).toEqual([2, 3, 4, 5]);
      expect(h1.truncated).toBe(true);

      const exact = await ok(ELECTRICAL, { codes: ['H1'], from: at(2000), to: at(8000), limit: 6 });
      expect(exact.electricalHistory.series[0].current.avg).toEqual([2, 3, 4, 5, 6, 7]);
      expect(exact.electricalHistory.series[0].truncated).toBe(false);
    });

    it('answers any combination of machines × axes, machines then axes in the order asked', async () => {
      const { axisHistory } = await ok(AXES, {
        codes: ['H1', 'H2'],
        axes: ['A', 'X'],
        from: at(0),
        to: at(1000),
        limit: 3,
      });
      expect(axisHistory.series.map((s: any) => `${s.machineCode}/${s.axis}`)).toEqual([
        'H1/A',
        'H1/X',
        'H2/A',
        'H2/X',
      ]);
      const [h1a, h1x, h2a, h2x] = axisHistory.series;
      expect(h1a).toMatchObject({ ts: [], truncated: false });
      expect(h1x).toMatchObject({
        ts: [at(0), at(100), at(200)],
        count: [1, 1, 1],
        actual: { avg: [0, 1, 2] },
        target: { avg: [0, 2, 4] },
        distanceToGo: { min: [0, 1, 2] },
        velocity: { max: [0, 10, 20] },
        acceleration: { avg: [0, -1, -2] },
        homedFraction: [1, 0, 1],
        truncated: true,
      });
      expect(h2a.actual.avg).toEqual([400, 401, 402]);
      expect(h2x.actual.avg).toEqual([300, 301, 302]);
    });

    it("gives each machine's own axes when none are asked", async () => {
      const { axisHistory } = await ok(AXES, { codes: ['H2', 'H1', 'H3'], from: at(0), to: at(1000) });
      expect(axisHistory.series.map((s: any) => `${s.machineCode}/${s.axis}`)).toEqual([
        'H2/X',
        'H2/A',
        'H1/X',
        'H1/Y',
        'H1/Z',
      ]);
      expect(axisHistory.series.every((s: any) => s.ts.length === 10 && !s.truncated)).toBe(true);
    });

    it('takes "the last 15 minutes" as one argument', async () => {
      const now = Date.now();
      await t.db.query('INSERT INTO electrical_samples VALUES ($1, $2, 1, 1), ($1, $3, 2, 2)', [
        ids.H3,
        new Date(now - 5 * 60_000),
        new Date(now - 20 * 60_000),
      ]);
      const { electricalHistory } = await ok(ELECTRICAL, { codes: ['H3'], lastMinutes: 15 });
      expect(Date.parse(electricalHistory.to) - Date.parse(electricalHistory.from)).toBe(15 * 60_000);
      expect(Math.abs(Date.parse(electricalHistory.to) - Date.now())).toBeLessThan(60_000);
      expect(electricalHistory.series[0].current.avg).toEqual([1]);
    });

    it('keeps optional tool values null', async () => {
      const { toolHistory } = await ok(TOOLS, { codes: ['H1'], from: at(0), to: at(10_000) });
      expect(toolHistory.series[0]).toMatchObject({
        ts: [at(0), at(1000), at(2000)],
        toolInUse: [3, null, 5],
        toolOffset: { avg: [10, 20, null] },
        feedRate: { max: [100, null, 300] },
      });
    });
  });

  describe('buckets', () => {
    it('computes count, min, max and avg per bucket in the database', async () => {
      const { electricalHistory } = await ok(ELECTRICAL, {
        codes: ['H1', 'H2'],
        from: at(0),
        to: at(10_000),
        bucketSeconds: 5,
      });
      expect(electricalHistory.bucketSeconds).toBe(5);
      const [h1, h2] = electricalHistory.series;
      expect(h1).toEqual({
        machineCode: 'H1',
        ts: [at(0), at(5000)],
        count: [5, 5],
        current: { min: [0, 5], max: [4, 9], avg: [2, 7] },
        voltage: { min: [0, 50], max: [40, 90], avg: [20, 70] },
        truncated: false,
      });
      expect(h2).toMatchObject({ ts: [at(0)], count: [1], current: { min: [100], max: [100], avg: [100] } });
    });

    it('aligns buckets to the epoch, so a window may cut the first one', async () => {
      const { electricalHistory } = await ok(ELECTRICAL, {
        codes: ['H1'],
        from: at(2000),
        to: at(7000),
        bucketSeconds: 5,
      });
      expect(electricalHistory.series[0]).toMatchObject({
        ts: [at(0), at(5000)],
        count: [3, 2],
        current: { min: [2, 5], max: [4, 6], avg: [3, 5.5] },
      });
    });

    it('chooses the bucket from maxPoints', async () => {
      const { electricalHistory } = await ok(ELECTRICAL, { codes: ['H1'], from: at(0), to: at(10_000), maxPoints: 3 });
      // A whole number of seconds, so that the per-second rollup serves it: 4 s gives 3 buckets.
      expect(electricalHistory.bucketSeconds).toBe(4);
      expect(electricalHistory.series[0].count).toEqual([4, 4, 2]);
    });

    it('buckets axes per machine and axis, with sub-second buckets and the share of homed samples', async () => {
      const { axisHistory } = await ok(AXES, {
        codes: ['H2'],
        axes: ['A'],
        from: at(0),
        to: at(1000),
        bucketSeconds: 0.5,
      });
      expect(axisHistory.bucketSeconds).toBe(0.5);
      expect(axisHistory.series).toEqual([
        {
          machineCode: 'H2',
          axis: 'A',
          ts: [at(0), at(500)],
          count: [5, 5],
          actual: { min: [400, 405], max: [404, 409], avg: [402, 407] },
          target: { min: [0, 10], max: [8, 18], avg: [4, 14] },
          distanceToGo: { min: [-400, -395], max: [-396, -391], avg: [-398, -393] },
          velocity: { min: [0, 50], max: [40, 90], avg: [20, 70] },
          acceleration: { min: [-4, -9], max: [0, -5], avg: [-2, -7] },
          homedFraction: [0.6, 0.4],
          truncated: false,
        },
      ]);
    });

    it('computes what is selected, through fragments and aliases too', async () => {
      const { axisHistory } = await ok(
        `query($codes: [String!]!, $from: DateTime, $to: DateTime) {
          axisHistory(machineCodes: $codes, axes: [X], from: $from, to: $to, bucketSeconds: 1) { ...History }
        }
        fragment History on AxisHistory { series { ... on AxisSeries { position: actual { max } } ...Homed } }
        fragment Homed on AxisSeries { homedFraction }`,
        { codes: ['H1'], from: at(0), to: at(1000) },
      );
      expect(axisHistory.series).toEqual([{ position: { max: [9] }, homedFraction: [0.5] }]);
    });

    it('keeps the last tool in use per bucket and ignores missing optional values', async () => {
      const { toolHistory } = await ok(TOOLS, { codes: ['H1'], from: at(0), to: at(10_000), bucketSeconds: 5 });
      expect(toolHistory.series[0]).toEqual({
        machineCode: 'H1',
        ts: [at(0)],
        count: [3],
        toolInUse: [5],
        toolOffset: { min: [10], max: [20], avg: [15] },
        feedRate: { min: [100], max: [300], avg: [200] },
        truncated: false,
      });
    });
  });

  describe('compact columns', () => {
    const COMPACT = `query($codes: [String!]!, $axes: [SampleAxis!], $from: DateTime, $to: DateTime, $bucketSeconds: Float, $limit: Int) {
      axisHistoryCompact(machineCodes: $codes, axes: $axes, from: $from, to: $to, bucketSeconds: $bucketSeconds, limit: $limit) {
        bucketSeconds series { machineCode axis t count actual ${stats} target ${stats} distanceToGo ${stats} velocity ${stats} acceleration ${stats} homedFraction truncated }
      }
    }`;

    /** axisHistory's answer as axisHistoryCompact gives it: times in epoch milliseconds. */
    const compacted = (series: any[]) => series.map(({ ts, ...rest }) => ({ ...rest, t: ts.map(Date.parse) }));

    it.each([
      ['buckets', { bucketSeconds: 0.5 }],
      ['raw samples', { limit: 4 }],
    ])('answers axisHistory in one JSON array per column (%s)', async (_, resolution) => {
      const variables = { codes: ['H1', 'H2'], axes: ['X', 'A'], from: at(0), to: at(1000), ...resolution };
      const { axisHistoryCompact } = await ok(COMPACT, variables);
      const { axisHistory } = await ok(AXES, variables);
      expect(axisHistoryCompact.bucketSeconds).toBe(axisHistory.bucketSeconds);
      expect(axisHistoryCompact.series).toEqual(compacted(axisHistory.series));
      expect(axisHistoryCompact.series[3]).toMatchObject({
        machineCode: 'H2',
        axis: 'A',
        ...('bucketSeconds' in resolution
          ? { t: [BASE, BASE + 500], count: [5, 5], actual: { min: [400, 405], max: [404, 409], avg: [402, 407] } }
          : { t: [BASE, BASE + 100, BASE + 200, BASE + 300], actual: { avg: [400, 401, 402, 403] }, truncated: true }),
      });
    });

    it('answers electricalHistory alike', async () => {
      const query = `query($codes: [String!]!, $from: DateTime, $to: DateTime) {
        electricalHistoryCompact(machineCodes: $codes, from: $from, to: $to, bucketSeconds: 5) {
          from to bucketSeconds series { machineCode t count current ${stats} voltage ${stats} truncated }
        }
      }`;
      const { electricalHistoryCompact } = await ok(query, { codes: ['H1', 'H3'], from: at(0), to: at(10_000) });
      expect(electricalHistoryCompact).toEqual({
        from: at(0),
        to: at(10_000),
        bucketSeconds: 5,
        series: [
          {
            machineCode: 'H1',
            t: [BASE, BASE + 5000],
            count: [5, 5],
            current: { min: [0, 5], max: [4, 9], avg: [2, 7] },
            voltage: { min: [0, 50], max: [40, 90], avg: [20, 70] },
            truncated: false,
          },
          {
            machineCode: 'H3',
            t: [],
            count: [],
            current: { min: [], max: [], avg: [] },
            voltage: { min: [], max: [], avg: [] },
            truncated: false,
          },
        ],
      });
    });

    it('computes only the min/max/avg selected, through fragments too', async () => {
      const { axisHistoryCompact } = await ok(
        `query($codes: [String!]!, $from: DateTime, $to: DateTime) {
          axisHistoryCompact(machineCodes: $codes, axes: [X], from: $from, to: $to, bucketSeconds: 0.5) {
            series { t velocity { avg } ...Span }
          }
        }
        fragment Span on CompactAxisSeries { actual { top: max } }`,
        { codes: ['H1'], from: at(0), to: at(1000) },
      );
      expect(axisHistoryCompact.series).toEqual([
        { t: [BASE, BASE + 500], velocity: { avg: [20, 70] }, actual: { top: [4, 9] } },
      ]);
    });
  });

  describe('refusals', () => {
    const cases: Array<[string, Record<string, unknown>, string[]]> = [
      ['no window', { codes: ['H1'] }, ['from']],
      ['two windows', { codes: ['H1'], lastMinutes: 15, from: at(0) }, ['lastMinutes']],
      ['a reversed window', { codes: ['H1'], from: at(5000), to: at(0) }, ['to']],
      ['a window over 31 days', { codes: ['H1'], from: at(-32 * 86_400_000), to: at(0) }, ['from']],
      ['a date that is not one', { codes: ['H1'], from: 'yesterday' }, ['from']],
      [
        'two resolutions',
        { codes: ['H1'], lastMinutes: 15, bucketSeconds: 1, maxPoints: 10 },
        ['bucketSeconds', 'maxPoints'],
      ],
      ['a limit with buckets', { codes: ['H1'], lastMinutes: 15, maxPoints: 10, limit: 5 }, ['limit']],
      ['too many buckets', { codes: ['H1'], lastMinutes: 60, bucketSeconds: 0.1 }, ['bucketSeconds']],
      ['a limit over 10000', { codes: ['H1'], lastMinutes: 15, limit: 10_001 }, ['limit']],
      [
        'more than 100 machines',
        { codes: Array.from({ length: 101 }, (_, i) => `M${i}`), lastMinutes: 1 },
        ['machineCodes'],
      ],
    ];
    for (const [what, variables, fields] of cases)
      it(`refuses ${what} with BAD_USER_INPUT naming ${fields.join(', ')}`, async () => {
        const error = errorOf(await t.graphql(ELECTRICAL, variables, admin));
        expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
        expect(Object.keys(error.extensions!.fields)).toEqual(fields);
      });

    it('names every unknown machine code, together with the other problems', async () => {
      const error = errorOf(
        await t.graphql(ELECTRICAL, { codes: ['H1', 'NOPE-1', 'NOPE-2'], from: at(5000), to: at(0) }, admin),
      );
      expect(error.extensions).toEqual({
        code: 'BAD_USER_INPUT',
        fields: { machineCodes: 'unknown: NOPE-1, NOPE-2', to: 'must be after from' },
      });
      expect(error.message).toContain('NOPE-1, NOPE-2');
    });

    it('refuses absurd requests by complexity before touching the database', async () => {
      const codes = Array.from({ length: 100 }, (_, i) => `M${i}`);
      const error = errorOf(await t.graphql(AXES, { codes, from: at(0), to: at(3_600_000), limit: 10_000 }, admin));
      expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', maxComplexity: 5000 });
      expect(error.message).toMatch(/too complex/);

      // 20 machines × 5 axes × 300 buckets of every quantity stays within the limit.
      const fine = await t.graphql(
        AXES,
        { codes: codes.slice(0, 20), from: at(0), to: at(900_000), maxPoints: 300 },
        admin,
      );
      expect(fine.errors?.[0].extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { machineCodes: expect.any(String) },
      });
    });

    it('needs machines:read: refuses members and anonymous callers', async () => {
      for (const role of ['member', 'operator']) {
        const email = `history-${role}@plantgraph.test`;
        await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
          i: { email, displayName: role, password: `${role}-password-1`, roles: [role] },
        });
      }
      const member = await t.login('history-member@plantgraph.test', 'member-password-1');
      const operator = await t.login('history-operator@plantgraph.test', 'operator-password-1');
      const variables = { codes: ['H1'], lastMinutes: 15 };
      expect(errorOf(await t.graphql(ELECTRICAL, variables, member)).extensions).toMatchObject({ code: 'FORBIDDEN' });
      expect(errorOf(await t.graphql(ELECTRICAL, variables)).extensions).toMatchObject({ code: 'UNAUTHENTICATED' });
      await ok(ELECTRICAL, variables, operator);
    });
  });
});
