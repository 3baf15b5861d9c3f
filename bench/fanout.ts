/**
 * Live fan-out through the real service, as dashboards see it: N graphql-ws subscribers, each
 * on `axisSampleAdded` of one machine and one axis (subscriber i: machine i mod 20, axis
 * ⌊i / 20⌋ mod 5, so 100 distinct subscriptions), while a deterministic PlantSimulator publishes
 * 20 CNC machines × 5 axes at 10 Hz over MQTT (QoS 1, 200 messages/s, 1,000 samples/s). Every
 * message's `ts` is its publish time, so a subscriber's now − ts is the latency publish →
 * broker → service (validate, store, commit, PubSub, GraphQL) → graphql-ws → subscriber.
 * Every subscriber must receive every sample of its machine and axis published in the
 * measured window: what has not arrived once nothing more arrives for 2 s (or 15 s after the
 * last publish) counts as lost. Deliveries/s counts what arrived during the window (of any
 * sample): at saturation, what the server managed to deliver while its backlog grew.
 *
 * Baseline in the same run: a bare graphql-ws server (graphql-ws/use/ws + ws + graphql-js, the
 * same AxisSample shape, graphql-subscriptions' in-memory PubSub), without Nest, storage or
 * authentication, executing and serialising per subscriber as graphql-ws does. It publishes on
 * one topic per machine and axis, so that no subscriber is handed events it would filter out
 * (withFilter on a single topic saturated a core at 200 subscribers). It is fed from the same
 * broker by the same simulator (on its own root topic), so both pay the broker hop; only the
 * service also stores every sample before publishing it.
 *
 * The servers take turns on the main thread. The subscribers (graphql-ws client over ws; the
 * client parses with JSON.parse) run in one worker thread, the simulator (and aedes when no
 * mosquitto binary is installed) in another: the load generator does not share the servers'
 * event loop, but it does share the 2 cores. Each thread's event-loop utilisation over the
 * window is printed; a client worker near 100 % would inflate every latency.
 *
 * Not a test: run with `npm run bench:fanout` (NODE_ENV=production, as the service runs).
 *
 *   --subscribers 1000,5000  --seconds S (20)  --per-socket K (1: one socket per subscriber)  --service-only
 */
import 'reflect-metadata';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { Logger } from '@nestjs/common';
import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLFloat,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import { PubSub as MemoryPubSub } from 'graphql-subscriptions';
import { createClient, type Client } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { connectAsync, type MqttClient } from 'mqtt';
import WebSocket, { WebSocketServer } from 'ws';
import { createApp } from '../src/bootstrap.js';
import { loadConfig } from '../src/config/app-config.js';
import { MachinesService } from '../src/machines/application/machines.service.js';
import { startEmbeddedBroker } from '../src/shared/embedded/embedded-broker.js';
import { MetricsService } from '../src/shared/observability/metrics.service.js';
import { PubSub } from '../src/shared/pubsub/pub-sub.js';
import { PlantSimulator } from '../src/simulator/plant-simulator.js';
import type { AxesPayload } from '../src/simulator/simulator-messages.js';
import { count, machineLine, option, printTable } from './figures.js';
import { startPrivateMosquitto } from './private-mosquitto.js';
import { openScratchDatabase } from './scratch-database.js';

const MACHINES = 20;
const AXES = ['X', 'Y', 'Z', 'A', 'C'] as const;
const SECONDS = option('seconds', 20);
const PER_SOCKET = option('per-socket', 1);
const SUBSCRIBERS = listOption('subscribers', [1000, 5000]);
const SERVERS = process.argv.includes('--service-only') ? ['service'] : ['service', 'bare graphql-ws'];
const ADMIN = { email: 'admin@plantgraph.local', password: 'bench-password-1' };
/** Latencies are counted in 1 ms buckets up to this; beyond, in the last one (max is kept exactly). */
const HISTOGRAM_MS = 60_000;
/** After the last publish: what has not arrived when nothing more arrives for STALLED_MS, or after DRAIN_MS, is lost. */
const DRAIN_MS = 15_000;
const STALLED_MS = 2_000;
/** Publishing runs this long before the window opens (broker sessions, first batches). */
const WARM_UP_MS = 1_000;
const CONNECT_CONCURRENCY = 250;

