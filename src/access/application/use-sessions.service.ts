import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { Transactions } from '../../shared/database/transactions.js';
import {
  closeAtLastHeartbeat,
  decideHeartbeat,
  decideStart,
  decideStop,
  isOrphaned,
  isValidBoardDuration,
  ORPHAN_AFTER_MS,
  type UseClosing,
} from '../domain/use.js';
import { UseRepository, type OpenAndLatestUse } from './access.ports.js';

/** What a use message did: whether the machine's access status may have moved. */
export interface UseOutcome {
  changed: boolean;
}

export interface HeartbeatOutcome extends UseOutcome {
  /** False when the board's duration was out of range: nothing changed. */
  accepted: boolean;
}

export interface StopOutcome extends UseOutcome {
  /** The duration the stop counts (the board's, or 1 s when out of range). */
  seconds: number;
}

const ORPHANS_PER_PASS = 500;

/**
 * Applies the use rules of domain/use.ts. Each message is one transaction holding the
 * machine's lock (so replicas and a concurrent orphan pass see one order), and the seconds a
 * closed use counts are added to the machine's hours in that same transaction.
 * "Now" is always the message's receive time.
 */
@Injectable()
export class UseSessionsService {
  constructor(
    private readonly uses: UseRepository,
    private readonly machines: MachinesService,
    private readonly transactions: Transactions,
  ) {}

  start(machineId: number, userId: string, at: Date, replay: boolean): Promise<UseOutcome> {
    return this.inMachineLock(machineId, async ({ open }) => {
      const decision = decideStart(open, machineId, userId, at, replay);
      if (decision.kind === 'keep') return { changed: false };
      if (decision.close) await this.close(machineId, decision.close);
      await this.uses.insert(decision.open);
      return { changed: true };
    });
  }

  async heartbeat(machineId: number, userId: string, durationSeconds: number, at: Date): Promise<HeartbeatOutcome> {
    // The common case, a heartbeat of the open use, is one statement: no transaction, no lock.
    // Without an open use (a missed start) the full rule runs under the machine's lock.
    if (isValidBoardDuration(durationSeconds) && (await this.uses.refreshOpen(machineId, at)))
      return { accepted: true, changed: false };
    return this.inMachineLock(machineId, async ({ open }) => {
      const decision = decideHeartbeat(open, machineId, userId, durationSeconds, at);
      switch (decision.kind) {
        case 'refused':
          return { accepted: false, changed: false };
        case 'refresh':
          await this.uses.refresh(decision.useId, decision.lastSeenAt);
          return { accepted: true, changed: false };
        case 'open':
          await this.uses.insert(decision.open);
          return { accepted: true, changed: true };
      }
    });
  }

  stop(machineId: number, userId: string, durationSeconds: number, at: Date, replay: boolean): Promise<StopOutcome> {
    return this.inMachineLock(machineId, async ({ open, latest }) => {
      const decision = decideStop(open, latest, machineId, userId, durationSeconds, at, replay);
      switch (decision.kind) {
        case 'duplicate':
          return { seconds: decision.use.reportedDurationSeconds ?? 0, changed: false };
        case 'close':
        case 'correct':
          await this.uses.close(decision.close, decision.kind === 'correct');
          await this.machines.addUsageSeconds(machineId, decision.addSeconds);
          return { seconds: decision.close.countedSeconds, changed: true };
        case 'record':
          await this.uses.insert(decision.open);
          await this.machines.addUsageSeconds(machineId, decision.addSeconds);
          return { seconds: decision.addSeconds, changed: true };
      }
    });
  }

  /**
   * Closes the uses silent for an hour at their last heartbeat (a rebooted board never sends
   * the stop). Each is re-checked under its machine's lock, so that a pass on another replica
   * or a message that arrived meanwhile is never overridden: hours are added once.
   * Returns the machines whose use was closed.
   */
  async closeOrphans(now: Date): Promise<number[]> {
    const candidates = await this.uses.findOrphaned(new Date(now.getTime() - ORPHAN_AFTER_MS), ORPHANS_PER_PASS);
    const closed: number[] = [];
    for (const candidate of candidates) {
      const done = await this.inMachineLock(candidate.machineId, async ({ open }) => {
        if (!open || open.id !== candidate.id || !isOrphaned(open, now)) return false;
        await this.close(candidate.machineId, closeAtLastHeartbeat(open, 'orphaned'));
        return true;
      });
      if (done) closed.push(candidate.machineId);
    }
    return closed;
  }

  private async close(machineId: number, closing: UseClosing): Promise<void> {
    await this.uses.close(closing, false);
    await this.machines.addUsageSeconds(machineId, closing.countedSeconds);
  }

  private inMachineLock<T>(machineId: number, work: (uses: OpenAndLatestUse) => Promise<T>): Promise<T> {
    return this.transactions.run(async () => {
      await this.uses.lockMachine(machineId);
      return work(await this.uses.openAndLatest(machineId));
    });
  }
}
