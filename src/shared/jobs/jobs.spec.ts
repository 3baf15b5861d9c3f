import { describe, expect, it } from '@jest/globals';
import { PERMISSIONS, type Permission } from '../auth/permissions.js';
import type { Principal } from '../auth/principal.js';
import { progressSpan } from './job-progress.js';
import { canRead, isFinished, percentOf, shortMessage } from './jobs.js';

const user = (id: string, roles: string[], permissions: Permission[]): Principal => ({
  id,
  email: `${id}@plantgraph.test`,
  displayName: id,
  cardUid: null,
  roles,
  permissions: new Set(permissions),
});

describe('canRead (who sees a job)', () => {
  const job = { permission: PERMISSIONS.LEAKS_WRITE, createdBy: 'alice' };

  it('lets its starter read it while they hold its permission', () => {
    expect(canRead(job, user('alice', ['manager'], [PERMISSIONS.LEAKS_WRITE]))).toBe(true);
    expect(canRead(job, user('alice', ['manager'], [PERMISSIONS.LEAKS_READ]))).toBe(false);
  });

  it("hides another's job, except from an admin holding the permission", () => {
    expect(canRead(job, user('bob', ['manager'], [PERMISSIONS.LEAKS_WRITE]))).toBe(false);
    expect(canRead(job, user('root', ['admin'], [PERMISSIONS.LEAKS_WRITE]))).toBe(true);
    expect(canRead(job, user('root', ['admin'], []))).toBe(false);
  });
});

describe('job figures', () => {
  it('percent is clamped to 0–100 with one decimal', () => {
    expect(percentOf(0.12345)).toBe(12.3);
    expect(percentOf(2)).toBe(100);
    expect(percentOf(-1)).toBe(0);
    expect(percentOf(NaN)).toBe(0);
  });

  it('messages are cut to 200 characters', () => {
    expect(shortMessage('parsing')).toBe('parsing');
    expect(shortMessage('x'.repeat(500))).toHaveLength(200);
  });

  it('finished states are final', () => {
    expect(['QUEUED', 'RUNNING'].map((s) => isFinished(s as 'QUEUED'))).toEqual([false, false]);
    expect(['SUCCEEDED', 'FAILED', 'CANCELLED'].map((s) => isFinished(s as 'FAILED'))).toEqual([true, true, true]);
  });
});

describe('progressSpan', () => {
  it('maps a part onto its span and reports steps of at least 1 %, and the end', () => {
    const seen: number[] = [];
    const sut = progressSpan((f) => seen.push(f), 0.5, 1);
    for (let i = 0; i <= 10_000; i++) sut(i / 10_000);
    expect(seen[0]).toBe(0.5);
    expect(seen.at(-1)).toBe(1);
    expect(seen.length).toBeLessThanOrEqual(52);
    expect(seen.every((f, i) => i === 0 || f - seen[i - 1] >= 0.01 - 1e-12 || f === 1)).toBe(true);
  });

  it('is a no-op without a listener', () => {
    expect(() => progressSpan(undefined, 0, 1)(0.5)).not.toThrow();
  });
});
