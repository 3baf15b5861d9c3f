import { Access1795261138451 } from './1795261138451-Access.js';
import { MachinesAndTelemetry1795253385343 } from './1795253385343-MachinesAndTelemetry.js';
import { Identity1795251411575 } from './1795251411575-Identity.js';
import { TelemetryRollups1795261304976 } from './1795261304976-TelemetryRollups.js';

/**
 * Every migration, in order. TypeORM is given classes rather than a glob so that the
 * service, the CLI and the tests (ESM, TypeScript) load exactly the same list.
 * A test checks that every file in this folder is listed here.
 */
export const MIGRATIONS: Function[] = [
  Identity1795251411575,
  MachinesAndTelemetry1795253385343,
  Access1795261138451,
  TelemetryRollups1795261304976,
  // Next migration here (one per line).
];
