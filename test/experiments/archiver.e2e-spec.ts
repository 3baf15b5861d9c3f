import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { errorOf, startTestApp, type TestApp, testPlantRoot } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/** This file's plant root topic (PLANT_MQTT_ROOT of its apps): devices publish under it. */
const PLANT = testPlantRoot();

/**
 * The EPICS Archiver Appliance adapter against a local HTTP server that answers like the
 * archiver's getData.json, with the archiver in Europe/Berlin: naive times are read as Berlin
 * wall-clock time and sent with their offset, answers come back as UTC and Berlin time, merged
 * with the values stored here; an unknown PV is NOT_FOUND, an archiver that is slow or down is
 * SERVICE_UNAVAILABLE with the reason, and "is it archived" says so.
 */
const RUN = randomBytes(3).toString('hex');
const PV = `Arch${RUN}:Temp`;
/** 2022-01-15 13:37:34.793 UTC = 14:37:34.793 in Berlin (winter, +01:00). */
const SECS = 1642253854;

describe('experiments: the Archiver Appliance adapter', () => {
  let t: TestApp;
  let admin: string;
  let archiver: http.Server;
  let archiverUrl: string;
  let device: MqttClient;
  const requests: URL[] = [];
  let mode: 'normal' | 'slow' | 'broken' = 'normal';

  beforeAll(async () => {
    archiver = http.createServer((request, response) => {
      const url = new URL(request.url!, 'http://archiver');
      requests.push(url);
      if (mode === 'slow') return void setTimeout(() => response.end('[]'), 10_000).unref();
      if (mode === 'broken') return void response.writeHead(500).end('boom');
      if (url.pathname !== '/retrieval/data/getData.json') return void response.writeHead(404).end();
      response.setHeader('content-type', 'application/json');
      if (url.searchParams.get('pv') !== PV) return void response.end('[]');
      response.end(
        JSON.stringify([
          {
            meta: { name: PV, EGU: 'C', PREC: '2' },
            data: [
              { secs: SECS, nanos: 793888256, val: 21.5, severity: 0, status: 0 },
              { secs: SECS + 60, nanos: 0, val: 22, severity: 0, status: 0 },
              { secs: SECS + 120, nanos: 0, val: [1, 2], severity: 0, status: 0 },
            ],
          },
        ]),
      );
    });
    await new Promise<void>((resolve) => archiver.listen(0, '127.0.0.1', () => resolve()));
    archiverUrl = `http://127.0.0.1:${(archiver.address() as AddressInfo).port}/`;
    t = await startTestApp({
      ARCHIVER_URL: archiverUrl,
      ARCHIVER_TIMEZONE: 'Europe/Berlin',
      ARCHIVER_TIMEOUT_MS: '2000',
    });
    admin = await t.login();
    device = await connectAsync(t.mqttUrl, { protocolVersion: 4, clientId: `arch-${RUN}`, clean: true });
    const created = await t.graphql('mutation($n: String!) { createPv(input: { name: $n }) { id } }', { n: PV }, admin);
    expect(created.errors).toBeUndefined();
  });

  afterAll(async () => {
    await device?.endAsync();
    await t?.close();
    archiver.closeAllConnections();
    await new Promise<void>((resolve) => archiver.close(() => resolve()));
  });

  const HISTORY =
    'query($p: String!, $from: String!, $to: String, $s: PvArchiveSource) { pvArchiveHistory(pvName: $p, from: $from, to: $to, source: $s) { zone from to skipped truncated samples { ts time value origin } } }';

  it('reads naive times in the archiver zone, sends them with the offset, and answers in UTC and Berlin time', async () => {
    requests.length = 0;
    const result = await t.graphql(
      HISTORY,
      { p: PV, from: '2022-01-15 14:00:00', to: '2022-01-15T15:00:00+01:00', s: 'ARCHIVER' },
      admin,
    );
    expect(result.errors).toBeUndefined();
    expect(requests.at(-1)!.searchParams.get('from')).toBe('2022-01-15T14:00:00.000+01:00');
    expect(requests.at(-1)!.searchParams.get('to')).toBe('2022-01-15T15:00:00.000+01:00');
    expect(result.data!.pvArchiveHistory).toEqual({
      zone: 'Europe/Berlin',
      from: '2022-01-15T14:00:00.000+01:00',
      to: '2022-01-15T15:00:00.000+01:00',
      skipped: 1,
      truncated: false,
      samples: [
        { ts: '2022-01-15T13:37:34.793Z', time: '2022-01-15T14:37:34.793+01:00', value: 21.5, origin: 'ARCHIVER' },
        { ts: '2022-01-15T13:38:34.000Z', time: '2022-01-15T14:38:34.000+01:00', value: 22, origin: 'ARCHIVER' },
      ],
    });
  });

  it('merges the archived samples with the values stored here', async () => {
    await device.publishAsync(
      `${PLANT}/pv/${PV.replaceAll(':', '/')}`,
      JSON.stringify([
        { ts: (SECS + 30) * 1000, value: 21.7 },
        { ts: (SECS + 60) * 1000, value: 22.01 },
      ]),
      { qos: 1 },
    );
    const merged = await waitFor(
      async () => {
        const result = await t.graphql(
          HISTORY,
          { p: PV, from: '2022-01-15T13:00:00Z', to: '2022-01-15T14:00:00Z', s: 'MERGED' },
          admin,
        );
        const samples = result.data?.pvArchiveHistory.samples as Array<{ value: number; origin: string }> | undefined;
        return samples?.length === 3 && samples;
      },
      { what: 'the local values merged' },
    );
    expect(merged.map((s) => [s.value, s.origin])).toEqual([
      [21.5, 'ARCHIVER'],
      [21.7, 'LOCAL'],
      [22.01, 'LOCAL'],
    ]);
  });

  it('says whether the archiver knows a PV, and answers NOT_FOUND for the history of one it does not know', async () => {
    expect((await t.graphql('query($p: String!) { pvInArchive(pvName: $p) }', { p: PV }, admin)).data).toEqual({
      pvInArchive: true,
    });
    expect((await t.graphql('{ pvInArchive(pvName: "Nobody:Here") }', {}, admin)).data).toEqual({ pvInArchive: false });
    const other = `Arch${RUN}:NotArchived`;
    await t.graphql('mutation($n: String!) { createPv(input: { name: $n }) { id } }', { n: other }, admin);
    expect(
      errorOf(await t.graphql(HISTORY, { p: other, from: '2022-01-15 14:00', to: '2022-01-15 15:00' }, admin)),
    ).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(errorOf(await t.graphql(HISTORY, { p: PV, from: 'yesterday' }, admin))).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { from: expect.stringContaining('Europe/Berlin') },
    });
  });

  it('answers SERVICE_UNAVAILABLE with the reason when the archiver is slow, failing or down', async () => {
    for (const [state, reason] of [
      ['slow', 'ARCHIVER_TIMEOUT'],
      ['broken', 'ARCHIVER_UNAVAILABLE'],
    ] as const) {
      mode = state;
      expect(
        errorOf(await t.graphql(HISTORY, { p: PV, from: '2022-01-15 14:00', to: '2022-01-15 15:00' }, admin)),
      ).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        reason,
        retryable: true,
      });
      expect(
        errorOf(await t.graphql('query($p: String!) { pvInArchive(pvName: $p) }', { p: PV }, admin)),
      ).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        reason,
      });
    }
    mode = 'normal';
    archiver.closeAllConnections();
    await new Promise<void>((resolve) => archiver.close(() => resolve()));
    expect(
      errorOf(await t.graphql(HISTORY, { p: PV, from: '2022-01-15 14:00', to: '2022-01-15 15:00' }, admin)),
    ).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      reason: 'ARCHIVER_UNAVAILABLE',
    });
    await new Promise<void>((resolve) =>
      archiver.listen(Number(new URL(archiverUrl).port), '127.0.0.1', () => resolve()),
    );
  });
});
