import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import {
  AccessStatusService,
  STATUS_CHECK_INTERVAL_MS,
  type MachineAccessStatus,
} from '../../../access/application/access-status.service.js';
import { KeyOwnership } from '../../../shared/ownership/key-ownership.service.js';
import { LogThrottle } from '../../../shared/observability/log-throttle.js';
import { AlarmConditionsService } from '../alarm-conditions.service.js';
import type { AlarmSource } from '../alarm-signals.js';

export const BOARD_OFFLINE = 'BOARD_OFFLINE';
export const MAINTENANCE_OVERDUE = 'MAINTENANCE_OVERDUE';
const DEFAULT_OFFLINE_AFTER_SECONDS = 90;

/** What has been told to the alarms for one machine; undefined = not known (after a start). */
export interface Signalled {
  maintenanceDue?: boolean;
  /** The lastSeenAt (ms) whose silence was raised, null when none is. */
  offlineFor?: number | null;
}

export type AccessSignal =
  { raise: true; type: string; at: Date; detail: string } | { raise: false; type: string; at: Date };

/**
 * What a machine's status asks for, given what was signalled (which it updates).
 *
 * BOARD_OFFLINE: a board that was seen is silent for `offlineAfterMs`; raised at the instant it
 * became due and cleared at its next message, both computed from lastSeenAt, so that every
 * replica (each sees the status board) signals the same instants and raising twice changes
 * nothing. MAINTENANCE_OVERDUE: when a plan is overdue and when the intervention ends it, told
 * by one replica only (`owner`: the one owning the machine's key), at the time it noticed.
 */
export function accessSignals(
  status: Pick<MachineAccessStatus, 'online' | 'lastSeenAt' | 'maintenanceDue' | 'maintenanceMessage'>,
  signalled: Signalled,
  rules: { now: Date; offlineAfterMs: number; owner: boolean },
): AccessSignal[] {
  const signals: AccessSignal[] = [];
  if (signalled.maintenanceDue !== status.maintenanceDue) {
    if (rules.owner)
      signals.push(
        status.maintenanceDue
          ? { raise: true, type: MAINTENANCE_OVERDUE, at: rules.now, detail: status.maintenanceMessage || 'due' }
          : { raise: false, type: MAINTENANCE_OVERDUE, at: rules.now },
      );
    signalled.maintenanceDue = status.maintenanceDue;
  }
  const seen = status.lastSeenAt;
  if (!seen) return signals;
  const dueAt = new Date(seen.getTime() + rules.offlineAfterMs);
  if (!status.online && rules.now >= dueAt && signalled.offlineFor !== seen.getTime()) {
    signals.push({ raise: true, type: BOARD_OFFLINE, at: dueAt, detail: `silent since ${seen.toISOString()}` });
    signalled.offlineFor = seen.getTime();
  } else if (status.online && signalled.offlineFor !== null) {
    signals.push({ raise: false, type: BOARD_OFFLINE, at: seen });
    signalled.offlineFor = null;
  }
  return signals;
}

interface Tracked {
  status: MachineAccessStatus;
  signalled: Signalled;
}

/**
 * Access → alarms: RFID boards gone silent (BOARD source) and maintenance overdue (MACHINE
 * source), from the status board (AccessStatusService, which every replica computes). It
 * learns every board's status once at start, then follows the changes, and looks again
 * every STATUS_CHECK_INTERVAL_MS (a longer offline delay than the board's 90 s has no event).
 * A signal that failed (database down) is tried again at the next look.
 */
@Injectable()
export class AccessAlarmsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AccessAlarmsService.name);
  private readonly failureLog = new LogThrottle(60_000);
  private readonly machines = new Map<number, Tracked>();
  private changes?: AsyncIterableIterator<MachineAccessStatus>;
  private timer?: NodeJS.Timeout;
  private queue: Promise<void> = Promise.resolve();
  private started = false;

  constructor(
    private readonly statusBoard: AccessStatusService,
    private readonly ownership: KeyOwnership,
    private readonly conditions: AlarmConditionsService,
  ) {}

  onApplicationBootstrap(): void {
    this.changes = this.statusBoard.changes();
    void this.follow(this.changes);
    void this.enqueue(async () => {
      for (const status of (await this.statusBoard.overview()).machines) this.learn(status);
      this.started = true;
      await this.checkAll();
    });
    this.timer = setInterval(() => void this.enqueue(() => this.checkAll()), STATUS_CHECK_INTERVAL_MS).unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.changes?.return?.();
    await this.queue;
  }

  private learn(status: MachineAccessStatus): Tracked {
    const tracked = this.machines.get(status.machine.id);
    if (tracked) tracked.status = status;
    else this.machines.set(status.machine.id, { status, signalled: {} });
    return this.machines.get(status.machine.id)!;
  }

  /** Every machine again; one whose signals fail is retried whole at the next look. */
  private async checkAll(): Promise<void> {
    if (!this.started) return;
    for (const tracked of this.machines.values()) await this.check(tracked);
  }

  private async check(tracked: Tracked): Promise<void> {
    const { status } = tracked;
    const before = { ...tracked.signalled };
    const signals = accessSignals(status, tracked.signalled, {
      now: new Date(),
      offlineAfterMs:
        this.conditions.parameter(BOARD_OFFLINE, 'offlineAfterSeconds', DEFAULT_OFFLINE_AFTER_SECONDS) * 1000,
      owner: this.ownership.owns(status.machine.id),
    });
    try {
      for (const signal of signals) {
        const source: AlarmSource = {
          kind: signal.type === BOARD_OFFLINE ? 'BOARD' : 'MACHINE',
          key: String(status.machine.id),
          name: status.machine.code,
        };
        if (signal.raise) await this.conditions.raise(signal.type, source, signal.at, { detail: signal.detail });
        else await this.conditions.clear(signal.type, source, signal.at);
      }
    } catch (err) {
      tracked.signalled = before;
      if (this.failureLog.take(String(status.machine.id)) !== undefined)
        this.logger.warn(
          { err, machine: status.machine.code },
          'Signalling access alarms failed; retried at the next check',
        );
    }
  }

  /** One check at a time: a later status never overtakes an earlier one. */
  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((err) => this.logger.error({ err }, 'Checking access alarms failed'));
    return this.queue;
  }

  private async follow(changes: AsyncIterable<MachineAccessStatus>): Promise<void> {
    try {
      for await (const status of changes)
        void this.enqueue(async () => {
          const tracked = this.learn(status);
          if (this.started) await this.check(tracked);
        });
    } catch (err) {
      this.logger.error({ err }, 'Following the status board stopped');
    }
  }
}
