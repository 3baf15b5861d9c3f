import { SEEDED_STATE_BANDS } from '../domain/seeded-state-bands.fixture.js';
import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { loadConfig } from '../../config/app-config.js';
import type { MachinesService } from '../../machines/application/machines.service.js';
import type { Transactions } from '../../shared/database/transactions.js';
import type { StoredSamples } from '../../shared/ingestion/derived-state.js';
import { DEFAULT_DERIVED_STATE_SETTINGS, DerivedStateRunner } from '../../shared/ingestion/derived-state-runner.js';
import type { SampleIngestion } from '../../shared/ingestion/sample-ingestion.service.js';
import { bucketOf, OWNERSHIP_BUCKETS, type SourceOwnership } from '../../shared/ownership/key-ownership.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { Episode, MachineTrack, Segment } from '../domain/machine-state-tracker.js';
import type { StoredSegment } from '../domain/machine-state-window.js';
import type { ElectricalSample } from '../domain/samples.js';
import { MachineStateRepository, type MachineTimelineWrites, type StoredEpisode } from './machine-state.ports.js';
import { MACHINE_STATE_CHANGED, MachineStateService, type MachineStateChangedEvent } from './machine-state.service.js';
import type { ShiftStandardsService } from './shift-standards.service.js';
import type { StateBandsService } from './state-bands.service.js';

const BANDS = SEEDED_STATE_BANDS;
const T0 = Date.now() - 3600_000;
const at = (s: number) => new Date(T0 + s * 1000);
const sample = (machineId: number, s: number, current: number): ElectricalSample => ({
  machineId,
  ts: at(s),
  current,
  // Off readings have no voltage either.
  voltage: current ? 25 : 0,
});

/** A lone process: it owns every machine. */
const OWN_EVERYTHING: SourceOwnership = {
  owns: () => true,
  bucketOf,
  members: () => 1,
  fence: async () => undefined,
  listen: (listener) => listener.acquired(new Set(Array.from({ length: OWNERSHIP_BUCKETS }, (_, i) => i))),
};
const NO_TRANSACTION: Transactions = { run: (work) => work() };

/** The tables as rows in memory: what the database holds (the samples too). */
class FakeMachineStateRepository extends MachineStateRepository implements StoredSamples<ElectricalSample> {
  samples: ElectricalSample[] = [];
  segmentRows: (Segment & { machineId: number })[] = [];
  episodeRows: (Episode & { machineId: number })[] = [];
  writeCalls = 0;
  failingWrites = 0;

  async loadTracks(machineIds?: readonly number[]): Promise<Map<number, MachineTrack>> {
    const tracks = new Map<number, MachineTrack>();
    for (const s of this.segmentRows)
      if (!s.endedAt && (!machineIds || machineIds.includes(s.machineId)))
        tracks.set(s.machineId, {
          segment: s,
          episode: this.episodeRows.find((e) => e.machineId === s.machineId && !e.endedAt) ?? null,
        });
    return tracks;
  }

  async sourcesWithSamplesAfter(watermarks: ReadonlyMap<number, Date>): Promise<number[]> {
    return [...watermarks]
      .filter(([id, after]) => this.samples.some((s) => s.machineId === id && s.ts > after))
      .map(([id]) => id);
  }

  async after(machineId: number, after: Date, limit: number): Promise<ElectricalSample[]> {
    return this.samples
      .filter((s) => s.machineId === machineId && s.ts > after)
      .sort((a, b) => a.ts.getTime() - b.ts.getTime())
      .slice(0, limit);
  }

  async write(writes: readonly MachineTimelineWrites[]): Promise<void> {
    this.writeCalls++;
    if (this.failingWrites > 0) {
      this.failingWrites--;
      throw new Error('connection lost');
    }
    for (const w of writes) {
      if (w.updatedSegment) {
        const open = this.segmentRows.findIndex((s) => s.machineId === w.machineId && !s.endedAt);
        this.segmentRows[open] = { machineId: w.machineId, ...w.updatedSegment };
      }
      this.segmentRows.push(...w.newSegments.map((s) => ({ machineId: w.machineId, ...s })));
      if (w.updatedEpisode) {
        const open = this.episodeRows.findIndex((e) => e.machineId === w.machineId && !e.endedAt);
        this.episodeRows[open] = { machineId: w.machineId, ...w.updatedEpisode };
      }
      this.episodeRows.push(...w.newEpisodes.map((e) => ({ machineId: w.machineId, ...e })));
    }
  }

  async segments(): Promise<StoredSegment[]> {
    return [];
  }

  async episodes(): Promise<StoredEpisode[]> {
    return [];
  }

