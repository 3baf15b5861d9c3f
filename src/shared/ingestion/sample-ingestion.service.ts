import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { BatchWriterFactory } from '../database/batch-writer.factory.js';
import { BatchRowsRejectedError } from '../database/batch-writer.js';
import { Transactions } from '../database/transactions.js';
import { MalformedMessageError, type InboundMessage } from '../mqtt/inbound-message.js';
import { MqttService } from '../mqtt/mqtt.service.js';
import { LogThrottle } from '../observability/log-throttle.js';
import { MetricsService } from '../observability/metrics.service.js';
import { KeyOwnership } from '../ownership/key-ownership.service.js';
import { PubSub } from '../pubsub/pub-sub.js';
import { DEFAULT_DERIVED_STATE_SETTINGS, DerivedStateRunner } from './derived-state-runner.js';
import { LatestSamples } from './latest-samples.js';
import { PartitionMaintenanceService } from './partition-maintenance.service.js';
import type { LiveSample, SampleKind, SamplesAdded, UnregisteredKey } from './sample-kind.js';
import { SamplePipeline } from './sample-pipeline.js';
import { SampleTableRepositories, type SampleTableRepository } from './sample-table.repository.js';
import { UnregisteredSources } from './unregistered-sources.service.js';

/** What a context keeps of a registered kind: its latest values, its stored samples, its derived-state runners. */
export interface IngestedKind<S extends { ts: Date }> {
  readonly latest: LatestSamples<S>;
  readonly stored: SampleTableRepository<S>;
  /** By stage name. */
  readonly derived: ReadonlyMap<string, DerivedStateRunner<S>>;
}

/** Committed samples of sources that another replica owns, on their way to it (see `derive`). */
interface HandOff<S> {
  origin: string;
  samples: S[];
}

interface Entry<R, S extends { ts: Date }, Src> extends IngestedKind<S> {
  kind: SampleKind<R, S, Src>;
  pipeline: SamplePipeline<S>;
  runners: DerivedStateRunner<S>[];
  handOffTopic: string;
  partOf(sample: S): string;
}

/** The throttle key of refusals for want of a source: one log line a minute, whatever the number of codes. */
const UNREGISTERED_LOG_KEY = 'unregistered sources';

/**
 * The one ingestion path of every sample kind (PROTOCOLS.md section A; ARCHITECTURE.md,
 * "The ingestion path"). For each message of a kind's topic:
 *
 *   parse (the kind's parser) → look up the source (unknown: listed as unregistered,
 *   refused) → samples → batch writer (one INSERT … ON CONFLICT DO NOTHING per batch) →
 *   once committed, the new samples go through the post-commit stages, in this order:
 *
 *     1. derive  the kind's derived-state stages, for sources this process owns; those of
 *                sources another replica owns are handed to it over the PubSub. Queued:
 *                waits only when far behind (derived-state-runner.ts).
 *     2. latest  the newest value per source in memory (first paint).
 *     3. live    one PubSub event per source for subscriptions; not awaited (best effort:
 *                a slow Redis must not hold back acknowledging what is stored).
 *
 *   → the message is acknowledged (the handler resolves). Every refusal is one
 *   MalformedMessageError that shared/mqtt counts by reason and acknowledges.
 */
@Injectable()
export class SampleIngestion implements OnModuleDestroy {
  private readonly logger = new Logger(SampleIngestion.name);
  private readonly leftOutLog = new LogThrottle(60_000);
  private readonly publishLog = new LogThrottle(60_000);
  private readonly entries: Entry<unknown, { ts: Date }, unknown>[] = [];
  private readonly byName = new Map<string, IngestedKind<{ ts: Date }>>();
  private readonly followed: AsyncIterableIterator<unknown>[] = [];
  private readonly metrics: ReturnType<typeof declareMetrics>;

  constructor(
    private readonly mqtt: MqttService,
    private readonly writers: BatchWriterFactory,
    private readonly tables: SampleTableRepositories,
    private readonly pubsub: PubSub,
    private readonly unregistered: UnregisteredSources,
    private readonly partitions: PartitionMaintenanceService,
    private readonly ownership: KeyOwnership,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.metrics = declareMetrics(metrics);
  }

