import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { UsersService } from '../../identity/application/users.service.js';
import { ACCESS_CHANGED, type AccessChangedEvent } from '../../shared/auth/access-changes.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import { planHistory, type HistoryRequest } from '../../shared/ingestion/history-window.js';
import type { SamplesAdded } from '../../shared/ingestion/sample-kind.js';
import { SampleIngestion } from '../../shared/ingestion/sample-ingestion.service.js';
import { SampleStream } from '../../shared/ingestion/sample-stream.js';
import { MetricsService } from '../../shared/observability/metrics.service.js';
import { EndableStream } from '../../shared/pubsub/endable-stream.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { PvRef } from '../domain/experiments.js';
import type { PvSample } from '../domain/pv-values.js';
import { ExperimentsRegistryService, type Viewer } from './experiments-registry.service.js';
import { PvHistoryRepository, type PvSeries } from './experiments.ports.js';
import { PV_KIND, PV_VALUES_ADDED } from './pv-kinds.js';

/** A value as subscribers receive it: with its PV's name, built once per event. */
export type LivePvValue = PvSample & { pvName: string };

/** What a latest-values query or a live subscription covers: one experiment, or PVs by name. */
export interface PvScope {
  experimentName?: string | null;
  pvNames?: readonly string[] | null;
}

export interface LivePvFilter extends PvScope {
  maxRatePerSecond?: number | null;
}

/** An open live stream, checked again whenever the directory changes. */
interface OpenStream {
  viewer: Viewer;
  /** The error that ends it, once its viewer may no longer see what it shows. */
  lost(): NotFoundError | undefined;
  stream: EndableStream<LivePvValue>;
}

const MAX_QUEUED_PER_SUBSCRIPTION = 60_000;

/**
 * PV values of the experiments a viewer may see: latest (first paint), history by window
 * with buckets, live per experiment or per PV. A live stream ends with NOT_FOUND as soon as
 * its viewer loses the experiment, on every replica: unassigned, experiment or PV deleted, or
 * an administrator who is not assigned losing experiments:write (a role change; losing
 * experiments:read itself ends every subscription through shared/auth).
 */
@Injectable()
export class PvValuesService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PvValuesService.name);
  private readonly dropped;
  private readonly open = new Set<OpenStream>();
  private accessChanges?: AsyncIterableIterator<AccessChangedEvent>;

  constructor(
    private readonly registry: ExperimentsRegistryService,
    private readonly ingestion: SampleIngestion,
    private readonly history: PvHistoryRepository,
    private readonly pubsub: PubSub,
    private readonly users: UsersService,
    metrics: MetricsService,
  ) {
    this.dropped = metrics.counter(
      'plantgraph_live_samples_dropped_total',
      'Samples dropped for subscribers that could not keep up',
    );
    registry.onReload(() => this.recheck());
  }

  onModuleInit(): void {
    this.accessChanges = this.pubsub.subscribe<AccessChangedEvent>(ACCESS_CHANGED);
    void this.followAccessChanges(this.accessChanges);
  }

  async onModuleDestroy(): Promise<void> {
    await this.accessChanges?.return?.();
  }

  /** The newest value of each PV in scope, by PV name. */
  latest(viewer: Viewer, scope: PvScope): LivePvValue[] {
    const latest = this.ingestion.kind<PvSample>(PV_KIND).latest;
    return this.pvsIn(viewer, scope)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .flatMap((pv) => latest.of(pv.id).map((sample) => ({ ...sample, pvName: pv.name })));
  }

  async values(
    viewer: Viewer,
    pvNames: readonly string[],
    request: HistoryRequest,
  ): Promise<Array<PvSeries & { pvName: string }>> {
    const pvs = this.registry.visiblePvs(viewer, pvNames);
    const plan = planHistory(request, new Date());
    const series = await this.history.history(
      pvs.map((pv) => pv.id),
      plan,
    );
    return series.map((s) => ({ ...s, pvName: this.registry.findPvById(s.pvId)?.name ?? String(s.pvId) }));
  }

  live(viewer: Viewer, filter: LivePvFilter): AsyncIterableIterator<LivePvValue> {
    const lost = this.scopeCheck(viewer, filter);
    const pvIds = filter.pvNames?.length ? new Set(this.pvsIn(viewer, filter).map((pv) => pv.id)) : undefined;
    const experimentId = filter.experimentName
      ? this.registry.visibleExperiment(viewer, filter.experimentName).id
      : undefined;
    const samples = new SampleStream<LivePvValue>(this.pubsub.subscribe<SamplesAdded<LivePvValue>>(PV_VALUES_ADDED), {
      accept: (sample) => {
        const pv = this.registry.findPvById(sample.pvId);
        if (!pv || !this.registry.maySee(viewer, pv.experimentId)) return false;
        return pvIds ? pvIds.has(pv.id) : pv.experimentId === experimentId;
      },
      maxRatePerSecond: filter.maxRatePerSecond ?? undefined,
      key: (s) => s.pvId,
      maxQueued: MAX_QUEUED_PER_SUBSCRIPTION,
      onDropped: (count) => this.dropped.inc(count),
    });
    const open: OpenStream = {
      viewer,
      lost,
      stream: new EndableStream(samples, () => this.open.delete(open)),
    };
    this.open.add(open);
    return open.stream;
  }

  /** The PVs of an experiment, or the PVs named; exactly one of the two. */
  private pvsIn(viewer: Viewer, scope: PvScope): PvRef[] {
    if (scope.experimentName && scope.pvNames?.length)
      throw new InvalidInputError('Give experimentName or pvNames, not both', {
        pvNames: 'give either experimentName or pvNames',
      });
    if (scope.pvNames?.length) return this.registry.visiblePvs(viewer, scope.pvNames);
    if (!scope.experimentName)
      throw new InvalidInputError('Give experimentName or pvNames', {
        experimentName: 'give experimentName or pvNames',
      });
    const experiment = this.registry.visibleExperiment(viewer, scope.experimentName);
    return this.registry.allPvs().filter((pv) => pv.experimentId === experiment.id);
  }

  /** Checks the scope now (throws NOT_FOUND) and returns the check to run again after each change. */
  private scopeCheck(viewer: Viewer, scope: PvScope): () => NotFoundError | undefined {
    this.pvsIn(viewer, scope);
    return () => {
      try {
        this.pvsIn(viewer, scope);
        return undefined;
      } catch (error) {
        return error instanceof NotFoundError ? error : undefined;
      }
    };
  }

  private recheck(): void {
    for (const open of this.open) {
      const error = open.lost();
      if (error) open.stream.end(error);
    }
  }

  /** Administrators whose roles changed: do they still administer experiments? */
  private async followAccessChanges(changes: AsyncIterable<AccessChangedEvent>): Promise<void> {
    try {
      for await (const { userIds } of changes) {
        const changed = new Set(userIds);
        const viewers = new Set(
          [...this.open].map((o) => o.viewer).filter((v) => v.administers && changed.has(v.userId)),
        );
        for (const viewer of viewers) await this.reviewAdministration(viewer);
        if (viewers.size) this.recheck();
      }
    } catch (err) {
      this.logger.error({ err }, 'Following access changes stopped');
    }
  }

  private async reviewAdministration(viewer: Viewer): Promise<void> {
    try {
      const user = await this.users.get(viewer.userId);
      viewer.administers = user.roles.some((role) => role.permissions.includes(PERMISSIONS.EXPERIMENTS_WRITE));
    } catch {
      // Gone or unreadable: shared/auth ends the user's sessions, or checks them again when it can.
      viewer.administers = false;
    }
  }
}