  async countOf(): Promise<{ segments: number; episodes: number }> {
    return { segments: 0, episodes: 0 };
  }

  async deleteOf(): Promise<void> {}
}

const started: DerivedStateRunner<ElectricalSample>[] = [];
// The failure below is expected; its error log would only be noise here.
beforeAll(() => Logger.overrideLogger(false));
afterEach(async () => {
  for (const runner of started.splice(0)) await runner.close();
});

/** The service as the electrical kind's derived stage, run as the ingestion path runs it, on a lone process. */
async function setup(repository = new FakeMachineStateRepository()) {
  const engine = new MemoryEngine();
  const pubsub = new PubSub(engine);
  const events: MachineStateChangedEvent[] = [];
  await engine.subscribe(MACHINE_STATE_CHANGED, (e: MachineStateChangedEvent) => void events.push(e));
  const machines = {
    allRefs: () => [1, 2].map((id) => ({ id, code: `M${id}`, name: '', axes: new Set() })),
    codeOf: (id: number) => `M${id}`,
    registerDeletionParticipant: () => undefined,
  } as unknown as MachinesService;
  const bands = { ready: async () => undefined, ordered: () => BANDS } as unknown as StateBandsService;
  const standards = {
    ready: async () => undefined,
    cover: async () => undefined,
    standardAt: () => null,
  } as unknown as ShiftStandardsService;
  const sut = new MachineStateService(
    repository,
    bands,
    standards,
    machines,
    pubsub,
    {} as SampleIngestion,
    loadConfig({}),
  );
  const runner = new DerivedStateRunner(
    sut,
    repository,
    (s) => s.machineId,
    () => [1, 2],
    OWN_EVERYTHING,
    NO_TRANSACTION,
    {
      ...DEFAULT_DERIVED_STATE_SETTINGS,
      retryMs: 5,
    },
  );
  started.push(runner);
  await runner.idle();
  /** As the ingestion does: store, then hand the new samples on. */
  const commit = async (samples: ElectricalSample[]) => {
    repository.samples.push(...samples);
    await runner.offer(samples);
    // The hand-off does not wait for the state's transaction.
    await runner.settled();
  };
  return { sut, repository, commit, events };
}

describe('MachineStateService', () => {
  it('writes one batch of many machines with one write', async () => {
    const { sut, repository, commit } = await setup();
    await commit([sample(1, 0, 0), sample(1, 1, 200), sample(2, 0, 200), sample(2, 1, 200)]);
    expect(repository.writeCalls).toBe(1);
    expect((await sut.current()).map((s) => [s.machineCode, s.state, s.since])).toEqual([
      ['M1', 'PRODUCTION', at(1)],
      ['M2', 'PRODUCTION', at(0)],
    ]);
  });

  it('loses nothing when a write fails: the stored samples are replayed before the next batch', async () => {
    const { sut, repository, commit, events } = await setup();
    await commit([sample(1, 0, 0)]);
    repository.failingWrites = 1;
    await commit([sample(1, 1, 200), sample(1, 2, 200)]);
    // Memory did not move on without the database.
    expect((await sut.current())[0]).toMatchObject({ state: 'OFF', lastSampleAt: at(0) });

    await commit([sample(1, 3, 40)]);
    expect(repository.segmentRows.map((s) => [s.state, s.startedAt, s.endedAt, s.lastSampleAt])).toEqual([
      ['OFF', at(0), at(1), at(0)],
      ['PRODUCTION', at(1), at(3), at(2)],
      ['IDLE', at(3), null, at(3)],
    ]);
    expect(events.map((e) => e.state)).toEqual(['OFF', 'PRODUCTION', 'IDLE']);
  });

  it('rebuilds from the database at start and catches up on samples stored but never applied', async () => {
    const first = await setup();
    await first.commit([sample(1, 0, 200), sample(1, 1, 200)]);
    // Committed by the ingestion, then a crash before the state was updated.
    first.repository.samples.push(sample(1, 2, 200), sample(1, 3, 0), sample(2, 0, 40));

    const { sut, repository } = await setup(first.repository);
    expect((await sut.current()).map((s) => [s.machineCode, s.state, s.since, s.lastSampleAt])).toEqual([
      ['M1', 'OFF', at(3), at(3)],
      ['M2', 'IDLE', at(0), at(0)],
    ]);
    expect(repository.segmentRows.filter((s) => s.machineId === 1 && !s.endedAt)).toHaveLength(1);
    expect(repository.segmentRows.find((s) => s.state === 'PRODUCTION')).toMatchObject({
      startedAt: at(0),
      endedAt: at(3),
      lastSampleAt: at(2),
    });
  });
});
