import { describe, expect, it } from '@jest/globals';
import { PubSub as MemoryEngine } from 'graphql-subscriptions';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { Machine, MachineProfile } from '../domain/machine.js';
import { MachineRefSource } from './machine-directory.js';
import { MachineRepository } from './machines.ports.js';
import { MACHINES_CHANGED, MachinesService, type MachinesChangedEvent } from './machines.service.js';

/** A registry whose loads the test finishes by hand; each load sees the rows as they were when it started. */
class ManualRefSource extends MachineRefSource {
  readonly loads: Array<() => void> = [];
  rows: MachineProfile[] = [];

  loadAll(): Promise<MachineProfile[]> {
    const snapshot = [...this.rows];
    return new Promise((resolve) => this.loads.push(() => resolve(snapshot)));
  }
}

const ref = (id: number, code: string): MachineProfile => ({
  id,
  code,
  name: code,
  axes: new Set(),
  blocked: false,
  machineType: null,
});
const flush = () => new Promise((resolve) => setImmediate(resolve));
const machine = { id: 1, code: 'A', name: 'A', axes: [], tools: [] } as unknown as Machine;

async function started() {
  const refs = new ManualRefSource();
  const pubsub = new PubSub(new MemoryEngine());
  const machines = {
    findByCode: async () => machine,
    update: async () => machine,
  } as unknown as MachineRepository;
  // Part, machine-type and element-type repositories and transactions play no part in the directory.
  const sut = new MachinesService(machines, {} as never, {} as never, {} as never, refs, pubsub, {} as never);
  refs.rows = [ref(1, 'A')];
  const init = sut.onModuleInit();
  await flush();
  refs.loads[0]();
  await init;
  return { sut, refs, pubsub };
}

describe('MachinesService directory', () => {
  it('is loaded at start and answers from memory', async () => {
    const { sut } = await started();
    expect(sut.findByCode('A')?.id).toBe(1);
    expect(sut.findById(1)?.code).toBe('A');
    expect(sut.findByCode('B')).toBeUndefined();
    await sut.onModuleDestroy();
  });

  it('queues one reload behind a running one, so that an older load never overwrites a newer one', async () => {
    const { sut, refs, pubsub } = await started();
    refs.rows = [ref(1, 'OLD')];
    const local = sut.update('A', { blocked: true });
    await flush();
    expect(refs.loads).toHaveLength(2);

    refs.rows = [ref(2, 'NEW')];
    for (const origin of ['replica 2', 'replica 3', 'replica 4'])
      await pubsub.publish<MachinesChangedEvent>(MACHINES_CHANGED, { origin });
    await flush();
    expect(refs.loads).toHaveLength(2);

    refs.loads[1]();
    await local;
    await flush();
    expect(sut.allRefs().map((m) => m.code)).toEqual(['OLD']);
    expect(refs.loads).toHaveLength(3);
    refs.loads[2]();
    await flush();
    expect(sut.allRefs().map((m) => m.code)).toEqual(['NEW']);
    await sut.onModuleDestroy();
  });

  it('does not reload again on its own change event', async () => {
    const { sut, refs } = await started();
    const local = sut.update('A', { blocked: true });
    await flush();
    refs.loads[1]();
    await local;
    await flush();
    expect(refs.loads).toHaveLength(2);
    await sut.onModuleDestroy();
  });
});
