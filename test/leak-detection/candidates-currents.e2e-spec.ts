import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorOf, startTestApp, type TestApp } from '../harness/app.js';

/**
 * What the leak simulation runs on, over GraphQL: candidate leaks per template (CRUD, pages,
 * validation naming the field, leaks:write to change), sea currents imported from the
 * reference's CSV (all rows or none, bad rows named), the plume model's parameters (seeded
 * with the reference's, changeable), a simulation that uses all three, and a template's
 * deletion report counting what went with it.
 */
const RUN = randomBytes(3).toString('hex');
const CANDIDATE = 'id templateId name x y z rate duration';
const REFERENCE_PLUME = {
  a: 5.5,
  p: -0.4,
  q: 0.34,
  kappa: 0.41,
  alpha: 0.32,
  referenceSpeed: 0.3,
  referenceTime: 600,
  depth: 70,
  detectionLimit: 5e-7,
  seawaterTemperature: 6.2,
};
const PLUME_FIELDS = Object.keys(REFERENCE_PLUME).join(' ');
const REFERENCE_FIVE = [
  { name: 'LMF1', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LMF2', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LMF3', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LMF4', x: -4.84, y: 2.47, z: 3.7, rate: 4.8491e-4, duration: 300 },
  { name: 'LPFL', x: -1.311, y: 5.023, z: 3.2, rate: 4.8491e-4, duration: 300 },
];
const START = '2026-01-05T00:00:00.000Z';

/** The reference's format: u,v rows 10 minutes apart, a semidiurnal tide. */
function currentsCsv(rows: number): string {
  const lines = Array.from({ length: rows }, (_, k) => {
    const phase = (2 * Math.PI * k) / 74.5;
    return `${(0.12 * Math.cos(phase)).toFixed(6)},${(0.05 * Math.sin(phase) + 0.02).toFixed(6)}`;
  });
  return ['u,v', ...lines].join('\n');
}

const IMPORT =
  'mutation($t: Int!, $csv: String!, $s: DateTime, $i: Int) { importLeakSeaCurrents(templateId: $t, csv: $csv, startsAt: $s, intervalSeconds: $i) { imported replaced from to } }';
const CURRENTS =
  'query($t: Int!, $from: DateTime!, $to: DateTime!, $o: Int, $l: Int) { leakSeaCurrents(templateId: $t, from: $from, to: $to, offset: $o, limit: $l) { totalCount hasMore items { at u v } } }';

describe('leak detection: candidate leaks, sea currents, plume parameters', () => {
  let t: TestApp;
  let admin: string;
  let operator: string;
  let fieldId: number;

  async function ok(query: string, variables?: Record<string, unknown>, token = admin) {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data! as Record<string, any>;
  }

  async function template(name: string, extra: Record<string, unknown> = {}): Promise<number> {
    const { createLeakTemplate } = await ok(
      'mutation($f: Int!, $i: CreateLeakTemplateInput!) { createLeakTemplate(fieldId: $f, input: $i) { id } }',
      { f: fieldId, i: { name: `${name} ${RUN}`, angleFromNorth: 12.2, ...extra } },
    );
    return createLeakTemplate.id;
  }

  async function addCandidates(templateId: number, candidates = REFERENCE_FIVE): Promise<number[]> {
    const ids: number[] = [];
    for (const input of candidates) {
      const { createLeakCandidate } = await ok(
        `mutation($t: Int!, $i: CreateLeakCandidateInput!) { createLeakCandidate(templateId: $t, input: $i) { ${CANDIDATE} } }`,
        { t: templateId, i: input },
      );
      expect(createLeakCandidate).toMatchObject({ ...input, templateId });
      ids.push(createLeakCandidate.id);
    }
    return ids;
  }

  const storedCurrents = async (templateId: number) =>
    Number(
      (
        await t.db.query<{ n: string }>('SELECT count(*) AS n FROM leak_sea_currents WHERE template_id = $1', [
          templateId,
        ])
      )[0].n,
    );

  beforeAll(async () => {
    t = await startTestApp();
    admin = await t.login();
    const email = `operator-${RUN}@plantgraph.test`;
    await ok('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email, displayName: 'Operator', password: `operator-${RUN}-password`, roles: ['operator'] },
    });
    operator = await t.login(email, `operator-${RUN}-password`);
    const { leakFields } = await ok('{ leakFields { id name } }');
    fieldId = leakFields.find((f: { name: string }) => f.name === 'Snorre').id;
  });

  afterAll(() => t?.close());

  it("creates, pages, changes and deletes a template's candidate leaks, naming offending fields", async () => {
    const templateId = await template('Candidates');
    const ids = await addCandidates(templateId);

    const page = await ok(
      'query($t: Int!) { leakCandidates(templateId: $t, offset: 1, limit: 2) { totalCount hasMore items { name } } }',
      { t: templateId },
      operator,
    );
    expect(page.leakCandidates).toEqual({ totalCount: 5, hasMore: true, items: [{ name: 'LMF2' }, { name: 'LMF3' }] });

    const duplicate = await t.graphql(
      'mutation($t: Int!, $i: CreateLeakCandidateInput!) { createLeakCandidate(templateId: $t, input: $i) { id } }',
      { t: templateId, i: REFERENCE_FIVE[0] },
      admin,
    );
    expect(errorOf(duplicate)).toMatchObject({ code: 'CONFLICT', field: 'name' });

    const invalid = await t.graphql(
      'mutation($t: Int!) { createLeakCandidate(templateId: $t, input: { name: " ", x: 0, y: 0, z: 1, rate: -1, duration: 0 }) { id } }',
      { t: templateId },
      admin,
    );
    expect(errorOf(invalid)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(Object.keys(errorOf(invalid).fields).sort()).toEqual(['duration', 'name', 'rate']);

    const { updateLeakCandidate } = await ok(
      `mutation($id: Int!) { updateLeakCandidate(id: $id, input: { rate: 0.001, z: 2.5 }) { ${CANDIDATE} } }`,
      { id: ids[4] },
    );
    expect(updateLeakCandidate).toMatchObject({ name: 'LPFL', rate: 0.001, z: 2.5, x: -1.311 });
    const badUpdate = await t.graphql(
      'mutation($id: Int!) { updateLeakCandidate(id: $id, input: { duration: -5 }) { id } }',
      { id: ids[4] },
      admin,
    );
    expect(errorOf(badUpdate)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { duration: expect.any(String) } });

    const { deleteLeakCandidate } = await ok('mutation($id: Int!) { deleteLeakCandidate(id: $id) { name } }', {
      id: ids[0],
    });
    expect(deleteLeakCandidate.name).toBe('LMF1');
    const gone = await t.graphql('query($id: Int!) { leakCandidate(id: $id) { id } }', { id: ids[0] }, admin);
    expect(errorOf(gone)).toMatchObject({ code: 'NOT_FOUND' });
    const unknownTemplate = await t.graphql(
      '{ leakCandidates(templateId: 999999) { totalCount } }',
      undefined,
      operator,
    );
    expect(errorOf(unknownTemplate)).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses changes to candidates, currents and plume parameters without leaks:write', async () => {
    const templateId = await template('Read only');
    const [id] = await addCandidates(templateId, REFERENCE_FIVE.slice(0, 1));
    const attempts = [
      t.graphql(
        'mutation($t: Int!) { createLeakCandidate(templateId: $t, input: { name: "X", x: 0, y: 0, z: 0, rate: 1, duration: 1 }) { id } }',
        { t: templateId },
        operator,
      ),
      t.graphql('mutation($id: Int!) { updateLeakCandidate(id: $id, input: { rate: 2 }) { id } }', { id }, operator),
      t.graphql('mutation($id: Int!) { deleteLeakCandidate(id: $id) { id } }', { id }, operator),
      t.graphql(IMPORT, { t: templateId, csv: currentsCsv(3), s: START }, operator),
      t.graphql('mutation { updateLeakPlumeParameters(input: { depth: 90 }) { depth } }', undefined, operator),
    ];
    for (const result of await Promise.all(attempts)) expect(errorOf(result)).toMatchObject({ code: 'FORBIDDEN' });
    const anonymous = await t.graphql('{ leakPlumeParameters { a } }');
    expect(errorOf(anonymous)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect((await ok('query($id: Int!) { leakCandidate(id: $id) { rate } }', { id }, operator)).leakCandidate).toEqual({
      rate: 4.8491e-4,
    });
    expect(await storedCurrents(templateId)).toBe(0);
  });

  it('imports sea currents all or nothing, naming the bad rows, and lists them by window', async () => {
    const templateId = await template('Currents');
    const { importLeakSeaCurrents } = await ok(IMPORT, { t: templateId, csv: currentsCsv(145), s: START });
    expect(importLeakSeaCurrents).toEqual({
      imported: 145,
      replaced: 0,
      from: START,
      to: '2026-01-06T00:00:00.000Z',
    });

    const window = { t: templateId, from: '2026-01-05T01:00:00Z', to: '2026-01-05T02:00:00Z' };
    const { leakSeaCurrents } = await ok(CURRENTS, { ...window, o: 0, l: 4 }, operator);
    expect(leakSeaCurrents.totalCount).toBe(6);
    expect(leakSeaCurrents.hasMore).toBe(true);
    expect(leakSeaCurrents.items.map((c: { at: string }) => c.at)).toEqual([
      '2026-01-05T01:00:00.000Z',
      '2026-01-05T01:10:00.000Z',
      '2026-01-05T01:20:00.000Z',
      '2026-01-05T01:30:00.000Z',
    ]);
    expect(leakSeaCurrents.items[0]).toMatchObject({ u: expect.any(Number), v: expect.any(Number) });

    // Good rows first, then bad ones: nothing of the file is stored.
    const bad = [
      'timestamp,u,v',
      '2026-01-07T00:00:00Z,0.1,0.1',
      '2026-01-07T00:10:00Z,fast,0.1',
      '2026-01-07T00:20:00Z,0.1,0.1',
      '2026-01-07T00:30:00Z,0.1,40',
    ].join('\n');
    const refused = await t.graphql(IMPORT, { t: templateId, csv: bad }, admin);
    expect(errorOf(refused)).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { csv: 'row 3: u: "fast" is not a number | row 5: v: 40 m/s is beyond ±10 m/s' },
    });
    expect(await storedCurrents(templateId)).toBe(145);

    const noStart = await t.graphql(IMPORT, { t: templateId, csv: currentsCsv(2) }, admin);
    expect(errorOf(noStart)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { startsAt: expect.any(String) } });

    // A file with times: rows at times already there replace them.
    const timed = ['timestamp,u,v', '2026-01-06T00:00:00Z,0.5,0.5', '2026-01-06T00:10:00Z,0.5,0.5'].join('\n');
    expect((await ok(IMPORT, { t: templateId, csv: timed })).importLeakSeaCurrents).toMatchObject({
      imported: 2,
      replaced: 1,
    });
    expect(await storedCurrents(templateId)).toBe(146);

    const emptyWindow = await t.graphql(CURRENTS, { ...window, to: window.from }, admin);
    expect(errorOf(emptyWindow)).toMatchObject({ code: 'BAD_USER_INPUT', fields: { to: expect.any(String) } });
  });

  it("serves the reference's plume parameters, changes them, and simulates the candidates with them", async () => {
    expect((await ok(`{ leakPlumeParameters { ${PLUME_FIELDS} } }`, undefined, operator)).leakPlumeParameters).toEqual(
      REFERENCE_PLUME,
    );
    const invalid = await t.graphql(
      'mutation { updateLeakPlumeParameters(input: { a: 0, q: -1, depth: 90 }) { depth } }',
      undefined,
      admin,
    );
    expect(errorOf(invalid)).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(Object.keys(errorOf(invalid).fields).sort()).toEqual(['a', 'q']);

    const templateId = await template('Simulated');
    await addCandidates(templateId);
    await ok(IMPORT, { t: templateId, csv: currentsCsv(200), s: START });
    const sensorName = `19H-QI___51${RUN}`;
    await ok(
      'mutation($t: Int!, $n: String!) { createLeakSensor(templateId: $t, input: { name: $n, x: 6, y: 4, z: 4.5 }) { id } }',
      {
        t: templateId,
        n: sensorName,
      },
    );
    const simulate = async () =>
      (
        await ok(
          'query($n: String!, $at: DateTime) { leakCandidateSimulation(sensorName: $n, at: $at) { supported reason currents { at } leaks { candidate { name } concentrations response detectionRate } } }',
          { n: sensorName, at: '2026-01-06T00:00:00Z' },
          operator,
        )
      ).leakCandidateSimulation;

    const before = await simulate();
    expect(before.supported).toBe(true);
    // The window (144) + 1 newest rows at or before `at`.
    expect(before.currents).toHaveLength(145);
    expect(before.currents.at(-1).at).toBe('2026-01-06T00:00:00.000Z');
    expect(before.leaks.map((l: { candidate: { name: string } }) => l.candidate.name)).toEqual([
      'LMF1',
      'LMF2',
      'LMF3',
      'LMF4',
      'LPFL',
    ]);
    for (const leak of before.leaks) {
      expect(leak.concentrations).toHaveLength(145);
      expect(leak.response).toHaveLength(144);
    }
    expect(before.leaks[1].response).toEqual(before.leaks[0].response);
    expect(Math.max(...before.leaks.flatMap((l: { response: number[] }) => l.response))).toBeGreaterThan(0);

    const { updateLeakPlumeParameters } = await ok(
      `mutation { updateLeakPlumeParameters(input: { alpha: 0.64, depth: 90 }) { ${PLUME_FIELDS} } }`,
    );
    expect(updateLeakPlumeParameters).toEqual({ ...REFERENCE_PLUME, alpha: 0.64, depth: 90 });
    const after = await simulate();
    expect(after.leaks[4].concentrations).not.toEqual(before.leaks[4].concentrations);
    await ok('mutation { updateLeakPlumeParameters(input: { alpha: 0.32, depth: 70 }) { depth } }');

    const roofed = await template('Roofed', { roofHeight: 6, internalVolume: 500 });
    await ok(IMPORT, { t: roofed, csv: currentsCsv(10), s: START });
    const roofedSensor = `19H-QI___52${RUN}`;
    await ok(
      'mutation($t: Int!, $n: String!) { createLeakSensor(templateId: $t, input: { name: $n, x: 1, y: 1, z: 1 }) { id } }',
      {
        t: roofed,
        n: roofedSensor,
      },
    );
    const closed = await ok(
      'query($n: String!) { leakCandidateSimulation(sensorName: $n) { supported reason leaks { detectionRate } } }',
      { n: roofedSensor },
    );
    expect(closed.leakCandidateSimulation).toMatchObject({ supported: false, leaks: [] });
    expect(closed.leakCandidateSimulation.reason).toMatch(/open templates only/);
  });

  it("reports a template's and a field's candidate leaks and sea currents when they are deleted", async () => {
    const templateId = await template('Doomed');
    await addCandidates(templateId, REFERENCE_FIVE.slice(0, 3));
    await ok(IMPORT, { t: templateId, csv: currentsCsv(12), s: START });
    const { deleteLeakTemplate } = await ok(
      'mutation($id: Int!) { deleteLeakTemplate(id: $id) { deleted removed { what count } } }',
      { id: templateId },
    );
    expect(deleteLeakTemplate.removed).toEqual(
      expect.arrayContaining([
        { what: 'candidate leaks', count: 3 },
        { what: 'sea current rows', count: 12 },
      ]),
    );
    expect(await storedCurrents(templateId)).toBe(0);
    const candidatesLeft = await t.db.query<{ n: string }>(
      'SELECT count(*) AS n FROM leak_candidates WHERE template_id = $1',
      [templateId],
    );
    expect(Number(candidatesLeft[0].n)).toBe(0);

    const { createLeakField } = await ok('mutation($n: String!) { createLeakField(input: { name: $n }) { id } }', {
      n: `Field ${RUN}`,
    });
    const inField = [];
    for (const name of ['One', 'Two']) {
      const { createLeakTemplate } = await ok(
        'mutation($f: Int!, $n: String!) { createLeakTemplate(fieldId: $f, input: { name: $n, angleFromNorth: 0 }) { id } }',
        { f: createLeakField.id, n: name },
      );
      inField.push(createLeakTemplate.id);
      await addCandidates(createLeakTemplate.id, REFERENCE_FIVE.slice(0, 2));
      await ok(IMPORT, { t: createLeakTemplate.id, csv: currentsCsv(5), s: START });
    }
    const { deleteLeakField } = await ok(
      'mutation($id: Int!) { deleteLeakField(id: $id) { removed { what count } } }',
      { id: createLeakField.id },
    );
    expect(deleteLeakField.removed).toEqual(
      expect.arrayContaining([
        { what: 'templates', count: 2 },
        { what: 'candidate leaks', count: 4 },
        { what: 'sea current rows', count: 10 },
      ]),
    );
    for (const id of inField) expect(await storedCurrents(id)).toBe(0);
  });
});
