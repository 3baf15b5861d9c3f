import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { LogThrottle } from '../observability/log-throttle.js';
import { MqttService } from '../mqtt/mqtt.service.js';
import { MetricsService } from '../observability/metrics.service.js';
import { OwnershipRepository } from './ownership.repository.js';

/** Keys (source ids) fall into this many buckets; a bucket is what a lease covers. */
export const OWNERSHIP_BUCKETS = 64;

export function bucketOf(key: number): number {
  return ((key % OWNERSHIP_BUCKETS) + OWNERSHIP_BUCKETS) % OWNERSHIP_BUCKETS;
}

/** What owning keys means to its users (derived-state runners); unit tests implement it in memory. */
export interface SourceOwnership {
  owns(key: number): boolean;
  bucketOf(key: number): number;
  /** Processes sharing the keys, this one included. */
  members(): number;
  /** Inside the writing transaction: throws LeaseLostError unless this process holds the keys' leases. */
  fence(keys: readonly number[]): Promise<void>;
  listen(listener: OwnershipListener): void;
}

/** Told when this process starts or stops owning buckets; it must not wait for long work. */
export interface OwnershipListener {
  acquired(buckets: ReadonlySet<number>): void;
  released(buckets: ReadonlySet<number>): void;
}

/** A write on keys whose lease this process no longer holds: another process owns them now. */
export class LeaseLostError extends Error {
  constructor(keys: readonly number[]) {
    super(`This process no longer owns ${keys.length === 1 ? `key ${keys[0]}` : `${keys.length} keys`}`);
    this.name = 'LeaseLostError';
  }
}

/**
 * Which process owns which keys of derived state (machine state, anomaly levels, PV alarm
 * episodes): the keys are split into OWNERSHIP_BUCKETS buckets, each leased in PostgreSQL
 * to one process for DERIVED_STATE_LEASE_SECONDS and renewed every fifth of that.
 *
 * - One process owns every bucket. Several split them evenly: each aims at its share
 *   (buckets ÷ live members, rounded up), gives back what is over it and takes free or
 *   expired buckets up to it, so a new replica gets its share within a few renewals.
 * - A process that dies stops renewing: its leases expire and the survivors take its
 *   buckets within a lease time plus a renewal. A process that stops cleanly gives its
 *   buckets back at once.
 * - Writes of derived state are fenced (`fence`): inside the writing transaction the lease
 *   rows are checked and locked, so a process that lost a lease (paused, cut off) cannot
 *   write over the new owner; it gets LeaseLostError and lets go of the keys.
 */
@Injectable()
export class KeyOwnership implements SourceOwnership, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(KeyOwnership.name);
  private readonly failureLog = new LogThrottle(60_000);
  /** This process, as the lease tables name it: unique per start, readable in a psql session. */
  readonly member = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly ttlMs: number;
  private readonly renewMs: number;
  private held = new Set<number>();
  private alive = 1;
  private readonly listeners: OwnershipListener[] = [];
  private timer?: NodeJS.Timeout;
  private tick?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly repository: OwnershipRepository,
    private readonly mqtt: MqttService,
    config: AppConfig,
    metrics: MetricsService,
  ) {
    this.ttlMs = config.DERIVED_STATE_LEASE_SECONDS * 1000;
    this.renewMs = Math.max(100, Math.floor(this.ttlMs / 5));
    const held = () => this.held.size;
    const alive = () => this.alive;
    metrics.gauge(
      'plantgraph_ownership_buckets_held',
      'Buckets of derived-state keys this process owns',
      [],
      function () {
        this.set(held());
      },
    );
    metrics.gauge(
      'plantgraph_ownership_members',
      'Processes sharing the derived-state keys, as last seen',
      [],
      function () {
        this.set(alive());
      },
    );
  }

  /** Before MQTT connects: a single process starts owning every key, so no sample waits for a lease. */
  async onModuleInit(): Promise<void> {
    await this.renewal();
    this.schedule();
  }

  /**
   * Gives every bucket back at once, so that the other replicas need not wait for the leases
   * to expire — after this replica handled its last message: samples it would store after the
   * hand-over could reach their new owner too late to be applied in time order.
   */
  async onModuleDestroy(): Promise<void> {
    await this.mqtt.quiesce();
    this.stopped = true;
    clearTimeout(this.timer);
    await this.tick;
    const given = this.held;
    this.held = new Set();
    if (given.size) this.notify('released', given);
    await this.repository.leave(this.member).catch((error: Error) => {
      this.logger.warn(`Giving the derived-state leases back failed (they expire by themselves): ${error.message}`);
    });
  }

  /** Registers a listener and tells it what is owned already. */
  listen(listener: OwnershipListener): void {
    this.listeners.push(listener);
    if (this.held.size) listener.acquired(new Set(this.held));
  }

  owns(key: number): boolean {
    return this.held.has(bucketOf(key));
  }

  bucketOf(key: number): number {
    return bucketOf(key);
  }

  /** Live processes sharing the keys, this one included, as of the last renewal. */
  members(): number {
    return this.alive;
  }

  /** Inside a transaction: throws LeaseLostError unless this process holds every key's lease (kept until it commits). */
  async fence(keys: readonly number[]): Promise<void> {
    const buckets = [...new Set(keys.map(bucketOf))];
    if (!buckets.length) return;
    if (!(await this.repository.holds(this.member, buckets))) throw new LeaseLostError(keys);
  }

  /** One renewal now (tests, and a caller that wants a change seen without waiting). */
  renewNow(): Promise<void> {
    return this.renewal();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.renewal().finally(() => this.schedule()), this.renewMs);
    this.timer.unref();
  }

  private renewal(): Promise<void> {
    this.tick ??= this.rebalance()
      .catch((error: Error) => {
        const suppressed = this.failureLog.take('renewal');
        if (suppressed !== undefined)
          this.logger.warn(`Renewing the derived-state leases failed, retrying: ${error.message}`);
      })
      .finally(() => (this.tick = undefined));
    return this.tick;
  }

  private async rebalance(): Promise<void> {
    if (this.stopped) return;
    this.alive = await this.repository.heartbeat(this.member, this.ttlMs);
    const renewed = new Set(await this.repository.renew(this.member, this.ttlMs));
    const lost = difference(this.held, renewed);
    this.held = renewed;
    if (lost.size) {
      this.logger.warn(`Lost the lease of ${lost.size} bucket(s) of derived-state keys: another replica owns them now`);
      this.notify('released', lost);
    }
    const share = Math.ceil(OWNERSHIP_BUCKETS / this.alive);
    if (this.held.size > share) {
      const extra = new Set([...this.held].sort((a, b) => b - a).slice(0, this.held.size - share));
      for (const bucket of extra) this.held.delete(bucket);
      this.notify('released', extra);
      await this.repository.release(this.member, [...extra]);
    } else if (this.held.size < share) {
      const taken = await this.repository.acquire(this.member, share - this.held.size, this.ttlMs);
      if (taken.length) {
        for (const bucket of taken) this.held.add(bucket);
        this.notify('acquired', new Set(taken));
      }
    }
  }

  private notify(event: keyof OwnershipListener, buckets: ReadonlySet<number>): void {
    for (const listener of this.listeners) listener[event](buckets);
  }
}

function difference(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  return new Set([...a].filter((x) => !b.has(x)));
}
