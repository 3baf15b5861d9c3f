import { describe, expect, it } from '@jest/globals';
import { SamplePipeline } from './sample-pipeline.js';

interface Row {
  machineId: number;
  ts: number;
}

/** A table with a primary key, and listeners that may fail. */
function harness() {
  const stored = new Set<string>();
  const delivered: Row[][] = [];
  let failNext = false;
  const sut = new SamplePipeline<Row>({
    write: async (rows) => {
      await new Promise((resolve) => setImmediate(resolve));
      return rows.filter((row) => {
        const key = `${row.machineId}|${row.ts}`;
        if (stored.has(key)) return false;
        stored.add(key);
        return true;
      });
    },
    deliver: async (rows) => {
      if (failNext) {
        failNext = false;
        throw new Error('listener failed');
      }
      delivered.push([...rows]);
    },
    key: (row) => `${row.machineId}|${row.ts}`,
    compare: (a, b) => a.machineId - b.machineId || a.ts - b.ts,
  });
  return {
    sut,
    delivered,
    failOnce: () => (failNext = true),
  };
}

describe('SamplePipeline', () => {
  it('hands the new rows of concurrent writes on in one call, sorted by machine and time', async () => {
    const { sut, delivered } = harness();
    await Promise.all([
      sut.ingest([{ machineId: 2, ts: 5 }]),
      sut.ingest([
        { machineId: 1, ts: 9 },
        { machineId: 1, ts: 3 },
      ]),
    ]);
    expect(delivered).toEqual([
      [
        { machineId: 1, ts: 3 },
        { machineId: 1, ts: 9 },
        { machineId: 2, ts: 5 },
      ],
    ]);
  });

  it('does not hand duplicates on', async () => {
    const { sut, delivered } = harness();
    await sut.ingest([{ machineId: 1, ts: 1 }]);
    await sut.ingest([
      { machineId: 1, ts: 1 },
      { machineId: 1, ts: 2 },
    ]);
    expect(delivered).toEqual([[{ machineId: 1, ts: 1 }], [{ machineId: 1, ts: 2 }]]);
  });

  it('hands rows on at the retry of a message whose hand-off failed, though they are stored by then', async () => {
    const { sut, delivered, failOnce } = harness();
    failOnce();
    const message = [{ machineId: 1, ts: 1 }];
    await expect(sut.ingest(message)).rejects.toThrow('listener failed');
    await sut.ingest(message);
    await sut.ingest(message);
    expect(delivered).toEqual([[{ machineId: 1, ts: 1 }]]);
  });
});
