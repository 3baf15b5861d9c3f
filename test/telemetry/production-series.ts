import type { MqttClient } from 'mqtt';
import { waitFor } from '../harness/wait-for.js';
import { testPlantRoot } from '../harness/app.js';

/**
 * The welding series the production-report tests compute their figures from by hand:
 * +0…4 OFF, +5…9 IDLE, +10…19 PRODUCTION (with three excursions out of the 180–270 A /
 * 15–35 V standard, one of them a 9999 A glitch), +20…24 IDLE (open at the end).
 */
export const S = Date.parse('2026-11-19T10:00:00.000Z');
export const iso = (s: number) => new Date(S + s * 1000).toISOString();

export const PRODUCTION: Array<[number, number]> = [
  [200, 25],
  [300, 25],
  [320, 30],
  [290, 38],
  [200, 25],
  [210, 26],
  [9999, 25],
  [220, 27],
  [230, 28],
  [240, 29],
];
export const SERIES: Array<[number, number, number]> = [
  ...[0, 1, 2, 3, 4].map((s): [number, number, number] => [s, 0, 0]),
  ...[5, 6, 7, 8, 9].map((s): [number, number, number] => [s, 40, 15]),
  ...PRODUCTION.map(([current, voltage], i): [number, number, number] => [10 + i, current, voltage]),
  ...[20, 21, 22, 23, 24].map((s): [number, number, number] => [s, 40, 15]),
];

type Gql = (query: string, variables?: Record<string, unknown>) => Promise<any>;

/** Publishes the series as one message, like a PLC gateway, and waits until machine state has taken all of it. */
export async function publishSeries(device: MqttClient, code: string, gql: Gql): Promise<void> {
  const payload = SERIES.map(([s, current, voltage]) => ({ ts: S + s * 1000, current, voltage }));
  await device.publishAsync(`${testPlantRoot()}/machines/${code}/electrical`, JSON.stringify(payload), { qos: 1 });
  await waitFor(
    async () =>
      (await gql(`query($c: [String!]) { machineStates(machineCodes: $c) { lastSampleAt } }`, { c: [code] }))
        .machineStates[0]?.lastSampleAt === iso(24),
    { what: 'the series to be processed' },
  );
}
