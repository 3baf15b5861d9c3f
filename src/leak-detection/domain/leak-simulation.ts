import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import {
  checkPlumeParameters,
  currentDirection,
  currentSpeed,
  DEFAULT_PLUME_PARAMETERS,
  plumeConcentration,
  toCurrentFrame,
  type PlumeParameters,
  type SeaCurrent,
} from './plume-model.js';
import {
  DEFAULT_SENSOR_RESPONSE_PARAMETERS,
  sensorResponse,
  type SensorResponseParameters,
} from './sensor-response.js';
import {
  checkDragParameters,
  currentDragCoefficient,
  DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS,
  waveCurrentDragCoefficient,
  type SeaWave,
  type WaveCurrentDragParameters,
} from './wave-current-drag.js';

/**
 * What a candidate leak would make a sensor read over a series of sea currents: per current row
 * the concentration of the plume at the sensor (plume-model.ts, quasi-steady: each row is a plume
 * in equilibrium with that current), then what the sensor shows of it (sensor-response.ts).
 * Only open templates: the regression knows nothing of roofs and walls.
 */

/** One value per side of a template. */
export interface TemplateSides {
  fore: number;
  aft: number;
  port: number;
  starboard: number;
}

/** What the simulation needs to know of a template; absent or null means "none". */
export interface TemplateShape {
  /** Radians, clockwise from north to the template's y axis (see toCurrentFrame). */
  angleFromNorth: number;
  roofHeight?: number | null;
  porosity?: TemplateSides | null;
  wallArea?: TemplateSides | null;
  inclination?: TemplateSides | null;
}

export interface Position {
  x: number;
  y: number;
  z: number;
}

/** A candidate leak: where (template frame, m) and how much (kg/s). Its duration plays no part in the regression. */
export interface LeakSource extends Position {
  rate: number;
}

export interface LeakSimulationInput {
  template: TemplateShape;
  sensor: Position;
  leaks: readonly LeakSource[];
  /** Oldest first, one row per time step. */
  currents: readonly SeaCurrent[];
  /** One row per current row; without waves the drag is the current-only one. */
  waves?: readonly SeaWave[];
  plume?: PlumeParameters;
  drag?: WaveCurrentDragParameters;
  response?: SensorResponseParameters;
}

export interface LeakAtSensor {
  /** kg/m³ per current row. */
  concentrations: Float64Array;
  /** What the sensor reads, one point fewer (sensor-response.ts). */
  response: Float64Array;
  /** Share of the current rows whose concentration exceeds the detection limit, 0…1. */
  detectionRate: number;
}

export type LeakSimulation =
  | { supported: true; leaks: LeakAtSensor[] }
  | { supported: false; reason: 'ENCLOSED_TEMPLATE'; message: string; enclosedBy: (keyof TemplateShape)[] };

const ENCLOSING_FIELDS = ['roofHeight', 'porosity', 'wallArea', 'inclination'] as const;

/** The fields that make a template closed or semi-closed; empty for an open one. */
export function enclosingFields(template: TemplateShape): (keyof TemplateShape)[] {
  return ENCLOSING_FIELDS.filter((field) => template[field] !== undefined && template[field] !== null);
}

/** Results in the order of `input.leaks`. */
export function simulateLeaks(input: LeakSimulationInput): LeakSimulation {
  const enclosedBy = enclosingFields(input.template);
  if (enclosedBy.length > 0) {
    return {
      supported: false,
      reason: 'ENCLOSED_TEMPLATE',
      message: `The plume model covers open templates only; this one has ${enclosedBy.join(', ')}`,
      enclosedBy,
    };
  }
  const plume = input.plume ?? DEFAULT_PLUME_PARAMETERS;
  const drag = input.drag ?? DEFAULT_WAVE_CURRENT_DRAG_PARAMETERS;
  checkPlumeParameters(plume);
  checkDragParameters(drag);
  checkInput(input);
  const drags = dragCoefficients(input.currents, input.waves, plume.depth, drag);
  const leaks = input.leaks.map((leak) => {
    const concentrations = concentrationsAtSensor(input, leak, drags, plume);
    return {
      concentrations,
      response: sensorResponse(concentrations, input.response ?? DEFAULT_SENSOR_RESPONSE_PARAMETERS),
      detectionRate: detectionRate(concentrations, plume.detectionLimit),
    };
  });
  return { supported: true, leaks };
}

/** Share of the values strictly above the limit, 0…1 (0 for an empty series). */
export function detectionRate(concentrations: ArrayLike<number>, limit: number): number {
  if (concentrations.length === 0) return 0;
  let above = 0;
  for (let i = 0; i < concentrations.length; i++) if (concentrations[i] > limit) above++;
  return above / concentrations.length;
}

function concentrationsAtSensor(
  input: LeakSimulationInput,
  leak: LeakSource,
  drags: Float64Array,
  plume: PlumeParameters,
): Float64Array {
  const { sensor, template, currents } = input;
  const concentrations = new Float64Array(currents.length);
  for (let row = 0; row < currents.length; row++) {
    const current = currents[row];
    const { downstream, crossStream } = toCurrentFrame(
      sensor,
      leak,
      template.angleFromNorth,
      currentDirection(current),
    );
    concentrations[row] = plumeConcentration(
      {
        downstream,
        crossStream,
        leakHeight: leak.z,
        sensorHeight: sensor.z,
        currentSpeed: currentSpeed(current),
        rate: leak.rate,
        dragCoefficient: drags[row],
      },
      plume,
    );
  }
  return concentrations;
}

/** Cd per current row; it depends on the sea, not on the leak, so all leaks share it. */
function dragCoefficients(
  currents: readonly SeaCurrent[],
  waves: readonly SeaWave[] | undefined,
  depth: number,
  parameters: WaveCurrentDragParameters,
): Float64Array {
  const drags = new Float64Array(currents.length).fill(currentDragCoefficient(parameters));
  if (waves === undefined) return drags;
  for (let row = 0; row < currents.length; row++) {
    const current = { speed: currentSpeed(currents[row]), direction: currentDirection(currents[row]) };
    drags[row] = waveCurrentDragCoefficient(current, waves[row], depth, parameters);
  }
  return drags;
}

function checkInput({ template, sensor, leaks, currents, waves }: LeakSimulationInput): void {
  if (!Number.isFinite(template.angleFromNorth)) {
    throw new InvalidInputError('The template angle must be a finite number', { angleFromNorth: 'must be finite' });
  }
  if (![sensor.x, sensor.y, sensor.z].every(Number.isFinite)) {
    throw new InvalidInputError('The sensor position must be finite', { sensor: 'x, y and z must be finite' });
  }
  leaks.forEach((leak, index) => {
    if (![leak.x, leak.y, leak.z].every(Number.isFinite) || !(Number.isFinite(leak.rate) && leak.rate >= 0)) {
      throw new InvalidInputError(`Leak ${index} needs a finite position and a rate ≥ 0`, {
        [`leaks[${index}]`]: 'x, y, z must be finite and the rate ≥ 0',
      });
    }
  });
  currents.forEach(({ u, v }, row) => {
    if (!Number.isFinite(u) || !Number.isFinite(v)) {
      throw new InvalidInputError(`Current row ${row} is not finite`, {
        [`currents[${row}]`]: 'u and v must be finite',
      });
    }
  });
  if (waves !== undefined && waves.length !== currents.length) {
    throw new InvalidInputError(`${waves.length} wave rows for ${currents.length} current rows`, {
      waves: `must have one row per current row (${currents.length})`,
    });
  }
}
