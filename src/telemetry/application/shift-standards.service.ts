import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { StandardBand } from '../domain/machine-state.js';
import type { ActiveStandard } from '../domain/machine-state-tracker.js';
import { shiftAt } from '../domain/shift.js';
import { ShiftRepository, type ShiftWindow } from './shifts.ports.js';

/** Published after shifts changed, so that every replica checks readings against the right standard. */
export const SHIFTS_CHANGED = 'telemetry.shifts-changed';
export interface ShiftsChangedEvent {
  origin: string;
}

/** How far back the cache holds shifts; an older reading (a late batch) extends it on demand. */
const HORIZON_MS = 7 * 24 * 3600_000;
/**
 * Element types change in the machines context, which announces no event for them: their
 * bands are re-read this often (and with every shift change).
 */
const ELEMENT_TYPE_REFRESH_MS = 60_000;

/**
 * Which standard applies to a machine's reading: the band of the element type of the shift
 * active at the reading's time. Answered from memory on the hot path.
 */
@Injectable()
export class ShiftStandardsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ShiftStandardsService.name);
  private readonly origin = randomUUID();
  private shifts = new Map<number, ShiftWindow[]>();
  private bands = new Map<number, StandardBand>();
  private coveredFrom = new Date(8.64e15);
  private generation = 0;
  private loaded?: Promise<void>;
  private changes?: AsyncIterableIterator<ShiftsChangedEvent>;
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    private readonly repository: ShiftRepository,
    private readonly machines: MachinesService,
    private readonly pubsub: PubSub,
  ) {}

  onModuleInit(): Promise<void> {
    this.changes = this.pubsub.subscribe<ShiftsChangedEvent>(SHIFTS_CHANGED);
    void this.followChanges(this.changes);
    this.refreshTimer = setInterval(() => void this.refreshBands(), ELEMENT_TYPE_REFRESH_MS).unref();
    return this.ready();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.refreshTimer);
    await this.changes?.return?.();
  }

  ready(): Promise<void> {
    this.loaded ??= this.reload();
    return this.loaded;
  }

  standardAt(machineId: number, ts: Date): ActiveStandard | null {
    const shift = shiftAt(this.shifts.get(machineId) ?? [], ts);
    const band = shift && this.bands.get(shift.elementTypeId);
    return shift && band ? { shiftId: shift.id, band } : null;
  }

  /** Makes sure the cache holds the shifts a reading at `ts` may fall in. */
  async cover(ts: Date): Promise<void> {
    if (ts.getTime() < this.coveredFrom.getTime()) await this.reload(new Date(ts.getTime() - 3600_000));
  }

  /** After a change of shifts on this replica; other replicas reload on the event. */
  async shiftsChanged(): Promise<void> {
    await this.reload();
    await this.pubsub.publish<ShiftsChangedEvent>(SHIFTS_CHANGED, { origin: this.origin });
  }

  private async reload(from?: Date): Promise<void> {
    const generation = ++this.generation;
    const coveredFrom = new Date(Math.min(from?.getTime() ?? Infinity, Date.now() - HORIZON_MS));
    const [shifts, bands] = await Promise.all([this.repository.endingAfter(coveredFrom), this.loadBands()]);
    if (generation !== this.generation) return;
    const byMachine = new Map<number, ShiftWindow[]>();
    for (const shift of shifts) {
      const ofMachine = byMachine.get(shift.machineId);
      if (ofMachine) ofMachine.push(shift);
      else byMachine.set(shift.machineId, [shift]);
    }
    this.shifts = byMachine;
    this.bands = bands;
    this.coveredFrom = coveredFrom;
  }

  private async loadBands(): Promise<Map<number, StandardBand>> {
    // Inactive standards too: a shift keeps the standard it was planned with.
    const types = await this.machines.listElementTypes(true);
    return new Map(
      types.map((t) => [
        t.id,
        { currentMin: t.currentMin, currentMax: t.currentMax, voltageMin: t.voltageMin, voltageMax: t.voltageMax },
      ]),
    );
  }

  private async refreshBands(): Promise<void> {
    try {
      this.bands = await this.loadBands();
    } catch (err) {
      this.logger.warn({ err }, 'Refreshing the element type standards failed; the previous ones stay');
    }
  }

  private async followChanges(events: AsyncIterable<ShiftsChangedEvent>): Promise<void> {
    try {
      for await (const event of events) {
        if (event.origin === this.origin) continue;
        await this.reload().catch((err) => this.logger.error({ err }, 'Reloading shifts after a change failed'));
      }
    } catch (err) {
      this.logger.error({ err }, 'Following shift changes stopped');
    }
  }
}