const AXIS_ADDED = `subscription($codes: [String!], $axes: [SampleAxis!]) {
  axisSampleAdded(machineCodes: $codes, axes: $axes) {
    machineCode axis ts actual target distanceToGo velocity acceleration homed
  }
}`;

interface AxisSample {
  machineCode: string;
  axis: string;
  ts: string;
}

interface Window {
  t0: number;
  t1: number;
}

function listOption(name: string, fallback: number[]): number[] {
  const index = process.argv.indexOf(`--${name}`);
  if (index < 0) return fallback;
  const values = process.argv[index + 1].split(',').map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 0))
    throw new Error(`--${name}: positive integers, e.g. 1000,5000`);
  return values;
}

const codeOf = (machine: number) => `cnc-${String(machine + 1).padStart(2, '0')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// ---------------------------------------------------------------------------------------
// Worker plumbing: each worker answers { id, type, args } with { id, result } or { id, error }.

type Handlers = Record<string, (args: never) => unknown>;

function serve(handlers: Handlers): void {
  parentPort!.on('message', async ({ id, type, args }: { id: number; type: string; args: never }) => {
    try {
      parentPort!.postMessage({ id, result: await handlers[type](args) });
    } catch (error) {
      parentPort!.postMessage({ id, error: (error as Error).stack ?? String(error) });
    }
  });
}

function connectWorker(role: 'clients' | 'devices') {
  const worker = new Worker(new URL(import.meta.url), { workerData: { role } });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 0;
  worker.on('message', ({ id, result, error }: { id: number; result?: unknown; error?: string }) => {
    const call = pending.get(id)!;
    pending.delete(id);
    if (error) call.reject(new Error(`${role} worker: ${error}`));
    else call.resolve(result);
  });
  worker.on('error', (error) => {
    for (const call of pending.values()) call.reject(error);
  });
  return {
    call: <T>(type: string, args?: unknown) =>
      new Promise<T>((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        worker.postMessage({ id, type, args });
      }),
    terminate: () => worker.terminate(),
  };
}

/** Event-loop utilisation of this thread between t0 and t1, measured by timers set now. */
function loopUtilisation({ t0, t1 }: Window): Promise<number> {
  return new Promise((resolve) =>
    setTimeout(
      () => {
        const start = performance.eventLoopUtilization();
        setTimeout(() => resolve(performance.eventLoopUtilization(start).utilization), t1 - Date.now());
      },
      Math.max(0, t0 - Date.now()),
    ),
  );
}

// ---------------------------------------------------------------------------------------
// Subscribers (worker): graphql-ws clients, latency histogram, counts per subscriber.

interface ClientsReport {
  /** Latencies of the samples published in the window, in 1 ms buckets. */
  histogram: Uint32Array;
  max: number;
  /** Per subscriber: samples published in the window that arrived. */
  received: Uint32Array;
  /** Deliveries (of any sample) that arrived during the window: the throughput. */
  arrivals: number;
  /** Samples of another machine or axis than the subscriber asked for. */
  foreign: number;
  errors: number;
  firstError?: string;
  loopUtilisation: number;
}

function clientsWorker(): void {
  const fresh = (subscribers: number) => ({
    histogram: new Uint32Array(HISTOGRAM_MS + 1),
    max: 0,
    received: new Uint32Array(subscribers),
    arrivals: 0,
    foreign: 0,
    errors: 0,
    firstError: undefined as string | undefined,
    inWindow: 0,
    window: { t0: Infinity, t1: -Infinity } as Window,
    utilisation: Promise.resolve(0),
  });
  let state = fresh(0);
  let clients: Client[] = [];

  const failed = (error: unknown) => {
    state.errors++;
    state.firstError ??= error instanceof Error ? error.message : JSON.stringify(error);
  };

  function subscribe(client: Client, index: number): void {
    const code = codeOf(index % MACHINES);
    const axis = AXES[Math.floor(index / MACHINES) % AXES.length];
    client.subscribe<{ axisSampleAdded: AxisSample }>(
      { query: AXIS_ADDED, variables: { codes: [code], axes: [axis] } },
      {
        next: (result) => {
          const sample = result.data?.axisSampleAdded;
          if (!sample) return failed(result.errors);
          const now = Date.now();
          const s = state;
          if (sample.machineCode !== code || sample.axis !== axis) s.foreign++;
          if (now >= s.window.t0 && now < s.window.t1) s.arrivals++;
          const ts = Date.parse(sample.ts);
          if (ts < s.window.t0 || ts >= s.window.t1) return;
          const latency = now - ts;
          s.histogram[Math.min(Math.max(latency, 0), HISTOGRAM_MS)]++;
          if (latency > s.max) s.max = latency;
          s.received[index]++;
          s.inWindow++;
        },
        error: failed,
        complete: () => undefined,
      },
    );
  }

  function connect(url: string, token: string): Promise<Client> {
    return new Promise((resolve) => {
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` },
        on: { connected: () => resolve(client) },
        onNonLazyError: failed,
      });
    });
  }

  serve({
    async connect({ url, token, subscribers, perSocket }: { url: string; token: string } & Record<string, number>) {
      state = fresh(subscribers);
      const started = performance.now();
      const sockets = Math.ceil(subscribers / perSocket);
      // In waves, each subscribing once connected: every connection_init and every subscribe
      // resolves the caller in the database, and a burst of thousands would queue past the
      // pool's 5 s acquire timeout (answered as UNAUTHENTICATED).
      let subscribed = 0;
      while (clients.length < sockets) {
        const batch = Math.min(CONNECT_CONCURRENCY, sockets - clients.length);
        clients.push(...(await Promise.all(Array.from({ length: batch }, () => connect(url, token)))));
        for (; subscribed < Math.min(subscribers, clients.length * perSocket); subscribed++)
          subscribe(clients[Math.floor(subscribed / perSocket)], subscribed);
      }
      return performance.now() - started;
    },
    window(window: Window) {
      state.window = window;
      state.utilisation = loopUtilisation(window);
    },
    progress: () => state.inWindow,
    errors: () => [state.errors, state.firstError],
    async report(): Promise<ClientsReport> {
      const { histogram, max, received, arrivals, foreign, errors, firstError } = state;
      return {
        histogram,
        max,
        received,
        arrivals,
        foreign,
        errors,
        firstError,
        loopUtilisation: await state.utilisation,
      };
    },
    async close() {
      await Promise.all(clients.map((client) => client.dispose()));
      clients = [];
    },
  });
}

