/**
 * The MQTT load of the ingestion benchmarks (bench/ingest.ts, bench/ingest-baselines.ts):
 * a publisher in a thread of its own sending electrical readings QoS 1, and the counting of
 * what arrives at the other end. Message m comes from machine m % codes, its samples 10 ms
 * apart, so that no two samples of a run share (machine, ts).
 */
import { randomBytes } from 'node:crypto';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { connectAsync } from 'mqtt';

export interface PublisherJob {
  url: string;
  /** Topics are `<root>/machines/<code>/electrical`. */
  root: string;
  codes: readonly string[];
  messages: number;
  perMessage: number;
  /** The publisher's unacknowledged messages. */
  window: number;
  /** Sample times start here, so that runs never collide on (machine, ts). */
  from: number;
}

export interface PublisherReport {
  firstPublishAt: number;
  lastAckAt: number;
}

export interface BenchSample {
  ts: number;
  current: number;
  voltage: number;
}

const WORKER_TAG = 'plantgraph-bench-publisher';

/** Wall-clock milliseconds with sub-millisecond resolution, comparable between threads. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/** Runs `task(0…total-1)` with at most `window` of them pending. */
export async function windowed(total: number, window: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < total) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(window, total) }, lane));
}

/** Message m of a job: which machine (index into codes) and its samples. */
export function messageOf(
  job: Pick<PublisherJob, 'codes' | 'perMessage' | 'from'>,
  m: number,
): { machine: number; samples: BenchSample[] } {
  const machine = m % job.codes.length;
  const first = Math.floor(m / job.codes.length) * job.perMessage;
  return {
    machine,
    samples: Array.from({ length: job.perMessage }, (_, i) => ({
      ts: job.from + (first + i) * 10,
      current: 100 + ((m + i) % 50) + 0.25,
      voltage: 24 + (i % 8) / 8,
    })),
  };
}

/**
 * Starts the publisher thread; its connection and payloads are ready (not measured) when
 * this resolves. The trigger starts the run and resolves when every publish was acknowledged.
 */
export async function startPublisher(job: PublisherJob): Promise<() => Promise<PublisherReport>> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { [WORKER_TAG]: job } });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return () =>
    new Promise<PublisherReport>((resolve, reject) => {
      worker.once('message', (report: PublisherReport) => resolve(report));
      worker.once('error', reject);
      worker.postMessage('go');
    });
}

/** Counts arrivals; `done` resolves at the `expected`-th unit, or when they stop coming for `idleLimitMs`. */
export function arrivals(expected: number, idleLimitMs: number) {
  let received = 0;
  let lastAt = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // The first arrival may wait for the publisher thread to start.
  let idle = setTimeout(finish, idleLimitMs * 3);
  return {
    add(units = 1) {
      received += units;
      lastAt = now();
      clearTimeout(idle);
      if (received >= expected) finish();
      else idle = setTimeout(finish, idleLimitMs);
    },
    done: done.then(() => {
      clearTimeout(idle);
      return { received, lastAt };
    }),
  };
}

async function publisherThread(job: PublisherJob): Promise<void> {
  const client = await connectAsync(job.url, {
    clientId: `bench-pub-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
  });
  const payloads = Array.from({ length: job.messages }, (_, m) => {
    const { machine, samples } = messageOf(job, m);
    return {
      topic: `${job.root}/machines/${job.codes[machine]}/electrical`,
      payload: JSON.stringify(job.perMessage === 1 ? samples[0] : samples),
    };
  });
  parentPort!.postMessage('ready');
  await new Promise((resolve) => parentPort!.once('message', resolve));
  const firstPublishAt = now();
  await windowed(job.messages, job.window, (m) =>
    client.publishAsync(payloads[m].topic, payloads[m].payload, { qos: 1 }),
  );
  const report: PublisherReport = { firstPublishAt, lastAckAt: now() };
  await client.endAsync();
  parentPort!.postMessage(report);
}

const job = isMainThread ? undefined : (workerData as Record<string, PublisherJob> | undefined)?.[WORKER_TAG];
if (job) await publisherThread(job);