  /**
   * Makes a kind live: partitions, latest values and derived state are loaded before this
   * resolves, and the MQTT route is added. Call from the context's onModuleInit, so that all
   * of it is ready before the MQTT connection opens.
   */
  async register<R, S extends { ts: Date }, Src>(kind: SampleKind<R, S, Src>): Promise<IngestedKind<S>> {
    const partOf = kind.partOf ?? (() => '');
    const stored = this.tables.create(kind.table);
    const writer = this.writers.create(kind.table);
    if (this.byName.has(kind.name)) throw new Error(`Sample kind ${kind.name} is registered twice`);
    // Before any derived state loads: the pass may move rows out of the DEFAULT partition.
    await this.partitions.register([kind.table.name, ...(kind.table.companions ?? [])], kind.partitions);
    const runners = (kind.derived ?? []).map(
      (stage) =>
        new DerivedStateRunner(stage, stored, kind.sourceOf, kind.allSources, this.ownership, this.transactions, {
          ...DEFAULT_DERIVED_STATE_SETTINGS,
          reorderMs: this.config.DERIVED_STATE_REORDER_MS,
        }),
    );
    const entry: Entry<R, S, Src> = {
      kind,
      latest: new LatestSamples(kind.sourceOf, partOf),
      stored,
      derived: new Map(runners.map((runner, i) => [kind.derived![i].name, runner])),
      runners,
      handOffTopic: `ingestion.handOff.${kind.name}`,
      partOf,
      pipeline: new SamplePipeline<S>({
        write: async (rows) => (await writer.write(rows)).newRows,
        deliver: (rows) => this.fanOut(entry, rows),
        key: (s) => `${kind.sourceOf(s)}|${partOf(s)}|${s.ts.getTime()}`,
        compare: (a, b) =>
          kind.sourceOf(a) - kind.sourceOf(b) ||
          a.ts.getTime() - b.ts.getTime() ||
          (partOf(a) < partOf(b) ? -1 : partOf(a) > partOf(b) ? 1 : 0),
      }),
    };
    this.entries.push(entry as unknown as Entry<unknown, { ts: Date }, unknown>);
    this.byName.set(kind.name, entry as unknown as IngestedKind<{ ts: Date }>);
    // Following first: whichever of a live sample and the load comes later, the newer sample stays.
    this.follow<SamplesAdded<LiveSample<S>>>(kind.live.topic, (event) => {
      if (kind.live.codeOf(event.sourceId) === event.sourceCode) entry.latest.apply(event.samples);
    });
    if (runners.length) this.follow<HandOff<S>>(entry.handOffTopic, (handOff) => this.takeHandOff(entry, handOff));
    const since = new Date(Date.now() - kind.latestWindowMs);
    entry.latest.apply(await stored.latest(kind.allSources(), since));
    await Promise.all(runners.map((runner) => runner.idle()));
    this.mqtt.route(kind.topic, (message) => this.handle(entry, message), { name: kind.topic });
    return entry;
  }

  /** A registered kind, by name (its context knows the sample type). */
  kind<S extends { ts: Date }>(name: string): IngestedKind<S> {
    const kind = this.byName.get(name);
    if (!kind) throw new Error(`No sample kind ${name} is registered (yet)`);
    return kind as unknown as IngestedKind<S>;
  }

  /** Before the database closes (its module shuts down after this hook). */
  async onModuleDestroy(): Promise<void> {
    await Promise.all(this.followed.map((events) => events.return?.()));
    await Promise.all(this.entries.flatMap((entry) => entry.runners.map((runner) => runner.close())));
  }

  private async handle<R, S extends { ts: Date }, Src>(
    entry: Entry<R, S, Src>,
    message: InboundMessage,
  ): Promise<void> {
    const { kind } = entry;
    const readings = kind.parse(message.payload, message.receivedAt);
    const lookup = kind.lookup(message.params);
    if ('invalid' in lookup) throw new MalformedMessageError('invalid_topic', lookup.invalid);
    if ('unregistered' in lookup) {
      const { kind: what, key } = lookup.unregistered;
      this.unregistered.record(lookup.unregistered, message.topic, message.receivedAt);
      throw new MalformedMessageError('unregistered', `no ${what} is registered as ${key}`, UNREGISTERED_LOG_KEY);
    }
    const leftOut: Array<{ reason: string; detail: string }> = [];
    const samples = kind.samples(lookup.found, readings, (reason, detail, unregistered?: UnregisteredKey) => {
      leftOut.push({ reason, detail });
      if (unregistered) this.unregistered.record(unregistered, message.topic, message.receivedAt);
    });
    if (!samples.length) {
      const [first] = leftOut;
      throw new MalformedMessageError(first?.reason ?? 'no_samples', leftOut.map((l) => l.detail).join('; '));
    }
    for (const { reason, detail } of leftOut) this.countLeftOut(kind.name, reason, detail, message.topic);
    try {
      await entry.pipeline.ingest(samples);
    } catch (error) {
      // PostgreSQL refused the rows themselves (a value, a constraint): sending them again cannot succeed.
      if (error instanceof BatchRowsRejectedError)
        throw new MalformedMessageError('refused_by_database', error.message);
      throw error;
    }
    kind.seen?.(lookup.found, message.receivedAt);
  }

