/**
 * Baselines of the ingestion path on this machine, the ceilings Plantgraph's own figures are
 * read against. Not a test: run with `npm run bench:ingest:baselines`.
 *
 * (a) MQTT alone: a publisher (its own thread) sends electrical samples QoS 1 to
 *     <root>/machines/{code}/electrical; a bare mqtt.js QoS 1 subscriber counts them.
 *     First publish → last receive, on the embedded aedes, on the machine's broker
 *     (127.0.0.1:1883) when it answers, and on a private Mosquitto configured like
 *     docker/mosquitto.conf when the binary is installed. Single-sample messages, then
 *     arrays of 50 samples.
 * (b) The batch writer alone: the same rows written straight into a day-partitioned
 *     electrical table, with up to MQTT_MAX_IN_FLIGHT (5000) writes outstanding, as the
 *     MQTT client would have them.
 * (c) Both: MqttService (ack after commit) routing each message to the batch writer; no
 *     validation, no events. What is left for the application between (c) and (a).
 *
 *   --messages N (100000)  --window W (1000: publisher's unacknowledged messages)
 *   --mqtt-url URL (mqtt://127.0.0.1:1883)  --skip-external  --parts abc (which of a, b, c)
 *   --repeat R (3: runs of each writer configuration in (b), the median is printed)
 *   --writer-rows M (2 × N: rows of each run in (b))
 */
import { ELECTRICAL_SAMPLES } from '../src/telemetry/infrastructure/machine-samples.tables.js';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { connectAsync, type MqttClient } from 'mqtt';
import type pg from 'pg';
import { loadConfig } from '../src/config/app-config.js';
import { BatchWriter, type BatchTable, type BatchWriterOptions } from '../src/shared/database/batch-writer.js';
import { startEmbeddedBroker } from '../src/shared/embedded/embedded-broker.js';
import { MqttService } from '../src/shared/mqtt/mqtt.service.js';
import { MetricsService } from '../src/shared/observability/metrics.service.js';
import { arrivals, messageOf, now, startPublisher, windowed, type PublisherJob } from './mqtt-load.js';
import { startPrivateMosquitto } from './private-mosquitto.js';
import { machineLine, count, flag, ms, option, printTable } from './figures.js';
import { createElectricalTable, openScratchDatabase } from './scratch-database.js';

interface ElectricalRow {
  machineId: number;
  ts: Date;
  current: number;
  voltage: number;
}

const MESSAGES = option('messages', 100_000);
const WINDOW = option('window', 1000);
const BATCHED = 50;
const REPEAT = option('repeat', 3);
/** (b) alone runs for well under a second at N rows: more rows steady its figures. */
const WRITER_ROWS = option('writer-rows', 2 * MESSAGES);
const PARTS = (() => {
  const at = process.argv.indexOf('--parts');
  return at >= 0 ? process.argv[at + 1] : 'abc';
})();
/**
 * With single-sample writes and as many outstanding writes as maxBatchRows, the next batch
 * can only fill once the current one committed; smaller batches (or more outstanding
 * writes) let one fill while the other is written.
 */
const WRITER_RUNS: Array<{ perWrite: number; options: BatchWriterOptions }> = [
  { perWrite: 1, options: { maxBatchRows: 5000, maxConcurrentFlushes: 1 } },
  { perWrite: 1, options: { maxBatchRows: 5000, maxConcurrentFlushes: 2 } },
  { perWrite: 1, options: { maxBatchRows: 2500, maxConcurrentFlushes: 2 } },
  { perWrite: 1, options: { maxBatchRows: 1000, maxConcurrentFlushes: 2 } },
  { perWrite: BATCHED, options: { maxBatchRows: 5000, maxConcurrentFlushes: 1 } },
  { perWrite: BATCHED, options: { maxBatchRows: 5000, maxConcurrentFlushes: 2 } },
  { perWrite: BATCHED, options: { maxBatchRows: 2500, maxConcurrentFlushes: 2 } },
  { perWrite: BATCHED, options: { maxBatchRows: 1000, maxConcurrentFlushes: 2 } },
];
const MACHINES = 100;
const IN_FLIGHT = 5000;
const FROM = Date.UTC(2026, 0, 1);
const TABLE = 'electrical_samples';
/** A root of its own, so that nothing else listening on a shared broker takes these as plant data. */
const ROOT = `plant-bench-${process.pid}`;
/** Silence from the broker this long means the rest of the messages are not coming. */
const IDLE_LIMIT_MS = 5_000;

const ELECTRICAL: BatchTable<ElectricalRow> = { ...ELECTRICAL_SAMPLES, name: TABLE };

