import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * The embedded simulator's gas sensors in the running service: their site is registered
 * (template, sensors, the reference's candidate leaks, a day of currents), their readings are
 * stored as a registered sensor's (not listed as unregistered), and the planted leak takes the
 * leaking sensor to WARNING and CRITICAL. Readings every 50 ms: the leak's CRITICAL comes
 * after about 230 readings. A root topic of its own keeps its devices away from other files' services.
 */
const RUN = randomBytes(3).toString('hex');
const SITE = ['19H-QI___5172', '19H-QI___5272', '19H-QI___5372'];

describe('the embedded simulator feeds registered gas sensors with a planted leak', () => {
  let t: TestApp;
  let admin: string;

  async function ok(query: string, variables?: Record<string, unknown>) {
    const result = await t.graphql(query, variables, admin);
    expect(result.errors).toBeUndefined();
    return result.data! as Record<string, any>;
  }

  beforeAll(async () => {
    t = await startTestApp({
      SIMULATOR: 'true',
      PLANT_MQTT_ROOT: `gas-${RUN}`,
      SIMULATOR_LEAK_SITES: '1',
      SIMULATOR_LEAK_INTERVAL_MS: '50',
    });
    admin = await t.login();
  });

  afterAll(() => t?.close());

  it('registers the site: template, sensors, candidate leaks and sea currents', async () => {
    const { leakSensors } = await ok('{ leakSensors(text: "19H-QI___5") { items { name templateId x y z } } }');
    expect(leakSensors.items.map((s: { name: string }) => s.name)).toEqual(SITE);
    const templateId = leakSensors.items[0].templateId;
    const { leakTemplate, leakCandidates, leakSeaCurrents } = await ok(
      `query($t: Int!, $from: DateTime!, $to: DateTime!) {
        leakTemplate(id: $t) { name open }
        leakCandidates(templateId: $t) { items { name } }
        leakSeaCurrents(templateId: $t, from: $from, to: $to, limit: 500) { totalCount }
      }`,
      { t: templateId, from: new Date(Date.now() - 2 * 86_400_000), to: new Date(Date.now() + 60_000) },
    );
    expect(leakTemplate).toEqual({ name: 'Simulated template 5W', open: true });
    expect(leakCandidates.items.map((c: { name: string }) => c.name)).toEqual(['LMF1', 'LMF2', 'LMF3', 'LMF4', 'LPFL']);
    expect(leakSeaCurrents.totalCount).toBe(145);
  });

  it("stores every sensor's readings, and lists none of them as unregistered", async () => {
    const latest = await waitFor(
      async () => {
        const { latestPpmv } = await ok('query($n: [String!]) { latestPpmv(sensorNames: $n) { sensorName ppmv } }', {
          n: SITE,
        });
        return latestPpmv.length === SITE.length && latestPpmv;
      },
      { what: 'a reading of every simulated sensor', timeoutMs: 20_000 },
    );
    for (const reading of latest) expect(reading.ppmv).toBeGreaterThan(0);
    const { unregisteredSources } = await ok(
      '{ unregisteredSources(kind: SENSOR, limit: 500) { items { sourceKey } } }',
    );
    expect(unregisteredSources.items.filter((s: { sourceKey: string }) => SITE.includes(s.sourceKey))).toEqual([]);
  });

  it('takes the leaking sensor to WARNING and then CRITICAL', async () => {
    const events = await waitFor(
      async () => {
        const { leakSensorEvents } = await ok(
          'query($n: [String!]) { leakSensorEvents(sensorNames: $n, limit: 100) { items { level } } }',
          { n: [SITE[0]] },
        );
        const levels = leakSensorEvents.items.map((e: { level: string }) => e.level).reverse();
        return levels.includes('CRITICAL') && levels;
      },
      { what: 'the planted leak to reach CRITICAL', timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(events.indexOf('WARNING')).toBeGreaterThan(-1);
    expect(events.indexOf('WARNING')).toBeLessThan(events.indexOf('CRITICAL'));
  }, 120_000);
});
