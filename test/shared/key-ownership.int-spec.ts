import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config.js';
import type { MqttService } from '../../src/shared/mqtt/mqtt.service.js';
import { MetricsService } from '../../src/shared/observability/metrics.service.js';
import { KeyOwnership, LeaseLostError, OWNERSHIP_BUCKETS } from '../../src/shared/ownership/key-ownership.service.js';
import { OwnershipRepository } from '../../src/shared/ownership/ownership.repository.js';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * Derived-state ownership against a real PostgreSQL: processes (here several KeyOwnership
 * instances sharing one database, as replicas do) split the buckets of keys, hand them
 * over when one stops, take them over when one goes silent, and fence a process that
 * lost its lease. Leases of 1 s, renewed every 200 ms.
 */
const LEASE_SECONDS = 1;

describe('KeyOwnership (leases in PostgreSQL)', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const started: KeyOwnership[] = [];

  async function process(): Promise<{ ownership: KeyOwnership; repository: OwnershipRepository }> {
    const repository = new OwnershipRepository(dataSource);
    const config = loadConfig({ DERIVED_STATE_LEASE_SECONDS: String(LEASE_SECONDS) });
    // No MQTT here: nothing to drain before the leases are given back.
    const mqtt = { quiesce: async () => undefined } as unknown as MqttService;
    const ownership = new KeyOwnership(repository, mqtt, config, new MetricsService());
    await ownership.onModuleInit();
    started.push(ownership);
    return { ownership, repository };
  }

  const held = (ownership: KeyOwnership) =>
    Array.from({ length: OWNERSHIP_BUCKETS }, (_, key) => key).filter((key) => ownership.owns(key)).length;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase();
    dataSource = await new DataSource({ type: 'postgres', url: db.url, poolSize: 4 }).initialize();
  });

  afterEach(async () => {
    for (const ownership of started.splice(0)) await ownership.onModuleDestroy();
    await db.query("UPDATE ownership_leases SET owner = NULL, expires_at = '-infinity'");
    await db.query('DELETE FROM ownership_members');
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('gives a lone process every key at once', async () => {
    const { ownership } = await process();
    expect(held(ownership)).toBe(OWNERSHIP_BUCKETS);
    expect(ownership.members()).toBe(1);
  });

  it('splits the keys evenly with a second process, and hands them over at once when one stops cleanly', async () => {
    const { ownership: a } = await process();
    const { ownership: b } = await process();
    await waitFor(() => held(a) === OWNERSHIP_BUCKETS / 2 && held(b) === OWNERSHIP_BUCKETS / 2, {
      what: 'an even split',
      timeoutMs: 5000,
    });
    // Never two owners of a key.
    for (let key = 0; key < OWNERSHIP_BUCKETS; key++) expect(a.owns(key) !== b.owns(key)).toBe(true);

    await a.onModuleDestroy();
    started.splice(started.indexOf(a), 1);
    // Given back, not left to expire: once stopped, A holds no lease, and its keys are free at once.
    const [{ kept, given }] = await dataSource.query(
      `SELECT count(*) FILTER (WHERE owner = $1)::int AS kept,
              count(*) FILTER (WHERE owner IS NULL OR owner = $2)::int AS given
         FROM ownership_leases`,
      [a.member, b.member],
    );
    expect(kept).toBe(0);
    expect(given).toBe(OWNERSHIP_BUCKETS);
    await waitFor(() => held(b) === OWNERSHIP_BUCKETS, { what: 'every key at the survivor', timeoutMs: 5000 });
  });

  it('takes over the keys of a process that went silent once its leases expire, and fences that process', async () => {
    const { ownership: a, repository: aRepository } = await process();
    const { ownership: b } = await process();
    await waitFor(() => held(b) === OWNERSHIP_BUCKETS / 2, { what: 'an even split', timeoutMs: 5000 });
    const aKey = Array.from({ length: OWNERSHIP_BUCKETS }, (_, key) => key).find((key) => a.owns(key))!;

    // A stalls (a long pause, a partition): it renews nothing any more, but still thinks it owns its keys.
    const cutOff = () => Promise.reject(new Error('paused'));
    Object.assign(aRepository, { heartbeat: cutOff, renew: cutOff, acquire: cutOff, release: cutOff, leave: cutOff });
    const silentAt = Date.now();
    await waitFor(() => held(b) === OWNERSHIP_BUCKETS, { what: 'the takeover', timeoutMs: 10_000 });
    const took = Date.now() - silentAt;
    expect(took).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000 * 0.5);
    expect(took).toBeLessThan(LEASE_SECONDS * 1000 * 3 + 1000);

    // A wakes up believing it owns aKey: its write is refused inside the transaction.
    expect(a.owns(aKey)).toBe(true);
    await expect(dataSource.transaction(() => a.fence([aKey]))).rejects.toBeInstanceOf(LeaseLostError);
    await expect(dataSource.transaction(() => b.fence([aKey]))).resolves.toBeUndefined();
  });
});
