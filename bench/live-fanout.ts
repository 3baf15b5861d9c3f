/**
 * What does it cost to fan live samples out to many subscribers, and does publishing one
 * PubSub event per machine per committed batch (what LiveTelemetry does) beat one event per
 * sample? Drives the in-memory PubSub and the SampleStream of every subscriber the way
 * graphql-ws consumes them (for await), then adds what each subscriber's delivery costs in
 * GraphQL (execute the selection set, serialise the message). Not a test; prints medians.
 *
 *   --subscribers S (1000, a multiple of 20)  --samples N (20000, a multiple of 20)  --per-event K (10)  --rounds R (3)
 */
import { EventEmitter } from 'node:events';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { buildSchema, execute, parse } from 'graphql';
import { PubSub } from '../src/shared/pubsub/pub-sub.js';
import type { SamplesAdded } from '../src/shared/ingestion/sample-kind.js';
import { SampleStream } from '../src/shared/ingestion/sample-stream.js';
import { count, machineLine, median, option, printTable } from './figures.js';

interface Sample {
  machineId: number;
  machineCode: string;
  ts: Date;
  current: number;
  voltage: number;
}

const SUBSCRIBERS = option('subscribers', 1000);
const SAMPLES = option('samples', 20_000);
const PER_EVENT = option('per-event', 10);
const ROUNDS = option('rounds', 3);
const MACHINES = 20;
const TOPIC = 'bench.electrical';

function samples(): Sample[] {
  return Array.from({ length: SAMPLES }, (_, i) => ({
    machineId: i % MACHINES,
    machineCode: `M${i % MACHINES}`,
    ts: new Date(1_700_000_000_000 + i),
    current: i,
    voltage: 1,
  }));
}

/** Events as published: each sample alone, or a machine's K samples in one event. */
function events(all: Sample[], perEvent: number): SamplesAdded<Sample>[] {
  const byMachine = new Map<number, Sample[]>();
  for (const sample of all) byMachine.set(sample.machineId, [...(byMachine.get(sample.machineId) ?? []), sample]);
  const out: SamplesAdded<Sample>[] = [];
  for (const [machineId, list] of byMachine)
    for (let i = 0; i < list.length; i += perEvent)
      out.push({ sourceId: machineId, sourceCode: list[i].machineCode, samples: list.slice(i, i + perEvent) });
  return out;
}

/** Publishes every event, and resolves once every subscriber consumed what its filter lets through. */
async function fanOut(
  published: SamplesAdded<Sample>[],
  filtered: boolean,
): Promise<{ ms: number; delivered: number }> {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const pubsub = new PubSub(new MemoryEngine({ eventEmitter: emitter }));
  let delivered = 0;
  const streams = Array.from({ length: SUBSCRIBERS }, (_, i) => {
    const stream = new SampleStream<Sample>(pubsub.subscribe<SamplesAdded<Sample>>(TOPIC), {
      sourceCodes: filtered ? new Set([`M${i % MACHINES}`]) : undefined,
      key: (s) => s.machineId,
      maxQueued: Number.MAX_SAFE_INTEGER,
      onDropped: () => undefined,
    });
    const consumed = (async () => {
      for await (const _ of stream) delivered++;
    })();
    return { stream, consumed };
  });
  const expected = filtered ? (SAMPLES / MACHINES) * SUBSCRIBERS : SAMPLES * SUBSCRIBERS;
  const started = performance.now();
  for (const event of published) await pubsub.publish(TOPIC, event);
  while (delivered < expected) await new Promise((resolve) => setImmediate(resolve));
  const ms = performance.now() - started;
  await Promise.all(streams.map((s) => s.stream.return()));
  await Promise.all(streams.map((s) => s.consumed));
  return { ms, delivered };
}

/** What graphql-ws does per subscriber per event: execute the selection set on the payload, serialise the message. */
function graphqlDeliveryMicros(sample: Sample): number {
  const schema = buildSchema(`
    type ElectricalSample { machineCode: String! ts: String! current: Float! voltage: Float! }
    type Query { ok: Boolean }
    type Subscription { electricalSampleAdded: ElectricalSample! }`);
  const document = parse('subscription { electricalSampleAdded { machineCode ts current voltage } }');
  const rootValue = { electricalSampleAdded: { ...sample, ts: sample.ts.toISOString() } };
  const runs = 20_000;
  for (let i = 0; i < 2000; i++) execute({ schema, document, rootValue });
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const result = execute({ schema, document, rootValue });
    JSON.stringify({ id: 'x', type: 'next', payload: result });
  }
  return ((performance.now() - started) * 1000) / runs;
}

const all = samples();
const rows: Array<Record<string, string>> = [];
for (const filtered of [false, true])
  for (const perEvent of [1, PER_EVENT]) {
    const published = events(all, perEvent);
    const times: number[] = [];
    let delivered = 0;
    for (let round = 0; round <= ROUNDS; round++) {
      const result = await fanOut(published, filtered);
      if (round > 0) times.push(result.ms);
      delivered = result.delivered;
    }
    const ms = median(times);
    rows.push({
      subscribers: `${count(SUBSCRIBERS)}${filtered ? ', one machine each' : ', every machine'}`,
      'samples per event': String(perEvent),
      'events published': count(published.length),
      'samples delivered': count(delivered),
      'µs per delivered sample': ((ms * 1000) / delivered).toFixed(3),
      'deliveries/s': count(delivered / (ms / 1000)),
    });
  }

printTable(
  `Live fan-out through PubSub + SampleStream, ${count(SAMPLES)} samples of ${MACHINES} machines, median of ${ROUNDS} rounds; ${machineLine()}`,
  rows,
);
printTable('GraphQL delivery per subscriber per sample (graphql-js execute + JSON.stringify)', [
  { 'µs per delivery': graphqlDeliveryMicros(all[0]).toFixed(2) },
]);