// ---------------------------------------------------------------------------------------
// Devices (worker): the simulator publishing axes messages, ts = publish time.

function devicesWorker(): void {
  let client: MqttClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let window: Window = { t0: Infinity, t1: Infinity };
  let published: Record<string, number> = {};
  let finished: Promise<void> = Promise.resolve();
  let embedded: { url: string; stop(): Promise<void> } | undefined;

  serve({
    async broker() {
      embedded = await startEmbeddedBroker(0);
      return embedded.url;
    },
    async start({ url, root }: { url: string; root: string }) {
      client = await connectAsync(url, { clientId: `bench-devices-${process.pid}`, protocolVersion: 4, clean: true });
      const simulator = new PlantSimulator({
        seed: 7,
        startTime: Date.now(),
        cncCount: MACHINES,
        weldingCount: 0,
        rootTopic: root,
      });
      window = { t0: Infinity, t1: Infinity };
      published = {};
      const last = new Map<string, number>();
      let done!: () => void;
      finished = new Promise<void>((resolve) => (done = resolve));
      const tick = () => {
        for (const message of simulator.advanceTo(Date.now())) {
          if (message.kind !== 'axes') continue;
          // Publish time, unique per machine (the service drops a repeated (machine, ts) as a duplicate).
          const ts = Math.max(Date.now(), (last.get(message.code) ?? 0) + 1);
          if (ts >= window.t1) return done();
          last.set(message.code, ts);
          const payload: AxesPayload = { ...message.payload, ts };
          if (ts >= window.t0) published[message.code] = (published[message.code] ?? 0) + 1;
          client!.publish(message.topic, JSON.stringify(payload), { qos: 1 });
        }
        timer = setTimeout(tick, Math.max(0, simulator.nextDueTime() - Date.now()));
      };
      tick();
    },
    window(next: Window) {
      window = next;
    },
    async finished() {
      await finished;
      clearTimeout(timer);
      await client?.endAsync();
      return published;
    },
    async stop() {
      await embedded?.stop();
    },
  });
}

