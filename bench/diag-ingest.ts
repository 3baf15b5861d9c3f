import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { connectAsync } from 'mqtt';
import { loadConfig } from '../src/config/app-config.js';
import { createApp } from '../src/bootstrap.js';
import { MachinesService } from '../src/machines/application/machines.service.js';
import { startEmbeddedBroker } from '../src/shared/embedded/embedded-broker.js';
import { MetricsService } from '../src/shared/observability/metrics.service.js';
import { CommittedSamples } from '../src/telemetry/application/committed-samples.js';
import { MachineStateRepository } from '../src/telemetry/application/machine-state.ports.js';
import { option } from './figures.js';
import { openScratchDatabase } from './scratch-database.js';
import { startPrivateMosquitto } from './private-mosquitto.js';

const MESSAGES = option('messages', 20_000);
const PER = option('per-message', 1);
const WINDOW = option('window', 1000);
const MACHINES = 20;
interface Job { url: string; messages: number; perMessage: number; window: number; from: number }

async function device({ url, messages, perMessage, window, from }: Job): Promise<void> {
  const client = await connectAsync(url, { clientId: `bench-device-${process.pid}`, protocolVersion: 4, clean: true });
  let next = 0;
  const lane = async () => {
    while (next < messages) {
      const m = next++;
      const machine = m % MACHINES;
      const first = Math.floor(m / MACHINES) * perMessage;
      const samples = Array.from({ length: perMessage }, (_, i) => ({ ts: from + (first + i) * 10, current: 100 + (i % 50), voltage: 24 }));
      await client.publishAsync(`plant/machines/bench-${machine}/electrical`, JSON.stringify(perMessage === 1 ? samples[0] : samples), { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: window }, lane));
  await client.endAsync();
}

async function val(metrics: MetricsService, name: string): Promise<number> {
  const m = metrics.registry.getSingleMetric(name);
  if (!m) return 0;
  const v = (await m.get()).values as Array<{ value: number; metricName?: string; labels: Record<string, unknown> }>;
  return v.filter((x) => !x.metricName || x.metricName.endsWith('_count') || x.metricName === name).reduce((s, x) => s + x.value, 0);
}

async function main(): Promise<void> {
  const db = await openScratchDatabase();
  const mosq = process.argv.includes('--mosquitto') ? await startPrivateMosquitto() : undefined;
  const broker = mosq ?? (await startEmbeddedBroker(0));
  const app = await createApp(loadConfig({ DATABASE_URL: db.url, MQTT_URL: broker.url, MQTT_CLIENT_ID: `bench-${process.pid}`, LOG_LEVEL: 'error', LOG_PRETTY: 'false', ADMIN_PASSWORD: 'bench-password-1' }));
  // instrument hand-off
  const committed = app.get(CommittedSamples);
  const repo = app.get(MachineStateRepository);
  const stats = { handoffs: 0, handoffMs: 0, handoffRows: 0, maxHandoff: 0, repoMs: 0, repoN: 0 };
  const orig = committed.electricalCommitted.bind(committed);
  committed.electricalCommitted = async (s) => { const t = performance.now(); await orig(s); const d = performance.now() - t; stats.handoffs++; stats.handoffMs += d; stats.handoffRows += s.length; stats.maxHandoff = Math.max(stats.maxHandoff, d); };
  const origW = repo.write.bind(repo);
  repo.write = async (w) => { const t = performance.now(); await origW(w); stats.repoMs += performance.now() - t; stats.repoN++; };
  await app.init();
  const machines = app.get(MachinesService);
  for (let i = 0; i < MACHINES; i++) await machines.create({ code: `bench-${i}`, name: `Bench ${i}` });
  const metrics = app.get(MetricsService);
  const started = performance.now();
  const job: Job = { url: broker.url, messages: MESSAGES, perMessage: PER, window: WINDOW, from: Date.now() - 3_600_000 };
  const published = new Promise<void>((resolve, reject) => new Worker(new URL(import.meta.url), { workerData: job }).once('exit', () => resolve()).once('error', reject));
  const samples: string[] = [];
  let lastFlushes = 0, lastAcked = 0;
  let busy = 0; const el = performance.eventLoopUtilization();
  for (;;) {
    const acked = await val(metrics, 'plantgraph_mqtt_messages_acked_total');
    const inflight = await val(metrics, 'plantgraph_mqtt_in_flight');
    const queued = await val(metrics, 'plantgraph_batch_queue_rows');
    const flushes = await val(metrics, 'plantgraph_batch_flush_duration_seconds');
    samples.push(`t=${(performance.now() - started).toFixed(0)} acked=${acked} (+${acked - lastAcked}) inflight=${inflight} queued=${queued} flushes=${flushes} (+${flushes - lastFlushes}) handoffs=${stats.handoffs}`);
    lastFlushes = flushes; lastAcked = acked;
    if (acked >= MESSAGES) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const seconds = (performance.now() - started) / 1000;
  busy = performance.eventLoopUtilization(el).utilization;
  await published;
  const fl = (await metrics.registry.getSingleMetric('plantgraph_batch_flush_duration_seconds')!.get()).values as Array<{ value: number; metricName?: string }>;
  const sum = fl.filter((x) => x.metricName?.endsWith('_sum')).reduce((s, x) => s + x.value, 0);
  const cnt = fl.filter((x) => x.metricName?.endsWith('_count')).reduce((s, x) => s + x.value, 0);
  console.log(samples.join('\n'));
  console.log(`msgs/s ${(MESSAGES / seconds).toFixed(0)} elu ${busy.toFixed(2)} flushes ${cnt} avg rows/flush ${(MESSAGES * PER / cnt).toFixed(0)} avg flush ms ${(sum / cnt * 1000).toFixed(1)}`);
  console.log(`handoffs ${stats.handoffs} avg rows ${(stats.handoffRows / stats.handoffs).toFixed(0)} avg ms ${(stats.handoffMs / stats.handoffs).toFixed(1)} max ${stats.maxHandoff.toFixed(0)} total ${(stats.handoffMs / 1000).toFixed(2)}s; repo.write n=${stats.repoN} avg ${(stats.repoMs / stats.repoN).toFixed(1)}ms`);
  await app.close();
  await broker.stop();
  await db.drop();
}
if (isMainThread) await main();
else await device(workerData as Job).then(() => parentPort?.close());
