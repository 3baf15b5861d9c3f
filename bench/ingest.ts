/**
 * The ingestion figures the issue asks for, in one run (not a test):
 *
 * - pipeline: the real service (createApp) on an embedded broker: a publisher thread sends
 *   electrical readings QoS 1 to plant/machines/{code}/electrical; the service validates,
 *   stores (batch writer), hands the new samples on (machine state, latest values, live
 *   events) and acknowledges. First publish → last row committed and handed on.
 * - baseline 1: a bare mqtt.js QoS 1 subscriber, same publisher, same broker, same
 *   messages; no storage. First publish → last receive.
 * - baseline 2: the same rows written straight with a batch writer (the service's pool and
 *   defaults), with MQTT_MAX_IN_FLIGHT writes outstanding as the MQTT client would have them.
 *
 * Each for single-sample messages and for arrays of 50. Machines of this kind differ several-
 * fold in absolute speed, so the targets are ratios to the baselines of the same run:
 * single-sample ≥ 70 % of baseline 1 (the bare subscriber), arrays of 50 ≥ 60 % of baseline 2
 * (the batch writer alone). Absolute rates are printed as information.
 *
 *   --messages N (50000: single-sample messages)  --samples S (250000: samples in arrays of 50)
 *   --window W (1000: the publisher's unacknowledged messages)  --aedes (the embedded broker in
 *   this process instead of a private Mosquitto configured like docker/mosquitto.conf, which is
 *   the default when Mosquitto is installed; --mosquitto insists on it); --baseline-job
 *   [--job-rounds 3] runs the pipeline without and with one baseline selection job after another
 *   over 50,000 readings, alternated (issue 13: within 10 % of the runs without)
 * bench/ingest-baselines.ts has the finer baselines (other brokers, writer configurations).
 */
import { ELECTRICAL_SAMPLES } from '../src/telemetry/infrastructure/machine-samples.tables.js';
import type { SamplesAdded } from '../src/shared/ingestion/sample-kind.js';
import { PubSub } from '../src/shared/pubsub/pub-sub.js';
import { ELECTRICAL_SAMPLES_ADDED } from '../src/telemetry/application/live-telemetry.service.js';
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { connectAsync } from 'mqtt';
import { loadConfig } from '../src/config/app-config.js';
import { createApp } from '../src/bootstrap.js';
import { prepareBaselineJobLoad } from './baseline-job-load.js';
import { MachinesService } from '../src/machines/application/machines.service.js';
import { BatchWriterFactory } from '../src/shared/database/batch-writer.factory.js';
import { startEmbeddedBroker } from '../src/shared/embedded/embedded-broker.js';
import { count, flag, machineLine, ms, option, printTable } from './figures.js';
import { arrivals, messageOf, now, startPublisher, windowed, type PublisherJob } from './mqtt-load.js';
import { startPrivateMosquitto } from './private-mosquitto.js';
import { openScratchDatabase } from './scratch-database.js';

const MESSAGES = option('messages', 50_000);
const BATCHED_SAMPLES = option('samples', 250_000);
const WINDOW = option('window', 1000);
/** `--baseline-job`: runs without and with the job, alternated, each kind pooled for the verdict. */
const JOB_ROUNDS = option('job-rounds', 3);
const BATCHED = 50;
const MACHINES = 20;
const IN_FLIGHT = 5000;
/** Silence this long means the rest is not coming (the run is reported as incomplete). */
const IDLE_LIMIT_MS = 10_000;
const CODES = Array.from({ length: MACHINES }, (_, i) => `bench-${i}`);
const TARGET_SINGLE_RATIO = 0.7;
const TARGET_BATCHED_RATIO = 0.6;

type Job = PublisherJob;

interface Figure {
  run: string;
  payload: string;
  messages: number;
  samples: number;
  /** Of `samples` (rows for storing runs, messages × per-message for the bare subscriber). */
  done: number;
  seconds: number;
  /** Share of the run the main thread (service and embedded broker) was busy: below 1, it was waiting. */
  busy: number;
}

function payloadName(perMessage: number): string {
  return perMessage === 1 ? '1 sample' : `${perMessage} samples`;
}

