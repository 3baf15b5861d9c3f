import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../shared/database/database.module.js';
import { AnomalyLevelRepository } from './application/anomaly-levels.ports.js';
import { AnomalyLevelsService } from './application/anomaly-levels.service.js';
import { LeakEventsService } from './application/leak-events.service.js';
import { LeakInvestigationRepository } from './application/leak-investigations.ports.js';
import { LeakInvestigationsService } from './application/leak-investigations.service.js';
import { SensorBaselineRepository } from './application/sensor-baselines.ports.js';
import { SensorBaselinesService } from './application/sensor-baselines.service.js';
import { LeakReadingsService } from './application/leak-readings.service.js';
import { ReadingHistoryRepository } from './application/leak-readings.ports.js';
import { LeakRegistryService } from './application/leak-registry.service.js';
import {
  LeakCandidateRepository,
  PlumeParametersRepository,
  SeaCurrentRepository,
} from './application/leak-simulation-inputs.ports.js';
import { LeakSimulationInputsService } from './application/leak-simulation-inputs.service.js';
import { FieldRepository, SensorRepository, TemplateRepository } from './application/registry.ports.js';
import { SqlAnomalyLevelRepository } from './infrastructure/anomaly-levels.repository.js';
import { SqlLeakInvestigationRepository } from './infrastructure/leak-investigations.repository.js';
import { SqlSensorBaselineRepository } from './infrastructure/sensor-baselines.repository.js';
import { LEAK_DETECTION_ORM_ENTITIES } from './infrastructure/leak-detection.orm-entities.js';
import {
  TypeormFieldRepository,
  TypeormSensorRepository,
  TypeormTemplateRepository,
} from './infrastructure/leak-registry.repositories.js';
import {
  TypeormLeakCandidateRepository,
  TypeormPlumeParametersRepository,
  TypeormSeaCurrentRepository,
} from './infrastructure/leak-simulation-inputs.repositories.js';
import { LEAK_SIMULATION_ORM_ENTITIES } from './infrastructure/leak-simulation.orm-entities.js';
import { SqlReadingHistoryRepository } from './infrastructure/reading-history.repository.js';
import { LeakDetectionSampleKinds } from './leak-detection.sample-kinds.js';
import { PpmvProfileService } from './application/ppmv-profile.service.js';
import { ImportedReadingsRepository } from './application/readings-import.ports.js';
import { ReadingsImportService } from './application/readings-import.service.js';
import { SqlImportedReadingsRepository } from './infrastructure/readings-import.repository.js';
import { LeakJobsResolver } from './presentation/leak-jobs.resolver.js';
import { LeakEventsResolver } from './presentation/leak-events.resolver.js';
import { LeakInvestigationsResolver } from './presentation/leak-investigations.resolver.js';
import { LeakReadingsResolver } from './presentation/leak-readings.resolver.js';
import { LeakRegistryResolver } from './presentation/leak-registry.resolver.js';
import { LeakSimulationInputsResolver } from './presentation/leak-simulation-inputs.resolver.js';
import { SensorBaselinesResolver } from './presentation/sensor-baselines.resolver.js';

/**
 * leak-detection: subsea gas sensors on templates of fields, their ppmv readings (a sample
 * kind of the shared ingestion path), and the anomaly level of each reading.
 *
 *   registry       fields (seeded, with tag formats), templates, sensors; CRUD with deletion reports
 *   readings       leak-detection.sample-kinds.ts: plant/sensors/{name}/ppmv, sentinels refused;
 *                  history with buckets, latest, live
 *   anomaly levels application/anomaly-levels.service.ts: the kind's derived stage, one owner per
 *                  sensor; levels per reading, sensor events on change, system events, feedback
 *                  mode (application/leak-events.service.ts, presentation/leak-events.resolver.ts)
 *   simulation     candidate leaks, sea currents, plume parameters (leak-simulation-inputs.*);
 *                  investigations on CRITICAL: simulation + estimation in a worker, through the
 *                  outbox (leak-investigations.*)
 *   jobs           readings imported from CSV, batch matrix profiles (readings-import.*, ppmv-profile.*),
 *                  baseline selection and augmentation (sensor-baselines.*)
 *   domain/        the matrix profile (batch and incremental), scoring, baselines, plume model,
 *                  estimation: plain TypeScript written for this context
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([...LEAK_DETECTION_ORM_ENTITIES, ...LEAK_SIMULATION_ORM_ENTITIES]),
    DatabaseModule,
  ],
  providers: [
    { provide: FieldRepository, useClass: TypeormFieldRepository },
    { provide: TemplateRepository, useClass: TypeormTemplateRepository },
    { provide: SensorRepository, useClass: TypeormSensorRepository },
    { provide: ReadingHistoryRepository, useClass: SqlReadingHistoryRepository },
    { provide: AnomalyLevelRepository, useClass: SqlAnomalyLevelRepository },
    LeakRegistryService,
    { provide: LeakCandidateRepository, useClass: TypeormLeakCandidateRepository },
    { provide: SeaCurrentRepository, useClass: TypeormSeaCurrentRepository },
    { provide: PlumeParametersRepository, useClass: TypeormPlumeParametersRepository },
    LeakSimulationInputsService,
    LeakSimulationInputsResolver,
    LeakReadingsService,
    AnomalyLevelsService,
    LeakEventsService,
    LeakRegistryResolver,
    LeakReadingsResolver,
    LeakEventsResolver,
    { provide: LeakInvestigationRepository, useClass: SqlLeakInvestigationRepository },
    LeakInvestigationsService,
    LeakInvestigationsResolver,
    // Long jobs (shared/jobs): readings imports and batch matrix profiles.
    { provide: ImportedReadingsRepository, useClass: SqlImportedReadingsRepository },
    ReadingsImportService,
    PpmvProfileService,
    LeakJobsResolver,
    // Baselines: selection and augmentation jobs.
    { provide: SensorBaselineRepository, useClass: SqlSensorBaselineRepository },
    SensorBaselinesService,
    SensorBaselinesResolver,
    // Last: registering the kind loads the sensors' state.
    LeakDetectionSampleKinds,
  ],
  // The embedded simulator registers its demo fields, templates, sensors and candidate leaks.
  // Alarms follow anomaly levels and investigations' results.
  exports: [LeakRegistryService, LeakSimulationInputsService, AnomalyLevelsService, LeakInvestigationsService],
})
export class LeakDetectionModule {}
