import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { applyRules, requireFields, throwIfProblems, withoutUndefined } from '../../shared/validation/field-rules.js';
import {
  LEAK_CANDIDATE_RULES,
  REFERENCE_LEAK_CANDIDATES,
  type LeakCandidate,
  type LeakCandidateFields,
} from '../domain/leak-candidates.js';
import { simulateLeaks, type LeakAtSensor, type LeakSimulationInput } from '../domain/leak-simulation.js';
import { checkPlumeParameters, type PlumeParameters } from '../domain/plume-model.js';
import { PLUME_PARAMETER_RULES } from '../domain/plume-parameters.js';
import {
  DEFAULT_CURRENT_INTERVAL_SECONDS,
  parseSeaCurrentsCsv,
  type SeaCurrentRow,
  type SeaCurrentsCsvOptions,
} from '../domain/sea-currents.js';
import { LeakRegistryService } from './leak-registry.service.js';
import {
  LeakCandidateRepository,
  PlumeParametersRepository,
  SeaCurrentRepository,
} from './leak-simulation-inputs.ports.js';

type Page = { offset: number; limit: number };

export interface CurrentsImport {
  imported: number;
  /** Rows that replaced one the template already had at the same time. */
  replaced: number;
  from: Date;
  to: Date;
}

export type CandidateSimulation =
  | {
      supported: true;
      /** The current rows simulated (the newest at or before `at`), oldest first. */
      currents: SeaCurrentRow[];
      leaks: (LeakAtSensor & { candidate: LeakCandidate })[];
    }
  | { supported: false; reason: string; currents: SeaCurrentRow[]; leaks: [] };

/** A window of readings is `window` points; the sensor-response filter turns n + 1 current rows into n points. */
const MIN_CURRENT_ROWS = 2;

/**
 * What the simulation on CRITICAL runs on, as data: candidate leaks and sea currents per
 * template, and the plume model's parameters. `simulate` is the caller of the domain's
 * simulateLeaks: a sensor's template, its candidates, the currents up to a time and the stored
 * parameters, one series per candidate.
 */
@Injectable()
export class LeakSimulationInputsService implements OnModuleInit {
  constructor(
    private readonly registry: LeakRegistryService,
    private readonly candidates: LeakCandidateRepository,
    private readonly currents: SeaCurrentRepository,
    private readonly plume: PlumeParametersRepository,
  ) {}

  onModuleInit(): void {
    this.registry.registerTemplateDeletionParticipant({
      what: 'candidate leaks',
      count: (scope) => this.candidates.count(scope),
    });
    this.registry.registerTemplateDeletionParticipant({
      what: 'sea current rows',
      count: (scope) => this.currents.count(scope),
    });
  }

  // Candidate leaks.

  async listCandidates(templateId: number, page: Page): Promise<PageResult<LeakCandidate>> {
    await this.registry.getTemplate(templateId);
    return this.candidates.list(templateId, page);
  }

  async getCandidate(id: number): Promise<LeakCandidate> {
    return (await this.candidates.find(id)) ?? notFound(id);
  }

  async createCandidate(templateId: number, command: Partial<LeakCandidateFields>): Promise<LeakCandidate> {
    await this.registry.getTemplate(templateId);
    const { fields, problems } = applyRules(command, LEAK_CANDIDATE_RULES);
    throwIfProblems('candidate leak', {
      ...problems,
      ...requireFields(command, ['name', 'x', 'y', 'z', 'rate', 'duration']),
    });
    return this.candidates.create(templateId, fields as LeakCandidateFields);
  }

  async updateCandidate(id: number, command: Partial<LeakCandidateFields>): Promise<LeakCandidate> {
    await this.getCandidate(id);
    const { fields, problems } = applyRules(withoutUndefined(command), LEAK_CANDIDATE_RULES);
    throwIfProblems('candidate leak', problems);
    return this.candidates.update(id, fields);
  }

  async deleteCandidate(id: number): Promise<LeakCandidate> {
    const candidate = await this.getCandidate(id);
    await this.candidates.delete(id);
    return candidate;
  }