async function bareSubscriber(url: string, job: Job): Promise<Figure> {
  const subscriber = await connectAsync(url, {
    clientId: `bench-sub-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  const arrived = arrivals(job.messages, IDLE_LIMIT_MS);
  subscriber.on('message', () => arrived.add(1));
  await subscriber.subscribeAsync(`${job.root}/machines/+/electrical`, { qos: 1 });
  const go = await startPublisher(job);
  const elu = performance.eventLoopUtilization();
  const { firstPublishAt } = await go();
  const { received, lastAt } = await arrived.done;
  const { utilization } = performance.eventLoopUtilization(elu);
  await subscriber.endAsync();
  return figure('baseline 1: bare subscriber', job, received * job.perMessage, lastAt - firstPublishAt, utilization);
}

function figure(run: string, job: Job, done: number, elapsedMs: number, busy: number): Figure {
  return {
    run,
    payload: payloadName(job.perMessage),
    messages: job.messages,
    samples: job.messages * job.perMessage,
    done,
    seconds: elapsedMs / 1000,
    busy,
  };
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const startedAt = Date.now();
  console.log(machineLine());
  const db = await openScratchDatabase();
  // The broker as deployed (its own process, docker/compose.yaml) when Mosquitto is installed;
  // `--aedes` (or no Mosquitto) runs the embedded broker inside this process, beside the service.
  const mosquitto = flag('aedes') ? undefined : await startPrivateMosquitto();
  if (flag('mosquitto') && !mosquitto) throw new Error('--mosquitto: no mosquitto binary installed');
  const broker = mosquitto ?? (await startEmbeddedBroker(0));
  const brokerName = mosquitto ? 'private Mosquitto (docker/mosquitto.conf settings)' : 'embedded aedes';
  const runs = [
    { perMessage: 1, messages: MESSAGES },
    { perMessage: BATCHED, messages: Math.ceil(BATCHED_SAMPLES / BATCHED) },
  ];
  let from = Date.now() - 6 * 3_600_000;
  const nextJob = (root: string, run: (typeof runs)[number]): Job => {
    const job = { url: broker.url, root, codes: CODES, window: WINDOW, from, ...run };
    from += (run.messages / MACHINES) * run.perMessage * 10 + 60_000;
    return job;
  };
  const figures: Figure[] = [];
  try {
    // Before the service exists, so that its persistent session takes none of these.
    for (const run of runs) figures.push(await bareSubscriber(broker.url, nextJob(`bench-bare-${process.pid}`, run)));

    const app = await createApp(
      loadConfig({
        DATABASE_URL: db.url,
        MQTT_URL: broker.url,
        MQTT_CLIENT_ID: `bench-${process.pid}`,
        MQTT_MAX_IN_FLIGHT: String(IN_FLIGHT),
        LOG_LEVEL: 'error',
        LOG_PRETTY: 'false',
        ADMIN_PASSWORD: 'bench-password-1',
        // The job's pacing as configured for this run (the service's default otherwise).
        JOB_CPU_PERCENT: process.env.JOB_CPU_PERCENT,
      }),
    );
    let committed: ReturnType<typeof arrivals> | undefined;
    await app.init();
    // The live event is the last stage after a commit (shared/ingestion/sample-ingestion.service.ts).
    const live = app.get(PubSub).subscribe<SamplesAdded<unknown>>(ELECTRICAL_SAMPLES_ADDED);
    void (async () => {
      for await (const event of live) committed?.add(event.samples.length);
    })();
    try {
      const machines = app.get(MachinesService);
      const ids: number[] = [];
      for (let i = 0; i < MACHINES; i++) ids.push((await machines.create({ code: CODES[i], name: `Bench ${i}` })).id);

      /** One pipeline run: `run`'s messages published, timed until the last sample's live event. */
      const pipeline = async (label: string, run: (typeof runs)[number]): Promise<Figure> => {
        const job = nextJob('plant', run);
        committed = arrivals(job.messages * job.perMessage, IDLE_LIMIT_MS);
        const go = await startPublisher(job);
        const elu = performance.eventLoopUtilization();
        const { firstPublishAt } = await go();
        const { received, lastAt } = await committed.done;
        const { utilization } = performance.eventLoopUtilization(elu);
        return figure(label, job, received, lastAt - firstPublishAt, utilization);
      };
      for (const run of runs) figures.push(await pipeline('pipeline (the service)', run));
      if (flag('baseline-job')) {
        const load = await prepareBaselineJobLoad(app);
        // Runs without and with the job, alternated: one run of 2–3 s wanders by a fifth or
        // more from the next on these machines, more than the 10 % sought.
        for (let round = 1; round <= JOB_ROUNDS; round++)
          for (const run of runs) {
            figures.push(await pipeline(`pipeline without a job, round ${round}`, run));
            load.start();
            const loaded = await pipeline(`pipeline + baseline job, round ${round}`, run);
            const { started } = await load.stop();
            figures.push({ ...loaded, run: `${loaded.run} (${started} started)` });
          }
      }

      const writer = app.get(BatchWriterFactory).create(ELECTRICAL_SAMPLES);
      for (const run of runs) {
        const job = nextJob('', run);
        const writes = Array.from({ length: job.messages }, (_, m) => {
          const { machine, samples } = messageOf(job, m);
          return samples.map((s) => ({
            machineId: ids[machine],
            ts: new Date(s.ts),
            current: s.current,
            voltage: s.voltage,
          }));
        });
        let rows = 0;
        const elu = performance.eventLoopUtilization();
        const started = now();
        await windowed(writes.length, IN_FLIGHT, async (w) => {
          const { inserted } = await writer.write(writes[w]);
          rows += inserted;
        });
        const elapsed = now() - started;
        const { utilization } = performance.eventLoopUtilization(elu);
        figures.push(figure('baseline 2: batch writer only', job, rows, elapsed, utilization));
      }
      await writer.close();
    } finally {
      await live.return?.();
      await app.close();
    }
  } finally {
    await broker.stop();
    await db.drop();
  }
  report(figures, brokerName, db.where);
  console.log(`\n(${((Date.now() - startedAt) / 1000).toFixed(0)} s in all)`);
}

function report(figures: Figure[], brokerName: string, where: string): void {
  printTable(
    `Ingestion of electrical readings, QoS 1, ${brokerName}, ${where}, publisher window ${WINDOW}, MQTT_MAX_IN_FLIGHT ${IN_FLIGHT}`,
    figures.map((f) => ({
      run: f.run,
      payload: f.payload,
      messages: count(f.messages),
      done: f.done === f.samples ? 'all' : `${count(f.done)} of ${count(f.samples)} (!)`,
      s: ms(f.seconds),
      'msgs/s': count(f.done / (f.samples / f.messages) / f.seconds),
      'samples/s': count(f.done / f.seconds),
      'main thread busy': `${(f.busy * 100).toFixed(0)}%`,
    })),
  );
  /** Samples per second of the runs so labelled with that payload, pooled; 0 when one stored less than all. */
  const rate = (run: string, perMessage: number) => {
    const matching = figures.filter((x) => x.run.startsWith(run) && x.payload === payloadName(perMessage));
    if (!matching.length || matching.some((f) => f.done !== f.samples)) return 0;
    return matching.reduce((n, f) => n + f.done, 0) / matching.reduce((n, f) => n + f.seconds, 0);
  };
  const single = rate('pipeline (the service)', 1);
  const bare = rate('baseline 1', 1);
  const batched = rate('pipeline (the service)', BATCHED);
  const writer = rate('baseline 2', BATCHED);
  const ratio = bare ? single / bare : 0;
  const withJob = [1, BATCHED].map((perMessage) => ({
    perMessage,
    alone: rate('pipeline without a job', perMessage),
    loaded: rate('pipeline + baseline job', perMessage),
  }));
  const batchedRatio = writer ? batched / writer : 0;
  const verdict = (ok: boolean) => (ok ? 'pass' : 'MISS');
  printTable('Targets (ratios to baselines of this run)', [
    {
      target: `single-sample ≥ ${TARGET_SINGLE_RATIO * 100}% of baseline 1 (bare subscriber)`,
      measured: `${(ratio * 100).toFixed(0)}% (${count(single)} of ${count(bare)} msgs/s)`,
      result: verdict(ratio >= TARGET_SINGLE_RATIO),
    },
    {
      target: `arrays of ${BATCHED} ≥ ${TARGET_BATCHED_RATIO * 100}% of baseline 2 (batch writer alone)`,
      measured: `${(batchedRatio * 100).toFixed(0)}% (${count(batched)} of ${count(writer)} samples/s)`,
      result: verdict(batchedRatio >= TARGET_BATCHED_RATIO),
    },
    ...withJob
      .filter(({ alone, loaded }) => alone > 0 && loaded > 0)
      .map(({ perMessage, alone, loaded }) => {
        return {
          target: `${payloadName(perMessage)} with a baseline job running ≥ 90% of without (issue 13; ${JOB_ROUNDS} runs each, alternated)`,
          measured: `${((loaded / alone) * 100).toFixed(0)}% (${count(loaded)} of ${count(alone)} samples/s)`,
          result: verdict(loaded >= 0.9 * alone),
        };
      }),
  ]);
}

await main();