const CODES = Array.from({ length: MACHINES }, (_, i) => `M-${String(i).padStart(3, '0')}`);

/** A publisher job of this benchmark: MESSAGES samples from 100 machines. */
function jobOf(url: string, samplesPerMessage: number): PublisherJob {
  const messages = Math.ceil(MESSAGES / samplesPerMessage);
  return { url, root: ROOT, codes: CODES, messages, perMessage: samplesPerMessage, window: WINDOW, from: FROM };
}

interface MqttFigure {
  broker: string;
  payload: string;
  messages: number;
  received: number;
  seconds: number;
}

async function bareSubscriber(broker: string, url: string, samplesPerMessage: number): Promise<MqttFigure> {
  const job = jobOf(url, samplesPerMessage);
  const { messages } = job;
  const subscriber = await connectAsync(url, {
    clientId: `bench-sub-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  await subscriber.subscribeAsync(`${ROOT}/machines/+/electrical`, { qos: 1 });
  const go = await startPublisher(job);
  const run = arrivals(messages, IDLE_LIMIT_MS);
  subscriber.on('message', () => run.add());
  const published = await go();
  const { received, lastAt } = await run.done;
  await subscriber.endAsync();
  return {
    broker,
    payload: payloadName(samplesPerMessage),
    messages,
    received,
    seconds: (lastAt - published.firstPublishAt) / 1000,
  };
}

async function throughService(
  broker: string,
  url: string,
  samplesPerMessage: number,
  pool: pg.Pool,
  writerOptions: BatchWriterOptions,
): Promise<MqttFigure & { rows: number }> {
  const job = jobOf(url, samplesPerMessage);
  const { messages } = job;
  await pool.query(`TRUNCATE ${TABLE}`);
  const clientId = `bench-svc-${randomBytes(4).toString('hex')}`;
  const metrics = new MetricsService();
  const writer = new BatchWriter(pool, ELECTRICAL, metrics, writerOptions);
  const service = new MqttService(
    loadConfig({ MQTT_URL: url, MQTT_CLIENT_ID: clientId, MQTT_MAX_IN_FLIGHT: String(IN_FLIGHT) }),
    metrics,
  );
  let run = arrivals(messages, IDLE_LIMIT_MS);
  let rows = 0;
  service.route(`${ROOT}/machines/+code/electrical`, async ({ payload, params, receivedAt }) => {
    const parsed = JSON.parse(payload.toString()) as unknown;
    const machineId = Number(params.code.slice(2));
    const samples = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{
      ts?: number;
      current: number;
      voltage: number;
    }>;
    const result = await writer.write(
      samples.map((s) => ({
        machineId,
        ts: s.ts === undefined ? receivedAt : new Date(s.ts),
        current: s.current,
        voltage: s.voltage,
      })),
    );
    rows += result.inserted;
    run.add();
  });
  await service.onApplicationBootstrap();
  try {
    const go = await startPublisher(job);
    run = arrivals(messages, IDLE_LIMIT_MS);
    const published = await go();
    const { received, lastAt } = await run.done;
    return {
      broker,
      payload: payloadName(samplesPerMessage),
      messages,
      received,
      rows,
      seconds: (lastAt - published.firstPublishAt) / 1000,
    };
  } finally {
    await service.onApplicationShutdown();
    await writer.close();
    await discardSession(url, clientId);
  }
}

/** The service's session is persistent; a clean connect with its client id makes the broker forget it. */
async function discardSession(url: string, clientId: string): Promise<void> {
  const client: MqttClient = await connectAsync(url, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 });
  await client.endAsync();
}

async function writerAlone(
  pool: pg.Pool,
  samplesPerWrite: number,
  options: BatchWriterOptions,
): Promise<{ rows: number; seconds: number; flushes: number }> {
  await pool.query(`TRUNCATE ${TABLE}`);
  const metrics = new MetricsService();
  const writer = new BatchWriter(pool, ELECTRICAL, metrics, options);
  const writes = Math.ceil(WRITER_ROWS / samplesPerWrite);
  const batches = Array.from({ length: writes }, (_, w) => {
    const { machine: machineId, samples } = messageOf(jobOf('', samplesPerWrite), w);
    return samples.map((s) => ({ machineId, ts: new Date(s.ts), current: s.current, voltage: s.voltage }));
  });
  let rows = 0;
  const started = now();
  await windowed(writes, IN_FLIGHT, async (w) => {
    const { inserted } = await writer.write(batches[w]);
    rows += inserted;
  });
  const seconds = (now() - started) / 1000;
  await writer.close();
  const histogram = await metrics.registry.getSingleMetric('plantgraph_batch_flush_duration_seconds')!.get();
  const flushes =
    histogram.values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value ?? 0;
  return { rows, seconds, flushes };
}

function payloadName(samplesPerMessage: number): string {
  return samplesPerMessage === 1 ? '1 sample' : `${samplesPerMessage} samples`;
}

async function brokers(): Promise<Array<{ name: string; url: string; stop(): Promise<void> }>> {
  const embedded = await startEmbeddedBroker(0);
  const list = [{ name: 'aedes (embedded, in this process)', url: embedded.url, stop: () => embedded.stop() }];
  const at = process.argv.indexOf('--mqtt-url');
  const externalUrl = at >= 0 ? process.argv[at + 1] : (process.env.BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883');
  if (!flag('skip-external')) {
    try {
      const probe = await connectAsync(externalUrl, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 2_000 });
      await probe.endAsync();
      list.push({
        name: `machine's broker ${new URL(externalUrl).host}`,
        url: externalUrl,
        stop: async () => undefined,
      });
    } catch {
      console.log(`(no broker answers at ${externalUrl}: skipped)`);
    }
  }
  const tuned = await startPrivateMosquitto();
  if (tuned) list.push({ name: 'mosquitto as docker/mosquitto.conf', ...tuned });
  else console.log('(no mosquitto binary: the tuned private Mosquitto is skipped)');
  return list;
}

