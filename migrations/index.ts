import { Access1795261138451 } from './1795261138451-Access.js';
import { MachinesAndTelemetry1795253385343 } from './1795253385343-MachinesAndTelemetry.js';
import { Identity1795251411575 } from './1795251411575-Identity.js';
import { TelemetryRollups1795261304976 } from './1795261304976-TelemetryRollups.js';
import { IngestionAndOwnership1796321000000 } from './1796321000000-IngestionAndOwnership.js';
import { LeakDetection1796329314368 } from './1796329314368-LeakDetection.js';
import { AnomalyScorers1796335000000 } from './1796335000000-AnomalyScorers.js';
import { Jobs1796340000000 } from './1796340000000-Jobs.js';
import { Experiments1796341000000 } from './1796341000000-Experiments.js';
import { LeakSimulationInputs1796342000000 } from './1796342000000-LeakSimulationInputs.js';
import { Outbox1796343000000 } from './1796343000000-Outbox.js';
import { LeakInvestigations1796344000000 } from './1796344000000-LeakInvestigations.js';
import { SensorBaselines1796345000000 } from './1796345000000-SensorBaselines.js';
import { PvThresholds1796346000000 } from './1796346000000-PvThresholds.js';
import { Alarms1796350000000 } from './1796350000000-Alarms.js';
import { AlarmNotifications1796351000000 } from './1796351000000-AlarmNotifications.js';
import { AlarmConditions1796352000000 } from './1796352000000-AlarmConditions.js';
import { RefreshTokenSuccessors1796360000000 } from './1796360000000-RefreshTokenSuccessors.js';

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
  IngestionAndOwnership1796321000000,
  LeakDetection1796329314368,
  AnomalyScorers1796335000000,
  Jobs1796340000000,
  Experiments1796341000000,
  LeakSimulationInputs1796342000000,
  Outbox1796343000000,
  LeakInvestigations1796344000000,
  SensorBaselines1796345000000,
  PvThresholds1796346000000,
  Alarms1796350000000,
  AlarmNotifications1796351000000,
  AlarmConditions1796352000000,
  RefreshTokenSuccessors1796360000000,
  // Next migration here (one per line).
];
