import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * Export and import of the experiments configuration between two services, each on its own
 * database: the source is filled through the API with values holding every character the
 * original corrupted; the target starts empty (only its seeded admin, and the same users by
 * username). Export → import → export must give the same bytes, in both formats.
 */
const RUN = randomBytes(3).toString('hex');
const EXP = `Cfg${RUN}`;
const BIG = `Big${RUN}`;
/** Every special character: ; & = % newline, tab, non-ASCII, an HTML-looking text, and the words of the original. */
const NASTY = 'a;b&c=d%e\nline 2\tTab Kühler 温度 😀 <b>&amp;</b> &SMKL& True';

const IMPORT = `mutation($c: String!, $f: ExperimentsConfigFormat!, $d: Boolean!) {
  importExperimentsConfig(content: $c, format: $f, dryRun: $d) {
    report { dryRun format
      experiments { created updated unchanged notInFile } pvs { created updated unchanged notInFile }
      assignments { created updated unchanged notInFile } subscriptions { created updated unchanged notInFile }
      items { kind key line change fields } }
    job { id state }
  }
}`;
const EXPORT =
  'query($f: ExperimentsConfigFormat!) { exportExperimentsConfig(format: $f, include: { assignments: true, subscriptions: true }) }';

describe('experiments: configuration export and import', () => {
  let source: TestApp;
  let target: TestApp;
  let sourceAdmin: string;
  let targetAdmin: string;
  let operatorToken: string;
  const operatorEmail = `op-${RUN}@plantgraph.test`;

  async function ok(t: TestApp, token: string, query: string, variables?: Record<string, unknown>) {
    const result = await t.graphql(query, variables, token);
    expect(result.errors).toBeUndefined();
    return result.data! as Record<string, any>;
  }

  async function createOperator(t: TestApp, token: string): Promise<string> {
    const { createUser } = await ok(t, token, 'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { email: operatorEmail, displayName: 'Lab operator', password: `op-password-${RUN}`, roles: ['operator'] },
    });
    return createUser.id as string;
  }

  const exportOf = async (t: TestApp, token: string, format: 'RTPDB' | 'JSON') =>
    (await ok(t, token, EXPORT, { f: format })).exportExperimentsConfig as string;

  const importInto = async (t: TestApp, token: string, content: string, format = 'RTPDB', dryRun = false) =>
    (await ok(t, token, IMPORT, { c: content, f: format, d: dryRun })).importExperimentsConfig;

  beforeAll(async () => {
    [source, target] = await Promise.all([startTestApp(), startTestApp()]);
    [sourceAdmin, targetAdmin] = await Promise.all([source.login(), target.login()]);
    const operatorId = await createOperator(source, sourceAdmin);
    await createOperator(target, targetAdmin);
    operatorToken = await source.login(operatorEmail, `op-password-${RUN}`);
    await ok(source, sourceAdmin, 'mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { name } }', {
      i: { name: EXP, displayName: NASTY },
    });
    const pv = (input: Record<string, unknown>) =>
      ok(source, sourceAdmin, 'mutation($i: CreatePvInput!) { createPv(input: $i) { name } }', { i: input });
    await pv({
      name: `${EXP}:Temp`,
      displayName: NASTY,
      unit: '°C;&=%',
      writable: true,
      thresholdMin: -12.5,
      thresholdMax: 80.25,
      setMin: 0,
      setMax: 100,
    });
    // Empty unit, absent name and thresholds; a name that is the word the original wrote for "absent".
    await pv({ name: `${EXP}:Bare` });
    await pv({ name: `${EXP}:NoneName`, displayName: 'None', unit: 'None', type: 'TEXT' });
    await ok(
      source,
      sourceAdmin,
      'mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }',
      { e: EXP, u: operatorId },
    );
    await ok(
      source,
      operatorToken,
      'mutation($p: String!) { subscribePvThreshold(pvName: $p, input: { min: 1.5, max: 60 }) { id } }',
      { p: `${EXP}:Temp` },
    );
  });

  afterAll(async () => {
    await source?.close();
    await target?.close();
  });

  it.each(['RTPDB', 'JSON'] as const)(
    'export → import into an empty database → export gives the same bytes (%s)',
    async (format) => {
      const exported = await exportOf(source, sourceAdmin, format);
      if (format === 'RTPDB') {
        expect(exported).toContain(`[EXPERIMENT];short_id=${EXP};human_readable_name=a%3Bb%26c%3Dd%25e%0Aline 2%09Tab`);
        expect(exported).toContain('human_readable_name=%4Eone');
        expect(exported).toContain('unit=°C%3B%26%3D%25');
        expect(exported).toContain(`[ASSIGNMENT];short_id=${EXP};username=${operatorEmail}`);
      }
      // RTPDB into the target (empty so far), JSON into a service of its own on another empty database.
      const empty = format === 'RTPDB' ? target : await startTestApp();
      try {
        const admin = format === 'RTPDB' ? targetAdmin : await empty.login();
        if (format === 'JSON') await createOperator(empty, admin);
        expect((await exportOf(empty, admin, format)).includes(EXP)).toBe(false);
        const outcome = await importInto(empty, admin, exported, format);
        expect(outcome.job).toBeNull();
        expect(outcome.report.pvs).toEqual({ created: 3, updated: 0, unchanged: 0, notInFile: 0 });
        expect(outcome.report.subscriptions.created).toBe(1);
        const again = await exportOf(empty, admin, format);
        expect(again).toBe(exported);
        // Values as they were, read through the registry.
        const { pv } = await ok(empty, admin, 'query($n: String!) { pv(name: $n) { displayName unit writable } }', {
          n: `${EXP}:Temp`,
        });
        expect(pv).toEqual({ displayName: NASTY, unit: '°C;&=%', writable: true });
      } finally {
        if (empty !== target) await empty.close();
      }
    },
  );

  it('re-import updates instead of duplicating, and reports each item', async () => {
    const exported = await exportOf(source, sourceAdmin, 'RTPDB');
    await importInto(target, targetAdmin, exported);
    const changed = exported.replace('default_threshold_max=80.25', 'default_threshold_max=90');
    const { report } = await importInto(target, targetAdmin, changed);
    expect(report.experiments).toEqual({ created: 0, updated: 0, unchanged: 1, notInFile: 0 });
    expect(report.pvs).toEqual({ created: 0, updated: 1, unchanged: 2, notInFile: 0 });
    expect(report.assignments).toEqual({ created: 0, updated: 0, unchanged: 1, notInFile: 0 });
    expect(report.subscriptions).toEqual({ created: 0, updated: 0, unchanged: 1, notInFile: 0 });
    const temp = report.items.find((i: { key: string }) => i.key === `${EXP}:Temp`);
    expect(temp).toMatchObject({ kind: 'PV', change: 'UPDATED', fields: ['thresholdMax'] });
    expect(temp.line).toBe(changed.split('\n').findIndex((l) => l.includes(`pv_string=${EXP}:Temp;`)) + 1);
    const counts = await target.db.query<{ e: string; p: string }>(
      `SELECT (SELECT count(*) FROM experiments WHERE name = $1) AS e, (SELECT count(*) FROM pvs WHERE name LIKE $2) AS p`,
      [EXP, `${EXP}:%`],
    );
    expect(counts[0]).toEqual({ e: '1', p: '3' });
    await importInto(target, targetAdmin, exported);
  });

  it('a dry run reports what would change and changes nothing', async () => {
    // The source's configuration in the target first: this test does not rely on the ones before it.
    await importInto(target, targetAdmin, await exportOf(source, sourceAdmin, 'RTPDB'));
    const before = await exportOf(target, targetAdmin, 'RTPDB');
    const file = `${before}[EXPERIMENT];short_id=Dry${RUN};human_readable_name=New\n    [PROCESS_VARIABLE];pv_string=Dry${RUN}:X;unit=bar\n`;
    const { report } = await importInto(target, targetAdmin, file.replace('unit=°C', 'unit=K'), 'RTPDB', true);
    expect(report.dryRun).toBe(true);
    expect(report.experiments.created).toBe(1);
    expect(report.pvs).toMatchObject({ created: 1, updated: 1, notInFile: 0 });
    expect(report.items).toContainEqual({
      kind: 'PV',
      key: `${EXP}:Temp`,
      line: file.split('\n').findIndex((l) => l.includes(`pv_string=${EXP}:Temp;`)) + 1,
      change: 'UPDATED',
      fields: ['unit'],
    });
    expect(report.items).toContainEqual(expect.objectContaining({ key: `Dry${RUN}:X`, change: 'CREATED' }));
    expect(await exportOf(target, targetAdmin, 'RTPDB')).toBe(before);
  });

  it('imports a file written by the original (&SMKL&, HTML entities, None, True)', async () => {
    const original = [
      '################################################',
      '#               rtpserver-export               #',
      '################################################',
      '',
      '# This file contains all importable experiment and process variable entries.',
      '# Do not change the format.',
      '',
      `[EXPERIMENT];short_id=Orig${RUN};human_readable_name=Tom &amp&SMKL& Jerry&SMKL& ok`,
      `    [PROCESS_VARIABLE];pv_string=Orig${RUN}:Machine1:PowerOn;human_readable_name=None;experiment_short_id=Orig${RUN};available_for_mqtt_publish=True;default_threshold_min=20;default_threshold_max=50`,
      '',
    ].join('\n');
    const { report } = await importInto(target, targetAdmin, original);
    expect(report.pvs.created).toBe(1);
    const data = await ok(
      target,
      targetAdmin,
      'query($e: String!, $p: String!) { experiment(name: $e) { displayName } pv(name: $p) { displayName writable thresholdMin thresholdMax } }',
      { e: `Orig${RUN}`, p: `Orig${RUN}:Machine1:PowerOn` },
    );
    expect(data.experiment.displayName).toBe('Tom & Jerry; ok');
    expect(data.pv).toEqual({ displayName: null, writable: true, thresholdMin: 20, thresholdMax: 50 });
  });

  it('refuses a bad line, naming it, and stores nothing of the file', async () => {
    const file = [
      `[EXPERIMENT];short_id=Bad${RUN};human_readable_name=first`,
      `    [PROCESS_VARIABLE];pv_string=Bad${RUN}:Ok`,
      `    [PROCESS_VARIABLE];pv_string=Bad${RUN}:Broken;default_threshold_min=9;default_threshold_max=3`,
    ].join('\n');
    const result = await target.graphql(IMPORT, { c: file, f: 'RTPDB', d: false }, targetAdmin);
    expect(errorOf(result)).toMatchObject({ code: 'BAD_USER_INPUT', line: 3 });
    expect(result.errors![0].message).toMatch(
      /^line 3: PV Bad\w+:Broken: thresholdMax must be greater than thresholdMin/,
    );
    const syntax = await target.graphql(
      IMPORT,
      { c: `# x\n[EXPERIMENT];short_id=Bad${RUN};oops=1`, f: 'RTPDB', d: false },
      targetAdmin,
    );
    expect(errorOf(syntax)).toMatchObject({ code: 'BAD_USER_INPUT', line: 2 });
    const gone = await target.graphql(
      'query($e: String!) { experiment(name: $e) { name } }',
      { e: `Bad${RUN}` },
      targetAdmin,
    );
    expect(errorOf(gone).code).toBe('NOT_FOUND');
    const unknownUser = await target.graphql(
      IMPORT,
      {
        c: `[EXPERIMENT];short_id=Bad${RUN}\n    [ASSIGNMENT];short_id=Bad${RUN};username=nobody@x.org`,
        f: 'RTPDB',
        d: false,
      },
      targetAdmin,
    );
    expect(errorOf(unknownUser)).toMatchObject({ code: 'BAD_USER_INPUT', line: 2 });
  });

  it('runs a file of more than 1,000 lines as a job with progress', async () => {
    const lines = [`[EXPERIMENT];short_id=${BIG};human_readable_name=big`];
    for (let i = 0; i < 1100; i++) lines.push(`[PROCESS_VARIABLE];pv_string=${BIG}:P${i}`);
    const { job, report } = await importInto(target, targetAdmin, lines.join('\n'));
    expect(report).toBeNull();
    const done = await waitFor(
      async () => {
        const { job: now } = await ok(
          target,
          targetAdmin,
          'query($id: ID!) { job(id: $id) { state percent result } }',
          {
            id: job.id,
          },
        );
        return (now.state === 'SUCCEEDED' || now.state === 'FAILED') && now;
      },
      { what: 'the import job to finish', timeoutMs: 60_000 },
    );
    expect(done.state).toBe('SUCCEEDED');
    expect(done.percent).toBe(100);
    expect(JSON.parse(done.result).pvs).toMatchObject({ created: 1100 });
    // The job is SUCCEEDED once its writes commit; the directory reloads right after, so the
    // experiment is listed a moment later (a replica that did not run the job: on the event).
    const totalCount = await waitFor(
      async () => {
        const listed = await target.graphql(
          'query($e: String!) { pvs(experimentName: $e) { totalCount } }',
          { e: BIG },
          targetAdmin,
        );
        return !listed.errors && listed.data!.pvs.totalCount;
      },
      { what: 'the imported PVs to be listed' },
    );
    expect(totalCount).toBe(1100);
  }, 120_000);

  it('refuses an operator (experiments:write is required)', async () => {
    const exported = await source.graphql(EXPORT, { f: 'RTPDB' }, operatorToken);
    expect(errorOf(exported).code).toBe('FORBIDDEN');
    const imported = await source.graphql(IMPORT, { c: '# x\n', f: 'RTPDB', d: true }, operatorToken);
    expect(errorOf(imported).code).toBe('FORBIDDEN');
  });
});