// ---------------------------------------------------------------------------------------
// The bare graphql-ws baseline.

interface BareSample {
  machineCode: string;
  axis: string;
  ts: Date;
  actual: number;
  target: number;
  distanceToGo: number;
  velocity: number;
  acceleration: number;
  homed: boolean;
}

/** One topic per machine and axis: no subscriber is handed events that it would then filter out. */
const bareTopic = (code: string, axis: string) => `axisSampleAdded.${code}.${axis}`;

function bareSchema(pubsub: MemoryPubSub): GraphQLSchema {
  const codes = Array.from({ length: MACHINES }, (_, i) => codeOf(i));
  const float = { type: new GraphQLNonNull(GraphQLFloat) };
  const dateTime = new GraphQLScalarType({ name: 'DateTime', serialize: (value) => (value as Date).toISOString() });
  const sampleAxis = new GraphQLEnumType({ name: 'SampleAxis', values: Object.fromEntries(AXES.map((a) => [a, {}])) });
  const axisSample = new GraphQLObjectType({
    name: 'AxisSample',
    fields: {
      machineCode: { type: new GraphQLNonNull(GraphQLString) },
      axis: { type: new GraphQLNonNull(sampleAxis) },
      ts: { type: new GraphQLNonNull(dateTime) },
      actual: float,
      target: float,
      distanceToGo: float,
      velocity: float,
      acceleration: float,
      homed: { type: new GraphQLNonNull(GraphQLBoolean) },
    },
  });
  type Args = { machineCodes?: string[] | null; axes?: string[] | null };
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        axisSampleAdded: {
          type: new GraphQLNonNull(axisSample),
          args: {
            machineCodes: { type: new GraphQLList(new GraphQLNonNull(GraphQLString)) },
            axes: { type: new GraphQLList(new GraphQLNonNull(sampleAxis)) },
          },
          subscribe: (_root: unknown, args: Args) =>
            pubsub.asyncIterableIterator(
              (args.machineCodes?.length ? args.machineCodes : codes).flatMap((code) =>
                (args.axes?.length ? args.axes : AXES).map((axis) => bareTopic(code, axis)),
              ),
            ),
          resolve: (sample: unknown) => sample,
        },
      },
    }),
  });
}

