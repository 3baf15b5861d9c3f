import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MACHINE_CODE, type AxisName, type MachineRef } from '../../machines/domain/machine.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { LogThrottle } from '../../shared/mqtt/log-throttle.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { distanceToGo, type AxisSample, type ElectricalSample, type ToolSample } from '../domain/samples.js';
import { CommittedSamples } from './committed-samples.js';
import { SAMPLE_KINDS, SampleStore, SamplesRefusedError } from './ingestion.ports.js';
import { SamplePipeline } from './sample-pipeline.js';
import type { AxesReading, ElectricalReading, ReadingSource, ToolReading } from './telemetry-readings.js';
import { UnregisteredSourcesService } from './unregistered-sources.service.js';

/** What became of a message: stored, or refused for a reason (a short metric label) and a detail for the log. */
export type IngestOutcome = { accepted: true } | { accepted: false; reason: string; detail: string };

const ACCEPTED: IngestOutcome = { accepted: true };
/** machines.last_seen_at is written at most this often (per machine, in one statement for all). */
const LAST_SEEN_FLUSH_MS = 1_000;
const LOG_INTERVAL_MS = 60_000;

/**
 * The ingestion use case of the plant telemetry topics: resolves the topic's machine from
 * memory, turns validated readings into samples (deriving distance to go), stores them in
 * batches and hands the new ones on (CommittedSamples: machine state, latest values, live
 * subscriptions). A call resolves once all of that is done, so the message it came from is
 * acknowledged only then; it rejects when the database is unavailable (the message is
 * retried, the broker keeps the backlog).
 */