async function main(): Promise<void> {
  // MqttService logs its connections through Nest's logger: keep the printed figures readable.
  Logger.overrideLogger(['error']);
  const startedAt = Date.now();
  console.log(machineLine());
  const db = await openScratchDatabase(6);
  const days = Math.ceil(((Math.max(MESSAGES, WRITER_ROWS) / MACHINES) * 10) / 86_400_000) + 1;
  await createElectricalTable(db.pool, TABLE, new Date(FROM), days);
  const list = PARTS === 'b' ? [] : await brokers();
  console.log(
    `${count(MESSAGES)} electrical samples; publisher window ${WINDOW}; MQTT_MAX_IN_FLIGHT ${IN_FLIGHT}; ` +
      `${db.where}; topics ${ROOT}/machines/{code}/electrical`,
  );
  const mqtt: Array<Record<string, string | number>> = [];
  const service: Array<Record<string, string | number>> = [];
  const writer: Array<Record<string, string | number>> = [];
  try {
    for (const broker of PARTS.includes('a') ? list : [])
      for (const perMessage of [1, BATCHED]) {
        const figure = await bareSubscriber(broker.name, broker.url, perMessage);
        mqtt.push(mqttRow(figure, figure.received * perMessage));
      }
    if (PARTS.includes('b'))
      for (const { perWrite, options } of WRITER_RUNS) {
        const runs = [];
        for (let repeat = 0; repeat < REPEAT; repeat++) runs.push(await writerAlone(db.pool, perWrite, options));
        const { rows, seconds, flushes } = runs.sort((x, y) => x.seconds - y.seconds)[Math.floor(REPEAT / 2)];
        writer.push({
          'rows per write': perWrite,
          maxBatchRows: options.maxBatchRows!,
          'flushes at once': options.maxConcurrentFlushes!,
          rows: count(rows),
          statements: count(flushes),
          s: seconds.toFixed(2),
          'rows/s': count(rows / seconds),
          'writes/s': count(rows / perWrite / seconds),
        });
      }
    for (const broker of PARTS.includes('c') ? list : [])
      for (const perMessage of [1, BATCHED]) {
        const figure = await throughService(broker.name, broker.url, perMessage, db.pool, {});
        service.push(mqttRow(figure, figure.rows));
      }
  } finally {
    for (const broker of list) await broker.stop();
    await db.drop();
  }
  if (PARTS.includes('a')) printTable('(a) MQTT only: publisher thread → broker → bare mqtt.js QoS 1 subscriber', mqtt);
  if (PARTS.includes('b'))
    printTable(
      `(b) Batch writer only (maxDelayMs 5, ${count(IN_FLIGHT)} writes outstanding), median of ${REPEAT}`,
      writer,
    );
  if (PARTS.includes('c'))
    printTable('(c) MqttService (ack after commit) → JSON.parse → batch writer, no validation', service);
  console.log(`\n(${((Date.now() - startedAt) / 1000).toFixed(0)} s in all)`);
}

function mqttRow(figure: MqttFigure, samples: number): Record<string, string | number> {
  return {
    broker: figure.broker,
    payload: figure.payload,
    messages: count(figure.messages),
    received: figure.received === figure.messages ? 'all' : `${count(figure.received)} (!)`,
    s: ms(figure.seconds),
    'msgs/s': count(figure.received / figure.seconds),
    'samples/s': count(samples / figure.seconds),
  };
}

await main();
