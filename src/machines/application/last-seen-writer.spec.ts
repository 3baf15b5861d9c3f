import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { LastSeenWriter, type SeenAt } from './last-seen-writer.js';

const at = (second: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, second));

/** A database stand-in: what each write statement got, failing or leaving rows busy on demand. */
function database() {
  const writes: SeenAt[][] = [];
  const failures: string[] = [];
  let down = false;
  let busy = new Set<number>();
  const sut = new LastSeenWriter({
    write: async (seen) => {
      if (down) throw new Error('connection refused');
      writes.push([...seen]);
      return seen.filter((s) => busy.has(s.machineId)).map((s) => s.machineId);
    },
    intervalMs: 1_000,
    onFailure: (error) => failures.push(error.message),
    onRecovery: () => failures.push('recovered'),
  });
  return {
    sut,
    writes,
    failures,
    setDown: (value: boolean) => (down = value),
    setBusy: (ids: number[]) => (busy = new Set(ids)),
  };
}

const flushTimers = async (ms: number) => {
  await jest.advanceTimersByTimeAsync(ms);
};

describe('LastSeenWriter', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('coalesces the marks of an interval to the latest per machine, in one write, at most once per interval', async () => {
    jest.useFakeTimers();
    const db = database();
    db.sut.mark([1, 2], at(1));
    db.sut.mark([1], at(3));
    db.sut.mark([2], at(2));
    db.sut.mark([1], at(2));
    await flushTimers(999);
    expect(db.writes).toEqual([]);
    await flushTimers(1);
    expect(db.writes).toEqual([
      [
        { machineId: 1, at: at(3) },
        { machineId: 2, at: at(2) },
      ],
    ]);

    db.sut.mark([3], at(4));
    await flushTimers(500);
    expect(db.writes).toHaveLength(1);
    await flushTimers(500);
    expect(db.writes.at(-1)).toEqual([{ machineId: 3, at: at(4) }]);
    await db.sut.close();
  });

  it('keeps the marks when the database is down and writes them once it is back, telling once each way', async () => {
    jest.useFakeTimers();
    const db = database();
    db.setDown(true);
    db.sut.mark([1], at(1));
    await flushTimers(1_000);
    db.sut.mark([2], at(2));
    await flushTimers(1_000);
    expect(db.failures).toEqual(['connection refused']);
    db.setDown(false);
    db.sut.mark([1], at(0));
    await flushTimers(1_000);
    expect(db.writes).toEqual([
      [
        { machineId: 1, at: at(1) },
        { machineId: 2, at: at(2) },
      ],
    ]);
    expect(db.failures).toEqual(['connection refused', 'recovered']);
    await db.sut.close();
  });

  it('writes a machine whose row was busy with the next write', async () => {
    jest.useFakeTimers();
    const db = database();
    db.setBusy([2]);
    db.sut.mark([1, 2], at(1));
    await flushTimers(1_000);
    db.setBusy([]);
    await flushTimers(1_000);
    expect(db.writes).toEqual([
      [
        { machineId: 1, at: at(1) },
        { machineId: 2, at: at(1) },
      ],
      [{ machineId: 2, at: at(1) }],
    ]);
    await db.sut.close();
  });

  it('answers with its own latest mark until the stored value is as recent', () => {
    const db = database();
    db.sut.mark([1], at(5));
    expect(db.sut.seenAt(1, null)).toEqual(at(5));
    expect(db.sut.seenAt(1, at(3))).toEqual(at(5));
    expect(db.sut.seenAt(1, at(7))).toEqual(at(7));
    expect(db.sut.seenAt(2, at(3))).toEqual(at(3));
    db.sut.forget(1);
    expect(db.sut.seenAt(1, null)).toBeNull();
  });

  it('writes what is pending at close, and leaves no timer behind', async () => {
    const db = database();
    db.sut.mark([1], at(1));
    await db.sut.close();
    expect(db.writes).toEqual([[{ machineId: 1, at: at(1) }]]);
    db.sut.mark([2], at(2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(db.writes).toHaveLength(1);
  });
});