async function startBareServer(mqttUrl: string, root: string) {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const pubsub = new MemoryPubSub({ eventEmitter: emitter });
  const server = http.createServer();
  const wss = new WebSocketServer({ server, path: '/graphql' });
  let subscriptions = 0;
  const graphqlWs = useServer(
    {
      schema: bareSchema(pubsub),
      onOperation: () => void subscriptions++,
      onComplete: () => void subscriptions--,
    },
    wss,
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const mqtt = await connectAsync(mqttUrl, { clientId: `bench-bare-${process.pid}`, protocolVersion: 4, clean: true });
  mqtt.on('message', (topic, body) => {
    const machineCode = topic.split('/')[2];
    const { ts, axes } = JSON.parse(body.toString()) as AxesPayload;
    const at = new Date(ts);
    for (const [axis, r] of Object.entries(axes))
      void pubsub.publish(bareTopic(machineCode, axis), {
        machineCode,
        axis,
        ts: at,
        actual: r.actual,
        target: r.target,
        distanceToGo: r.target - r.actual,
        velocity: r.velocity,
        acceleration: r.acceleration,
        homed: r.homed,
      } satisfies BareSample);
  });
  await mqtt.subscribeAsync(`${root}/machines/+/axes`, { qos: 1 });
  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    subscriptions: () => subscriptions,
    close: async () => {
      await mqtt.endAsync();
      await graphqlWs.dispose();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------
// The run.

type WorkerLink = ReturnType<typeof connectWorker>;

interface Target {
  name: string;
  url: string;
  root: string;
  /** Subscriptions the server is running now. */
  subscriptions(): Promise<number>;
  /** Events the server chose not to send to clients that could not keep up, so far. */
  dropped?(): Promise<number>;
}

function percentile(histogram: Uint32Array, total: number, p: number): number {
  const rank = Math.ceil(total * p);
  let seen = 0;
  for (let ms = 0; ms < histogram.length; ms++) if ((seen += histogram[ms]) >= rank) return ms;
  return histogram.length - 1;
}

async function until(probe: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

interface Measured {
  subscribers: number;
  connectMs: number;
  published: Record<string, number>;
  report: ClientsReport;
  serverLoop: number;
  serverDrops?: number;
  cpuShare: number;
}

/** One server under one load: connect, publish through the window, drain, disconnect. */
async function phase(
  target: Target,
  subscribers: number,
  token: string,
  mqttUrl: string,
  clients: WorkerLink,
  devices: WorkerLink,
): Promise<Measured> {
  const connectMs = await clients.call<number>('connect', {
    url: target.url,
    token,
    subscribers,
    perSocket: PER_SOCKET,
  });
  // graphql-ws does not acknowledge a subscribe: the server's own count says when all run.
  await until(
    async () => {
      const [errors, first] = await clients.call<[number, string?]>('errors');
      if (errors) throw new Error(`${target.name}: ${errors} subscriptions failed, the first: ${first}`);
      return (await target.subscriptions()) >= subscribers;
    },
    60_000,
    `${target.name} subscriptions`,
  );
  await devices.call('start', { url: mqttUrl, root: target.root });
  const window = { t0: Date.now() + WARM_UP_MS, t1: Date.now() + WARM_UP_MS + SECONDS * 1000 };
  const serverLoop = loopUtilisation(window);
  const dropsBefore = await target.dropped?.();
  const [cpuBefore, cpuFrom] = [process.cpuUsage(), performance.now()];
  await Promise.all([clients.call('window', window), devices.call('window', window)]);
  const published = await devices.call<Record<string, number>>('finished');
  const cpu = process.cpuUsage(cpuBefore);
  let expected = 0;
  for (let i = 0; i < subscribers; i++) expected += published[codeOf(i % MACHINES)] ?? 0;
  await drain(clients, expected);
  const report = await clients.call<ClientsReport>('report');
  if (report.errors) console.log(`  ${target.name}: ${report.errors} errors, the first: ${report.firstError}`);
  await clients.call('close');
  await until(async () => (await target.subscriptions()) === 0, 30_000, `${target.name} to release`);
  return {
    subscribers,
    connectMs,
    published,
    report,
    serverLoop: await serverLoop,
    serverDrops: dropsBefore === undefined ? undefined : (await target.dropped!()) - dropsBefore,
    // Over the time it took, which a saturated main thread stretches past the window.
    cpuShare: (cpu.user + cpu.system) / 1000 / (performance.now() - cpuFrom),
  };
}

/** Until everything arrived, or nothing more arrives for a while (capped). */
async function drain(clients: WorkerLink, expected: number): Promise<void> {
  const deadline = Date.now() + DRAIN_MS;
  for (let arrived = -1, stalledSince = Date.now(); Date.now() < deadline; await sleep(100)) {
    const now = await clients.call<number>('progress');
    if (now >= expected || Date.now() - stalledSince > STALLED_MS) return;
    if (now > arrived) [arrived, stalledSince] = [now, Date.now()];
  }
}

/** Deliveries the subscribers were due, got, and did not get (lost). */
function tally(m: Measured): { expected: number; arrived: number; lost: number } {
  let [expected, arrived, lost] = [0, 0, 0];
  for (let i = 0; i < m.subscribers; i++) {
    const due = m.published[codeOf(i % MACHINES)] ?? 0;
    expected += due;
    arrived += m.report.received[i];
    lost += Math.max(0, due - m.report.received[i]);
  }
  return { expected, arrived, lost };
}

/**
 * The service against the bare graphql-ws server at each subscriber count: deliveries/s
 * ratio. Target: at 5,000 subscribers, ≥ 3× the bare server's saturated rate with nothing lost.
 */
function targets(measured: ReadonlyArray<{ server: string; m: Measured }>): Array<Record<string, string>> {
  const counts = [...new Set(measured.map((x) => x.m.subscribers))];
  return counts.flatMap((subscribers) => {
    const of = (server: string) => measured.find((x) => x.server === server && x.m.subscribers === subscribers)?.m;
    const [service, bare] = [of('service'), of('bare graphql-ws')];
    if (!service || !bare) return [];
    const rate = (m: Measured) => m.report.arrivals / SECONDS;
    const ratio = rate(service) / Math.max(rate(bare), 1);
    const lost = tally(service).lost;
    const judged = subscribers >= 5000;
    return [
      {
        subscribers: count(subscribers),
        'service deliveries/s': count(rate(service)),
        'bare deliveries/s': count(rate(bare)),
        ratio: `${ratio.toFixed(1)}×`,
        'service lost': count(lost),
        target: judged ? '≥ 3× and 0 lost' : '— (information)',
        result: judged ? (ratio >= 3 && lost === 0 ? 'pass' : 'MISS') : '-',
      },
    ];
  });
}

function row(server: string, m: Measured): Record<string, string> {
  const { report, subscribers } = m;
  const { expected, arrived, lost } = tally(m);
  const published = Object.values(m.published).reduce((a, b) => a + b, 0) * AXES.length;
  return {
    server,
    subscribers: count(subscribers),
    'connect s': (m.connectMs / 1000).toFixed(1),
    'samples published': count(published),
    'expected deliveries': count(expected),
    'p50 ms': String(percentile(report.histogram, arrived, 0.5)),
    'p99 ms': String(percentile(report.histogram, arrived, 0.99)),
    'max ms': String(report.max),
    'deliveries/s': count(report.arrivals / SECONDS),
    lost: count(lost),
    'server drops': m.serverDrops === undefined ? '-' : count(m.serverDrops),
    'wrong/errors': `${report.foreign}/${report.errors}`,
    'server loop': `${Math.round(m.serverLoop * 100)} %`,
    'client loop': `${Math.round(report.loopUtilisation * 100)} %`,
    'client µs/delivery': ((report.loopUtilisation * SECONDS * 1e6) / Math.max(report.arrivals, 1)).toFixed(1),
    'process CPU': `${Math.round(m.cpuShare * 100)} %`,
  };
}

async function main(): Promise<void> {
  Logger.overrideLogger(['error']);
  const startedAt = Date.now();
  const db = await openScratchDatabase();
  const clients = connectWorker('clients');
  const devices = connectWorker('devices');
  const mosquitto = await startPrivateMosquitto();
  const mqttUrl = mosquitto?.url ?? (await devices.call<string>('broker'));
  const brokerName = mosquitto ? 'private mosquitto' : 'aedes (in the devices worker)';
  const app = await createApp(
    loadConfig({
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      MQTT_CLIENT_ID: `bench-${process.pid}`,
      SIMULATOR: 'false',
      LOG_LEVEL: 'error',
      LOG_PRETTY: 'false',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    }),
  );
  await app.listen(0, '127.0.0.1');
  const httpUrl = `${(await app.getUrl()).replace('[::1]', '127.0.0.1')}/graphql`;
  const machines = app.get(MachinesService);
  for (const machine of new PlantSimulator({ cncCount: MACHINES, weldingCount: 0 }).machines)
    if (machine.kind === 'cnc')
      await machines.create({
        code: machine.code,
        name: machine.name,
        model: machine.model,
        maker: machine.maker,
        capacityAmps: machine.capacityAmps,
        axes: machine.axes,
      });
  const login = await fetch(httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }',
      variables: { i: ADMIN },
    }),
  });
  const token = ((await login.json()) as { data: { login: { accessToken: string } } }).data.login.accessToken;
  const pubsub = app.get(PubSub);
  const idle = pubsub.activeSubscriptions();
  const metrics = app.get(MetricsService);
  const service: Target = {
    name: 'service',
    url: httpUrl.replace(/^http/, 'ws'),
    root: 'plant',
    // Subscribers sharing execution, and those on graphql-js's own path (one PubSub iterator each).
    subscriptions: async () => {
      const metric = metrics.registry.getSingleMetric('plantgraph_graphql_shared_subscriptions');
      const values = metric ? (await metric.get()).values : [];
      const shared = (state: string) => values.find((v) => v.labels.state === state)?.value ?? 0;
      return shared('subscribers') + pubsub.activeSubscriptions() - idle - shared('groups');
    },
    dropped: async () => {
      let total = 0;
      for (const name of ['plantgraph_graphql_shared_events_dropped_total', 'plantgraph_live_samples_dropped_total']) {
        const metric = metrics.registry.getSingleMetric(name);
        total += metric ? ((await metric.get()).values[0]?.value ?? 0) : 0;
      }
      return total;
    },
  };
  const bareServer = await startBareServer(mqttUrl, 'bare');
  const bare: Target = {
    name: 'bare graphql-ws',
    url: bareServer.url,
    root: 'bare',
    subscriptions: async () => bareServer.subscriptions(),
  };

  const rows: Array<Record<string, string>> = [];
  const measured: Array<{ server: string; m: Measured }> = [];
  try {
    for (const subscribers of SUBSCRIBERS)
      for (const target of [service, bare].filter((t) => SERVERS.includes(t.name))) {
        const m = await phase(target, subscribers, token, mqttUrl, clients, devices);
        measured.push({ server: target.name, m });
        rows.push(row(target.name, m));
        printTable(`${target.name}, ${count(subscribers)} subscribers`, rows.slice(-1));
      }
    // Every subscription of the run has ended: the service's PubSub must hold what it held before.
    await until(async () => pubsub.activeSubscriptions() === idle, 10_000, 'the PubSub listeners to be released');
  } finally {
    await bareServer.close();
    await app.close();
    await devices.call('stop');
    await clients.terminate();
    await devices.terminate();
    await mosquitto?.stop();
    await db.drop();
  }
  printTable(
    `Live fan-out, axisSampleAdded(one machine, one axis) per subscriber, 20 machines × 5 axes at 10 Hz, ` +
      `${SECONDS} s window, ${PER_SOCKET} subscription(s) per socket; ${brokerName}, ${db.where}; ${machineLine()}`,
    rows,
  );
  printTable('Targets (the service against the bare graphql-ws server of this run)', targets(measured));
  console.log(`\n(whole run ${Math.round((Date.now() - startedAt) / 1000)} s)`);
}

if (isMainThread) await main();
else if ((workerData as { role: string }).role === 'clients') clientsWorker();
else devicesWorker();