@Injectable()
export class TelemetryIngestionService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TelemetryIngestionService.name);
  private readonly electrical: SamplePipeline<ElectricalSample>;
  private readonly axes: SamplePipeline<AxisSample>;
  private readonly tool: SamplePipeline<ToolSample>;
  private readonly dropLog = new LogThrottle(LOG_INTERVAL_MS);
  private readonly failureLog = new LogThrottle(LOG_INTERVAL_MS);
  private readonly droppedSamples;
  private readonly seenSince = new Set<number>();
  private seenAt = 0;
  private lastSeenTimer?: NodeJS.Timeout;
  private lastSeenFlush?: Promise<void>;

  constructor(
    private readonly machines: MachinesService,
    private readonly store: SampleStore,
    committed: CommittedSamples,
    private readonly unregistered: UnregisteredSourcesService,
    metrics: MetricsService,
  ) {
    this.electrical = new SamplePipeline({
      write: (rows) => store.writeElectrical(rows),
      deliver: (rows) => committed.electricalCommitted(rows),
      key: (s) => `${s.machineId}|${s.ts.getTime()}`,
      compare: (a, b) => a.machineId - b.machineId || a.ts.getTime() - b.ts.getTime(),
    });
    this.axes = new SamplePipeline({
      write: (rows) => store.writeAxes(rows),
      deliver: (rows) => committed.axisCommitted(rows),
      key: (s) => `${s.machineId}|${s.axis}|${s.ts.getTime()}`,
      compare: (a, b) =>
        a.machineId - b.machineId ||
        a.ts.getTime() - b.ts.getTime() ||
        (a.axis < b.axis ? -1 : a.axis > b.axis ? 1 : 0),
    });
    this.tool = new SamplePipeline({
      write: (rows) => store.writeTool(rows),
      deliver: (rows) => committed.toolCommitted(rows),
      key: (s) => `${s.machineId}|${s.ts.getTime()}`,
      compare: (a, b) => a.machineId - b.machineId || a.ts.getTime() - b.ts.getTime(),
    });
    this.droppedSamples = metrics.counter(
      'plantgraph_telemetry_samples_dropped_total',
      'Samples left out of an otherwise accepted message, by kind and reason',
      ['kind', 'reason'],
    );
  }

  onModuleInit(): void {
    for (const kind of SAMPLE_KINDS)
      this.machines.registerDeletionParticipant({
        what: `${kind} samples`,
        count: (machineId) => this.store.countOfMachine(kind, machineId),
        delete: (machineId) => this.store.deleteOfMachine(kind, machineId),
      });
    this.lastSeenTimer = setInterval(() => void this.flushLastSeen(), LAST_SEEN_FLUSH_MS).unref();
  }

  /** Before the database closes (its module shuts down after this hook). */
  async onModuleDestroy(): Promise<void> {
    clearInterval(this.lastSeenTimer);
    await this.lastSeenFlush;
    await this.flushLastSeen();
  }

  ingestElectrical(source: ReadingSource, readings: readonly ElectricalReading[]): Promise<IngestOutcome> {
    const machine = this.machineOf(source);
    if (!machine) return Promise.resolve(this.unregisteredMachine(source));
    const samples = new Array<ElectricalSample>(readings.length);
    for (let i = 0; i < readings.length; i++) {
      const { ts, current, voltage } = readings[i];
      samples[i] = { machineId: machine.id, ts, current, voltage };
    }
    return this.storeSamples(this.electrical, samples, machine, source);
  }

  /**
   * An axis the machine does not have is left out (counted and logged, like a rejection)
   * while the message's other axes are stored: one unregistered axis on a controller must
   * not blank the axes that are registered. A message with no registered axis is refused.
   */
  ingestAxes(source: ReadingSource, readings: readonly AxesReading[]): Promise<IngestOutcome> {
    const machine = this.machineOf(source);
    if (!machine) return Promise.resolve(this.unregisteredMachine(source));
    const samples: AxisSample[] = [];
    let unknown: Set<AxisName> | undefined;
    for (const { ts, axes } of readings)
      for (const [axis, reading] of axes) {
        if (!machine.axes.has(axis)) {
          (unknown ??= new Set()).add(axis);
          continue;
        }
        const { actual, target, velocity, acceleration, homed } = reading;
        samples.push({
          machineId: machine.id,
          axis,
          ts,
          actual,
          target,
          distanceToGo: distanceToGo(actual, target),
          velocity,
          acceleration,
          homed,
        });
      }
    if (unknown) {
      const detail = `machine ${source.code} has no axis ${[...unknown].join(', ')}`;
      if (!samples.length) return Promise.resolve({ accepted: false, reason: 'unknown_axis', detail });
      this.dropped('axis', 'unknown_axis', source, detail);
    }
    return this.storeSamples(this.axes, samples, machine, source);
  }

  ingestTool(source: ReadingSource, readings: readonly ToolReading[]): Promise<IngestOutcome> {
    const machine = this.machineOf(source);
    if (!machine) return Promise.resolve(this.unregisteredMachine(source));
    const samples = new Array<ToolSample>(readings.length);
    for (let i = 0; i < readings.length; i++) {
      const { ts, toolInUse, toolOffset, feedRate } = readings[i];
      samples[i] = { machineId: machine.id, ts, toolInUse, toolOffset, feedRate };
    }
    return this.storeSamples(this.tool, samples, machine, source);
  }

  private machineOf(source: ReadingSource): MachineRef | undefined {
    return this.machines.findByCode(source.code);
  }

  /** A code no machine could have (MACHINE_CODE) is refused without being listed: it could never be registered. */
  private unregisteredMachine(source: ReadingSource): IngestOutcome {
    if (!MACHINE_CODE.test(source.code))
      return { accepted: false, reason: 'invalid_topic', detail: 'the topic holds no valid machine code' };
    this.unregistered.record('machine', source.topic, source.code, source.receivedAt);
    return { accepted: false, reason: 'unregistered', detail: `no machine has the code ${source.code}` };
  }

  private async storeSamples<T>(
    pipeline: SamplePipeline<T>,
    samples: T[],
    machine: MachineRef,
    source: ReadingSource,
  ): Promise<IngestOutcome> {
    try {
      await pipeline.ingest(samples);
    } catch (error) {
      if (error instanceof SamplesRefusedError)
        return { accepted: false, reason: 'refused_by_database', detail: error.message };
      throw error;
    }
    this.seenSince.add(machine.id);
    if (source.receivedAt.getTime() > this.seenAt) this.seenAt = source.receivedAt.getTime();
    return ACCEPTED;
  }

  private dropped(kind: string, reason: string, source: ReadingSource, detail: string): void {
    this.droppedSamples.inc({ kind, reason });
    const suppressed = this.dropLog.take(source.topic);
    if (suppressed !== undefined)
      this.logger.warn(
        `Left samples out of a message on ${source.topic}: ${detail}` +
          (suppressed ? `; ${suppressed} more such messages from this topic not logged` : ''),
      );
  }

  /** Serialised; ids that could not be written are kept for the next flush. */
  private flushLastSeen(): Promise<void> {
    if (this.lastSeenFlush || !this.seenSince.size) return this.lastSeenFlush ?? Promise.resolve();
    const ids = [...this.seenSince];
    const at = new Date(this.seenAt);
    this.seenSince.clear();
    this.lastSeenFlush = this.machines
      .touchLastSeen(ids, at)
      .catch((error: Error) => {
        for (const id of ids) this.seenSince.add(id);
        const suppressed = this.failureLog.take('last_seen');
        if (suppressed !== undefined)
          this.logger.warn(`Updating machines' last seen failed, will retry: ${error.message}`);
      })
      .finally(() => (this.lastSeenFlush = undefined));
    return this.lastSeenFlush;
  }
}
