import { describe, expect, it } from '@jest/globals';
import type { PageResult } from '../../shared/graphql/pagination.js';
import type { LeakCandidate, LeakCandidateFields } from '../domain/leak-candidates.js';
import { simulateLeaks } from '../domain/leak-simulation.js';
import { DEFAULT_PLUME_PARAMETERS, type PlumeParameters } from '../domain/plume-model.js';
import type { Sensor, Template } from '../domain/registry.js';
import type { SeaCurrentRow } from '../domain/sea-currents.js';
import type { LeakRegistryService } from './leak-registry.service.js';
import {
  LeakCandidateRepository,
  PlumeParametersRepository,
  SeaCurrentRepository,
  type TemplateScope,
} from './leak-simulation-inputs.ports.js';
import { LeakSimulationInputsService } from './leak-simulation-inputs.service.js';

const T0 = Date.UTC(2026, 0, 5);
const TEMPLATE: Template = {
  id: 7,
  fieldId: 1,
  name: 'T',
  angleFromNorth: 30,
  height: null,
  roofHeight: null,
  porosity: null,
  wallArea: null,
  inclination: null,
  internalVolume: null,
  length: null,
  width: null,
};
const SENSOR = { id: 3, templateId: 7, name: 'S', x: 6, y: 4, z: 4.5, window: 144 } as Sensor;

class MemoryCandidates extends LeakCandidateRepository {
  rows: LeakCandidate[] = [];
  list(): Promise<PageResult<LeakCandidate>> {
    return Promise.resolve({ items: this.rows, totalCount: this.rows.length, offset: 0, limit: 50 });
  }
  all(templateId: number) {
    return Promise.resolve(this.rows.filter((r) => r.templateId === templateId));
  }
  find(id: number) {
    return Promise.resolve(this.rows.find((r) => r.id === id) ?? null);
  }
  create(templateId: number, fields: LeakCandidateFields) {
    const row = { ...fields, id: this.rows.length + 1, templateId };
    this.rows.push(row);
    return Promise.resolve(row);
  }
  update(): Promise<LeakCandidate> {
    throw new Error('not used');
  }
  delete(): Promise<void> {
    throw new Error('not used');
  }
  count(scope: TemplateScope) {
    return Promise.resolve(this.rows.filter((r) => 'templateId' in scope && r.templateId === scope.templateId).length);
  }
}

class MemoryCurrents extends SeaCurrentRepository {
  rows: SeaCurrentRow[] = [];
  store(_templateId: number, rows: readonly SeaCurrentRow[]) {
    this.rows.push(...rows);
    return Promise.resolve({ replaced: 0 });
  }
  list(): Promise<PageResult<SeaCurrentRow>> {
    throw new Error('not used');
  }
  latest(_templateId: number, at: Date, count: number) {
    return Promise.resolve(this.rows.filter((r) => r.at <= at).slice(-count));
  }
  count() {
    return Promise.resolve(this.rows.length);
  }
}

class MemoryPlume extends PlumeParametersRepository {
  parameters: PlumeParameters = { ...DEFAULT_PLUME_PARAMETERS };
  get() {
    return Promise.resolve({ ...this.parameters });
  }
  update(changes: Partial<PlumeParameters>) {
    Object.assign(this.parameters, changes);
    return this.get();
  }
}

function setUp(template: Template = TEMPLATE) {
  const registry = {
    getTemplate: async () => template,
    getSensorByName: async () => SENSOR,
  } as unknown as LeakRegistryService;
  const candidates = new MemoryCandidates();
  const currents = new MemoryCurrents();
  const plume = new MemoryPlume();
  const sut = new LeakSimulationInputsService(registry, candidates, currents, plume);
  return { sut, candidates, currents, plume };
}

const tidalCsv = (rows: number) =>
  [
    'u,v',
    ...Array.from({ length: rows }, (_, k) => `${0.12 * Math.cos(k / 12)},${0.05 * Math.sin(k / 12) + 0.02}`),
  ].join('\n');

describe('LeakSimulationInputsService', () => {
  it("gives a template the reference's five candidates and a day of currents once", async () => {
    const { sut, candidates, currents } = setUp();
    const endsAt = new Date(T0);
    expect(await sut.addDemoInputsIfNone(7, tidalCsv(145), endsAt)).toEqual({ candidates: 5, currents: 145 });
    expect(await sut.addDemoInputsIfNone(7, tidalCsv(145), endsAt)).toEqual({ candidates: 0, currents: 0 });
    expect(candidates.rows.map((c) => c.name)).toEqual(['LMF1', 'LMF2', 'LMF3', 'LMF4', 'LPFL']);
    expect(currents.rows.at(-1)!.at).toEqual(endsAt);
    expect(currents.rows[0].at).toEqual(new Date(T0 - 144 * 600_000));
  });

  it('simulates every candidate over the newest window + 1 rows with the stored parameters, the angle in radians', async () => {
    const { sut, currents, plume } = setUp();
    await sut.addDemoInputsIfNone(7, tidalCsv(200), new Date(T0));
    plume.parameters.alpha = 0.5;
    const at = new Date(T0 - 10 * 600_000);
    const simulation = await sut.simulate('S', at);
    if (!simulation.supported) throw new Error(simulation.reason);
    const used = currents.rows.filter((r) => r.at <= at).slice(-145);
    expect(simulation.currents).toEqual(used);
    const expected = simulateLeaks({
      template: { angleFromNorth: Math.PI / 6 },
      sensor: SENSOR,
      leaks: simulation.leaks.map((l) => l.candidate),
      currents: used,
      plume: { ...DEFAULT_PLUME_PARAMETERS, alpha: 0.5 },
    });
    if (!expected.supported) throw new Error(expected.message);
    expect(simulation.leaks.map((l) => l.response)).toEqual(expected.leaks.map((l) => l.response));
    expect(simulation.leaks[0].response).toHaveLength(144);
  });

  it('refuses a simulation without currents, naming `at`, and says a roofed template is not supported', async () => {
    const { sut } = setUp();
    await expect(sut.simulate('S', new Date(T0))).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { fields: { at: expect.any(String) } },
    });
    const roofed = setUp({ ...TEMPLATE, roofHeight: 6, internalVolume: 100 });
    await roofed.sut.addDemoInputsIfNone(7, tidalCsv(10), new Date(T0));
    expect(await roofed.sut.simulate('S', new Date(T0))).toMatchObject({ supported: false, leaks: [] });
  });

  it('changes plume parameters only when all are in range, naming each bad one', async () => {
    const { sut, plume } = setUp();
    await expect(sut.updatePlumeParameters({ a: -1, q: 0, depth: 90 })).rejects.toMatchObject({
      details: { fields: { a: 'must be greater than 0', q: 'must be greater than 0' } },
    });
    expect(plume.parameters.depth).toBe(70);
    expect(await sut.updatePlumeParameters({ depth: 90 })).toMatchObject({ depth: 90, a: 5.5 });
  });
});
