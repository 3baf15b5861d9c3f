/**
 * The whole plant-telemetry ingestion path of the real service: a device thread publishes
 * electrical samples QoS 1 to plant/machines/{code}/electrical on an embedded broker; the
 * service validates, stores (batch writer), hands the new samples on (machine state, latest
 * values, live events) and acknowledges. Measured from the first publish until the service
 * acknowledged the last message. Compare with bench/ingest-baselines.ts (c), the same path
 * without validation and hand-off. Not a test.
 *
 *   --messages N (20000)  --per-message K (50, and 1)  --window W (1000)
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { connectAsync } from 'mqtt';
import { loadConfig } from '../src/config/app-config.js';
import { createApp } from '../src/bootstrap.js';
import { MachinesService } from '../src/machines/application/machines.service.js';
import { startEmbeddedBroker } from '../src/shared/embedded/embedded-broker.js';
import { MetricsService } from '../src/shared/observability/metrics.service.js';
import { count, machineLine, option, printTable } from './figures.js';
import { openScratchDatabase } from './scratch-database.js';

const MESSAGES = option('messages', 20_000);
const PER_MESSAGE = option('per-message', 50);
const WINDOW = option('window', 1000);
const MACHINES = 20;

interface Job {
  url: string;
  messages: number;
  perMessage: number;
  window: number;
  /** Sample times start here, so that runs never collide on (machine, ts). */
  from: number;
}

async function device({ url, messages, perMessage, window, from }: Job): Promise<void> {
  const client = await connectAsync(url, { clientId: `bench-device-${process.pid}`, protocolVersion: 4, clean: true });
  let next = 0;
  const lane = async () => {
    while (next < messages) {
      const m = next++;
      const machine = m % MACHINES;
      const first = Math.floor(m / MACHINES) * perMessage;
      const samples = Array.from({ length: perMessage }, (_, i) => ({
        ts: from + (first + i) * 10,
        current: 100 + (i % 50),
        voltage: 24,
      }));
      await client.publishAsync(
        `plant/machines/bench-${machine}/electrical`,
        JSON.stringify(perMessage === 1 ? samples[0] : samples),
        { qos: 1 },
      );
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  await client.endAsync();
}

async function acked(metrics: MetricsService): Promise<number> {
  const metric = metrics.registry.getSingleMetric('plantgraph_mqtt_messages_acked_total');
  return metric ? ((await metric.get()).values[0]?.value ?? 0) : 0;
}

async function main(): Promise<void> {
  const db = await openScratchDatabase();
  const broker = await startEmbeddedBroker(0);
  const app = await createApp(
    loadConfig({
      DATABASE_URL: db.url,
      MQTT_URL: broker.url,
      MQTT_CLIENT_ID: `bench-${process.pid}`,
      LOG_LEVEL: 'error',
      LOG_PRETTY: 'false',
      ADMIN_PASSWORD: 'bench-password-1',
    }),
  );
  await app.init();
  const machines = app.get(MachinesService);
  for (let i = 0; i < MACHINES; i++) await machines.create({ code: `bench-${i}`, name: `Bench ${i}` });
  const metrics = app.get(MetricsService);
  const rows: Array<Record<string, string>> = [];
  const runs = PER_MESSAGE === 1 ? [1] : [PER_MESSAGE, 1];
  let from = Date.now() - 3_600_000;
  for (const perMessage of runs) {
    const before = await acked(metrics);
    const started = performance.now();
    const job: Job = { url: broker.url, messages: MESSAGES, perMessage, window: WINDOW, from };
    const published = new Promise<void>((resolve, reject) =>
      new Worker(new URL(import.meta.url), { workerData: job }).once('exit', () => resolve()).once('error', reject),
    );
    while ((await acked(metrics)) - before < MESSAGES) await new Promise((resolve) => setTimeout(resolve, 10));
    const seconds = (performance.now() - started) / 1000;
    await published;
    from += (MESSAGES / MACHINES) * perMessage * 10 + 60_000;
    rows.push({
      'samples per message': String(perMessage),
      messages: count(MESSAGES),
      samples: count(MESSAGES * perMessage),
      'messages/s': count(MESSAGES / seconds),
      'samples/s': count((MESSAGES * perMessage) / seconds),
    });
  }
  await app.close();
  await broker.stop();
  await db.drop();
  printTable(`Ingestion end to end (embedded broker, ${db.where}, device window ${WINDOW}); ${machineLine()}`, rows);
}

if (isMainThread) await main();
else await device(workerData as Job).then(() => parentPort?.close());