  /**
   * Gives a template without candidate leaks the reference's five, and one without sea currents
   * the rows of `currentsCsv` (no time column) ending at `endsAt`, 10 minutes apart: the
   * simulator's demo templates. Returns what was added.
   */
  async addDemoInputsIfNone(
    templateId: number,
    currentsCsv: string,
    endsAt: Date,
  ): Promise<{ candidates: number; currents: number }> {
    let candidates = 0;
    let currents = 0;
    if ((await this.candidates.count({ templateId })) === 0) {
      for (const candidate of REFERENCE_LEAK_CANDIDATES) await this.candidates.create(templateId, { ...candidate });
      candidates = REFERENCE_LEAK_CANDIDATES.length;
    }
    if ((await this.currents.count({ templateId })) === 0) {
      const rows = parseSeaCurrentsCsv(currentsCsv, { startsAt: new Date(0) });
      const step = DEFAULT_CURRENT_INTERVAL_SECONDS * 1000;
      const startsAt = new Date(endsAt.getTime() - (rows.length - 1) * step);
      currents = (await this.importCurrents(templateId, currentsCsv, { startsAt })).imported;
    }
    return { candidates, currents };
  }

  // Sea currents.

  /** Checks every row first; stores all of them in one transaction, or refuses the file naming every bad row. */
  async importCurrents(templateId: number, csv: string, options: SeaCurrentsCsvOptions): Promise<CurrentsImport> {
    await this.registry.getTemplate(templateId);
    const rows = parseSeaCurrentsCsv(csv, options);
    const { replaced } = await this.currents.store(templateId, rows);
    return { imported: rows.length, replaced, from: rows[0].at, to: rows[rows.length - 1].at };
  }

  async listCurrents(
    templateId: number,
    window: { from: Date; to: Date },
    page: Page,
  ): Promise<PageResult<SeaCurrentRow>> {
    await this.registry.getTemplate(templateId);
    if (!(window.from.getTime() < window.to.getTime()))
      throw new InvalidInputError('The window is empty', { to: 'must be later than from' });
    return this.currents.list(templateId, window, page);
  }

  // Plume model parameters.

  plumeParameters(): Promise<PlumeParameters> {
    return this.plume.get();
  }

  async updatePlumeParameters(command: Partial<PlumeParameters>): Promise<PlumeParameters> {
    const { fields, problems } = applyRules(withoutUndefined(command), PLUME_PARAMETER_RULES);
    throwIfProblems('plume parameters', problems);
    checkPlumeParameters({ ...(await this.plume.get()), ...fields });
    return this.plume.update(fields);
  }

  // The simulation's inputs, assembled.

  /**
   * Every candidate of the sensor's template simulated at the sensor over the newest
   * `window + 1` current rows at or before `at` (a window of readings), with the stored plume
   * parameters. A closed or semi-closed template gives `supported: false` and the reason.
   */
  async simulate(sensorName: string, at: Date): Promise<CandidateSimulation> {
    const { input, candidates, currents } = await this.simulationInput(sensorName, at);
    const simulation = simulateLeaks(input);
    if (!simulation.supported) return { supported: false, reason: simulation.message, currents, leaks: [] };
    return {
      supported: true,
      currents,
      leaks: simulation.leaks.map((leak, k) => ({ ...leak, candidate: candidates[k] })),
    };
  }

  /**
   * The domain simulation's input for the sensor at `at` (the candidates in its order, and the
   * current rows it covers): for `simulate` here, and for investigations run in a worker.
   * Throws InvalidInputError naming `at` when the template lacks current rows up to then.
   */
  async simulationInput(
    sensorName: string,
    at: Date,
  ): Promise<{ input: LeakSimulationInput; candidates: LeakCandidate[]; currents: SeaCurrentRow[] }> {
    const sensor = await this.registry.getSensorByName(sensorName);
    const template = await this.registry.getTemplate(sensor.templateId);
    const currents = await this.currents.latest(template.id, at, sensor.window + 1);
    if (currents.length < MIN_CURRENT_ROWS) {
      throw new InvalidInputError(`The template has ${currents.length} sea current rows up to ${at.toISOString()}`, {
        at: `the template needs at least ${MIN_CURRENT_ROWS} sea current rows up to this time (importLeakSeaCurrents)`,
      });
    }
    const candidates = await this.candidates.all(template.id);
    const input: LeakSimulationInput = {
      // Degrees to radians: the bearing of the template's y axis, as registry.ts and toCurrentFrame define it.
      template: {
        angleFromNorth: (template.angleFromNorth * Math.PI) / 180,
        roofHeight: template.roofHeight,
        porosity: template.porosity,
        wallArea: template.wallArea,
        inclination: template.inclination,
      },
      sensor: { x: sensor.x, y: sensor.y, z: sensor.z },
      leaks: candidates.map(({ x, y, z, rate }) => ({ x, y, z, rate })),
      currents: currents.map(({ u, v }) => ({ u, v })),
      plume: await this.plume.get(),
    };
    return { input, candidates, currents };
  }
}

function notFound(id: number): never {
  throw new NotFoundError('Candidate leak', id);
}
