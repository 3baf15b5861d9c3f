/**
 * What does validating plant telemetry payloads cost per sample? The hand-written validator
 * of src/telemetry/presentation/telemetry-payloads.ts against the same rules written as
 * class-validator DTOs (class-transformer's plainToInstance + validateSync, as the global
 * ValidationPipe does), on batched and single-sample payloads. JSON.parse alone is the
 * baseline. Not a test; prints the median of interleaved rounds.
 *
 *   --samples N (200000)  --rounds R (5)
 */
import 'reflect-metadata';
import { plainToInstance, Type } from 'class-transformer';
import {
  IsBoolean,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  Max,
  Min,
  ValidateNested,
  validateSync,
  ValidationArguments,
  ValidatorConstraint,
  Validate,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { parseAxes, parseElectrical, parseTool } from '../src/telemetry/presentation/telemetry-payloads.js';
import { count, machineLine, median, option, printTable } from './figures.js';

const SAMPLES = option('samples', 200_000);
const ROUNDS = option('rounds', 5);
const FINITE = { allowNaN: false, allowInfinity: false };
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/i;

@ValidatorConstraint({ name: 'timestamp' })
class TimestampConstraint implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    if (typeof value === 'number') return Number.isFinite(value) && value >= Date.UTC(2000, 0, 1);
    return typeof value === 'string' && ISO_8601.test(value) && Number.isFinite(Date.parse(value));
  }
  defaultMessage(args: ValidationArguments): string {
    return `${args.property} must be an ISO-8601 time or epoch milliseconds`;
  }
}

class ElectricalDto {
  @IsOptional() @Validate(TimestampConstraint) ts?: string | number;
  @IsNumber(FINITE) current: number;
  @IsNumber(FINITE) voltage: number;
}

class AxisDto {
  @IsNumber(FINITE) actual: number;
  @IsNumber(FINITE) target: number;
  @IsNumber(FINITE) velocity: number;
  @IsNumber(FINITE) acceleration: number;
  @IsBoolean() homed: boolean;
}

class AxesMapDto {
  @IsOptional() @ValidateNested() @Type(() => AxisDto) X?: AxisDto;
  @IsOptional() @ValidateNested() @Type(() => AxisDto) Y?: AxisDto;
  @IsOptional() @ValidateNested() @Type(() => AxisDto) Z?: AxisDto;
  @IsOptional() @ValidateNested() @Type(() => AxisDto) A?: AxisDto;
  @IsOptional() @ValidateNested() @Type(() => AxisDto) C?: AxisDto;
}

class AxesDto {
  @IsOptional() @Validate(TimestampConstraint) ts?: string | number;
  @IsObject() @ValidateNested() @Type(() => AxesMapDto) axes: AxesMapDto;
}

class ToolDto {
  @IsOptional() @Validate(TimestampConstraint) ts?: string | number;
  @IsOptional() @IsInt() @Min(0) @Max(2_147_483_647) toolInUse?: number;
  @IsOptional() @IsNumber(FINITE) toolOffset?: number;
  @IsOptional() @IsNumber(FINITE) feedrate?: number;
}

/** Validation as the ValidationPipe does it; a payload with errors would be refused. */
function classValidator<T extends object>(dto: new () => T) {
  return (payload: Buffer): number => {
    const json: unknown = JSON.parse(payload.toString('utf8'));
    const items = (Array.isArray(json) ? json : [json]) as object[];
    let valid = 0;
    for (const item of items) {
      const instance = plainToInstance(dto, item);
      if (validateSync(instance, { forbidUnknownValues: false }).length === 0) valid++;
    }
    if (valid !== items.length) throw new Error('the benchmark payload should be valid');
    return valid;
  };
}

const start = Date.now() - 60_000;
const electrical = (i: number) => ({ ts: start + i, current: 120.5 + (i % 7), voltage: 23.25 + (i % 3) });
const axis = (i: number) => ({
  actual: i * 0.01,
  target: i * 0.01 + 5,
  velocity: 12.5,
  acceleration: 0.5,
  homed: true,
});
const axes = (i: number) => ({ ts: start + i, axes: { X: axis(i), Y: axis(i + 1), Z: axis(i + 2) } });
const tool = (i: number) => ({ ts: new Date(start + i).toISOString(), toolInUse: 3, toolOffset: 1.25, feedrate: 800 });

interface Case {
  name: string;
  /** Samples per payload (axis samples: readings × 3 axes). */
  perPayload: number;
  payloads: Buffer[];
  explicit(payload: Buffer, receivedAt: Date): unknown[];
  dto(payload: Buffer): number;
}

function payloads(make: (i: number) => object, perMessage: number, samples: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < samples; i += perMessage) {
    const items = Array.from({ length: perMessage }, (_, k) => make(i + k));
    out.push(Buffer.from(JSON.stringify(perMessage === 1 ? items[0] : items)));
  }
  return out;
}

const CASES: Case[] = [
  { name: 'electrical ×100', perPayload: 100, explicit: parseElectrical, dto: classValidator(ElectricalDto) },
  { name: 'electrical ×1', perPayload: 1, explicit: parseElectrical, dto: classValidator(ElectricalDto) },
  { name: 'axes (3 axes) ×100', perPayload: 100, explicit: parseAxes, dto: classValidator(AxesDto) },
  { name: 'tool (ISO ts) ×100', perPayload: 100, explicit: parseTool, dto: classValidator(ToolDto) },
].map((c) => {
  const make = c.name.startsWith('electrical') ? electrical : c.name.startsWith('axes') ? axes : tool;
  return { ...c, payloads: payloads(make, c.perPayload, c.name.startsWith('axes') ? SAMPLES / 3 : SAMPLES) };
});

function time(run: () => void): number {
  const started = performance.now();
  run();
  return performance.now() - started;
}

const rows = CASES.map((c) => {
  const samples = c.payloads.length * c.perPayload * (c.name.startsWith('axes') ? 3 : 1);
  const receivedAt = new Date();
  const runs = { json: [] as number[], explicit: [] as number[], dto: [] as number[] };
  for (let round = 0; round < ROUNDS + 1; round++) {
    const json = time(() => c.payloads.forEach((p) => JSON.parse(p.toString('utf8'))));
    const explicit = time(() => c.payloads.forEach((p) => c.explicit(p, receivedAt)));
    const dto = time(() => c.payloads.forEach((p) => c.dto(p)));
    // The first round warms the JIT up.
    if (round === 0) continue;
    runs.json.push(json);
    runs.explicit.push(explicit);
    runs.dto.push(dto);
  }
  const perSample = (ms: number) => ((ms * 1000) / samples).toFixed(2);
  const rate = (ms: number) => count(samples / (ms / 1000));
  return {
    payload: c.name,
    'JSON.parse µs/sample': perSample(median(runs.json)),
    'explicit µs/sample': perSample(median(runs.explicit)),
    'class-validator µs/sample': perSample(median(runs.dto)),
    'explicit samples/s': rate(median(runs.explicit)),
    'class-validator samples/s': rate(median(runs.dto)),
  };
});

printTable(
  `Payload validation, ${count(SAMPLES)} samples per case, median of ${ROUNDS} rounds; ${machineLine()}`,
  rows,
);
