import { randomBytes } from 'node:crypto';
import { expect } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import type { ServiceProcess } from '../harness/service-process.js';

/**
 * What the delivery fault tests share: a machine registered through the API, a device that
 * streams electrical samples over QoS 1 at a steady pace, and the proof that each one was
 * stored exactly once.
 */

/**
 * Samples per stream. Never more than Mosquitto queues for one session by default
 * (max_queued_messages 1000): in the second CI pass the machine's broker carries the
 * stream, and a backlog it drops by configuration is no loss of ours.
 */
export const SAMPLES = 1_000;
/** ~250 messages/s: a kill or an outage lands mid-stream, and the stream lasts about 4 s. */
const BURST = 10;
const BURST_INTERVAL_MS = 40;

const CREATE_MACHINE = 'mutation($i: CreateMachineInput!) { createMachine(input: $i) { id code } }';

/** Unique per test: topic roots, client ids and codes on a broker other test files share. */
export function uniqueName(prefix: string): string {
  return `${prefix}${randomBytes(4).toString('hex')}`;
}

export async function registerMachine(service: ServiceProcess, code: string): Promise<number> {
  const admin = await service.login();
  const result = await service.graphql(CREATE_MACHINE, { i: { code, name: `Fault test ${code}` } }, admin);
  expect(result.errors).toBeUndefined();
  return Number(result.data!.createMachine.id);
}

export interface SampleStream {
  /** Messages handed to the client so far. */
  readonly published: number;
  /** Messages the broker acknowledged (PUBACK) so far. */
  readonly acknowledged: number;
  /** Resolves when the broker acknowledged every message. */
  readonly done: Promise<void>;
  /** The i-th sample: `ts` = start + i × 100 ms, `current` = i. */
  readonly startTs: number;
}

/**
 * A device publishing `SAMPLES` electrical samples with QoS 1, `BURST` at a time on a fixed
 * schedule whether or not the broker acknowledged the earlier ones. While the broker is away,
 * mqtt.js holds what it could not send and what was not acknowledged, and sends it (again,
 * DUP) once it is back: the broker may then forward a message twice.
 */
export function streamElectrical(device: MqttClient, topic: string): SampleStream {
  // An hour ago: inside today's partitions, and far from the receive time of any other sample.
  const startTs = Date.now() - 3_600_000;
  const counts = { published: 0, acknowledged: 0 };
  let failure: Error | undefined;
  const done = (async () => {
    const began = Date.now();
    const acks: Promise<void>[] = [];
    for (let i = 0; i < SAMPLES && !failure && !device.disconnecting; i++) {
      const due = began + Math.floor(i / BURST) * BURST_INTERVAL_MS;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      counts.published++;
      const payload = JSON.stringify({ ts: startTs + i * 100, current: i, voltage: 230 });
      acks.push(
        device.publishAsync(topic, payload, { qos: 1 }).then(
          () => void counts.acknowledged++,
          (error: Error) => void (failure ??= error),
        ),
      );
    }
    await Promise.all(acks);
    if (failure) throw failure;
    if (counts.published < SAMPLES) throw new Error(`The device disconnected after ${counts.published} messages`);
  })();
  // A test that fails before it awaits `done` ends the device: the stream stops, and its error is no crash.
  done.catch(() => undefined);
  return {
    get published() {
      return counts.published;
    },
    get acknowledged() {
      return counts.acknowledged;
    },
    done,
    startTs,
  };
}

export async function connectDevice(mqttUrl: string): Promise<MqttClient> {
  return connectAsync(mqttUrl, {
    clientId: uniqueName('dev-'),
    protocolVersion: 4,
    clean: true,
    // Back quickly after a broker restart; what it had not got acknowledged goes again.
    reconnectPeriod: 100,
  });
}

type Query = <T extends Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<T[]>;

export async function storedCount(query: Query, machineId: number): Promise<number> {
  const [row] = await query<{ n: number }>('SELECT count(*)::int AS n FROM electrical_samples WHERE machine_id = $1', [
    machineId,
  ]);
  return row.n;
}

/**
 * A waitFor() probe for the moment a fault strikes: a tenth of the samples stored — or, on a
 * machine so busy that storing lags, 300 published — so that it lands with messages in flight
 * and most of the stream still to come, however fast the service goes.
 */
export function midStream(query: Query, machineId: number, stream: SampleStream): () => Promise<boolean> {
  return async () => stream.published >= (SAMPLES * 3) / 10 || (await storedCount(query, machineId)) >= SAMPLES / 10;
}

/** A waitFor() probe: true once `count` samples are stored, else it fails saying how many are. */
export function stored(query: Query, machineId: number, count: number): () => Promise<true> {
  return async () => {
    const n = await storedCount(query, machineId);
    if (n < count) throw new Error(`${n} of ${SAMPLES} stored`);
    return true;
  };
}

/**
 * Every sample of the stream stored once: as many rows as samples, each sample's time and
 * value, and the per-second rollups (summed by a trigger from the rows each INSERT really
 * stored) counting each sample once — a sample handled twice would be counted twice there.
 */
export async function expectEachSampleStoredOnce(query: Query, machineId: number, stream: SampleStream): Promise<void> {
  const [samples] = await query(
    `SELECT count(*)::int AS n, count(DISTINCT ts)::int AS distinct_ts, min(ts) AS first, max(ts) AS last,
            sum(current)::float8 AS current_sum,
            count(*) FILTER (WHERE extract(epoch FROM ts) * 1000 - $2 <> current * 100)::int AS mismatched
       FROM electrical_samples WHERE machine_id = $1`,
    [machineId, stream.startTs],
  );
  expect(samples).toEqual({
    n: SAMPLES,
    distinct_ts: SAMPLES,
    first: new Date(stream.startTs),
    last: new Date(stream.startTs + (SAMPLES - 1) * 100),
    current_sum: (SAMPLES * (SAMPLES - 1)) / 2,
    mismatched: 0,
  });
  const [rollup] = await query<{ counted: number }>(
    'SELECT sum(n)::int AS counted FROM electrical_rollup_1s WHERE machine_id = $1',
    [machineId],
  );
  expect(rollup.counted).toBe(SAMPLES);
}

/** Ends a persistent session the service left in a shared broker, so that sessions do not pile up there. */
export async function forgetSession(mqttUrl: string, clientId: string): Promise<void> {
  const client = await connectAsync(mqttUrl, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 });
  await client.endAsync();
}
