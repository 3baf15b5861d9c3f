import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { DomainError, InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import { HISTORY_LIMITS } from '../../shared/ingestion/history-window.js';
import { mergeSamples, type MergedSample } from '../domain/archived-samples.js';
import { isPvName, PV_NAME_RULE } from '../domain/pv-name.js';
import { parseZonedTime } from '../domain/zoned-time.js';
import { ExperimentsRegistryService, type Viewer } from './experiments-registry.service.js';
import { PvArchive, PvHistoryRepository } from './experiments.ports.js';

export type ArchiverRefusal = 'ARCHIVER_UNAVAILABLE' | 'ARCHIVER_TIMEOUT' | 'ARCHIVER_BAD_ANSWER';

/** The archiver could not answer: nothing is wrong with the request, and it may be retried. */
export class ArchiverUnavailableError extends DomainError {
  readonly code = 'SERVICE_UNAVAILABLE';
  constructor(message: string, reason: ArchiverRefusal) {
    super(message, { reason, retryable: true, retryAfterSeconds: 10 });
  }
}

/** ARCHIVER: the archiver's samples only; MERGED: with the values stored here, the local one kept at the same millisecond. */
export type ArchiveSource = 'ARCHIVER' | 'MERGED';

export interface ArchiveRequest {
  /** ISO-8601 with an offset, or naive wall-clock time of ARCHIVER_TIMEZONE. */
  from: string;
  /** As `from`; now when omitted. */
  to?: string | null;
  source: ArchiveSource;
  limit?: number | null;
}

export interface ArchiveHistory {
  pvName: string;
  from: Date;
  to: Date;
  samples: MergedSample[];
  skipped: number;
  truncated: boolean;
}

/**
 * History of a PV from the EPICS Archiver Appliance, alone or merged with the values stored
 * here, for the PVs a viewer may see (reference/realtimeplot.md §6, with its time-zone
 * ambiguity made explicit). A PV the archiver does not know is NOT_FOUND; an archiver that
 * cannot answer is SERVICE_UNAVAILABLE with the reason; none configured is BAD_USER_INPUT.
 */
@Injectable()
export class PvArchiveService {
  constructor(
    private readonly registry: ExperimentsRegistryService,
    private readonly archive: PvArchive,
    private readonly local: PvHistoryRepository,
    private readonly config: AppConfig,
  ) {}

  async history(viewer: Viewer, pvName: string, request: ArchiveRequest): Promise<ArchiveHistory> {
    const pv = this.registry.visiblePv(viewer, pvName);
    const { from, to } = this.window(request);
    const limit = request.limit ?? HISTORY_LIMITS.defaultRawLimit;
    if (!Number.isInteger(limit) || limit < 1 || limit > HISTORY_LIMITS.maxRawLimit)
      throw new InvalidInputError('Invalid limit', {
        limit: `must be an integer from 1 to ${HISTORY_LIMITS.maxRawLimit}`,
      });
    this.requireArchive('source');
    const answer = await this.archive.history(pv.name, from, to);
    if ('unknown' in answer) throw new NotFoundError('Archived PV', pv.name);
    const local =
      request.source === 'MERGED'
        ? await this.local.history([pv.id], { mode: 'raw', from, to: new Date(to.getTime() + 1), limit })
        : [];
    const localSamples = local[0]?.mode === 'raw' ? local[0].samples : [];
    const merged = mergeSamples(localSamples, answer.samples);
    return {
      pvName: pv.name,
      from,
      to,
      samples: merged.slice(0, limit),
      skipped: answer.skipped,
      truncated: merged.length > limit || (local[0]?.mode === 'raw' && local[0].truncated),
    };
  }

  /** Whether the archiver knows a PV (registered here or not: administrators check before they register one). */
  async knows(pvName: string): Promise<boolean> {
    if (!isPvName(pvName)) throw new InvalidInputError(`Invalid PV name ${pvName}`, { pvName: PV_NAME_RULE });
    this.requireArchive('pvName');
    const now = new Date();
    return !('unknown' in (await this.archive.history(pvName, now, now)));
  }

  private window(request: ArchiveRequest): { from: Date; to: Date } {
    const zone = this.config.ARCHIVER_TIMEZONE;
    const problems: Record<string, string> = {};
    const rule = `must be ISO-8601 with an offset, or a date-time without one (read in ${zone})`;
    const from = parseZonedTime(request.from, zone);
    const to = request.to == null ? new Date() : parseZonedTime(request.to, zone);
    if (!from) problems.from = rule;
    if (!to) problems.to = rule;
    if (from && to) {
      if (from.getTime() > to.getTime()) problems.to = 'must not be before from';
      else if (to.getTime() - from.getTime() > HISTORY_LIMITS.maxWindowDays * 86_400_000)
        problems.from = `the window is at most ${HISTORY_LIMITS.maxWindowDays} days`;
    }
    if (Object.keys(problems).length || !from || !to)
      throw new InvalidInputError(`Invalid archive window: ${Object.keys(problems).join(', ')}`, problems);
    return { from, to };
  }

  private requireArchive(field: string): void {
    if (!this.archive.configured)
      throw new InvalidInputError('No archiver is configured', { [field]: 'no archiver is configured (ARCHIVER_URL)' });
  }
}