  /** The post-commit stages, in the order documented above. */
  private async fanOut<S extends { ts: Date }>(
    entry: Entry<unknown, S, unknown>,
    samples: readonly S[],
  ): Promise<void> {
    if (entry.runners.length) await this.derive(entry, samples);
    entry.latest.apply(samples);
    this.publishLive(entry, samples);
  }

  private async derive<S extends { ts: Date }>(
    entry: Entry<unknown, S, unknown>,
    samples: readonly S[],
  ): Promise<void> {
    const { sourceOf } = entry.kind;
    let owned: S[] | undefined;
    let elsewhere: S[] | undefined;
    for (const sample of samples)
      if (this.ownership.owns(sourceOf(sample))) (owned ??= []).push(sample);
      else (elsewhere ??= []).push(sample);
    if (elsewhere) {
      const handOff: HandOff<S> = { origin: this.ownership.member, samples: elsewhere };
      this.pubsub
        .publish(entry.handOffTopic, handOff)
        .catch((error: Error) => this.publishFailed(entry.handOffTopic, error));
    }
    if (owned) {
      const taken = owned;
      await Promise.all(entry.runners.map((runner) => runner.offer(taken)));
    }
  }

  /** Another replica's committed samples: those of sources this one owns go to its stages. */
  private takeHandOff<S extends { ts: Date }>(entry: Entry<unknown, S, unknown>, handOff: HandOff<S>): void {
    if (handOff.origin === this.ownership.member) return;
    const owned = handOff.samples.filter((sample) => this.ownership.owns(entry.kind.sourceOf(sample)));
    for (const runner of entry.runners) void runner.offer(owned);
  }

  /**
   * Samples arrive sorted by source, so each source's are one run: one event per source,
   * each sample shaped once (with its source's code) for every subscriber.
   */
  private publishLive<S extends { ts: Date }>(entry: Entry<unknown, S, unknown>, samples: readonly S[]): void {
    const { live, sourceOf } = entry.kind;
    for (let start = 0; start < samples.length;) {
      const sourceId = sourceOf(samples[start]);
      let end = start + 1;
      while (end < samples.length && sourceOf(samples[end]) === sourceId) end++;
      const sourceCode = live.codeOf(sourceId);
      if (sourceCode !== undefined) {
        const shaped = new Array<LiveSample<S>>(end - start);
        for (let i = start; i < end; i++) shaped[i - start] = live.shape(samples[i], sourceCode);
        const event: SamplesAdded<LiveSample<S>> = { sourceId, sourceCode, samples: shaped };
        this.pubsub.publish(live.topic, event).catch((error: Error) => this.publishFailed(live.topic, error));
      }
      start = end;
    }
  }

  /** Events of every replica, this one's included; a listener that throws stops nothing else. */
  private follow<E>(topic: string, apply: (event: E) => void): void {
    const events = this.pubsub.subscribe<E>(topic);
    this.followed.push(events);
    void (async () => {
      try {
        for await (const event of events) apply(event);
      } catch (error) {
        this.logger.error(`Following ${topic} stopped: ${(error as Error).message}`);
      }
    })();
  }

  private countLeftOut(kind: string, reason: string, detail: string, topic: string): void {
    this.metrics.leftOut.inc({ kind, reason });
    const suppressed = this.leftOutLog.take(topic);
    if (suppressed !== undefined)
      this.logger.warn(
        `Left samples out of a message on ${topic}: ${detail}` +
          (suppressed ? `; ${suppressed} more such messages from this topic not logged` : ''),
      );
  }

  private publishFailed(topic: string, error: Error): void {
    const suppressed = this.publishLog.take(topic);
    if (suppressed !== undefined)
      this.logger.warn(
        `Publishing ${topic} failed: ${error.message}${suppressed ? ` (${suppressed} more not logged)` : ''}`,
      );
  }
}

function declareMetrics(metrics: MetricsService) {
  return {
    leftOut: metrics.counter(
      'plantgraph_ingestion_samples_dropped_total',
      'Samples left out of an otherwise accepted message, by kind and reason',
      ['kind', 'reason'],
    ),
  };
}
