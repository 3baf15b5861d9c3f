import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module.js';
import { DatabaseModule } from '../shared/database/database.module.js';
import {
  AssignmentRepository,
  ExperimentRepository,
  PvArchive,
  PvHistoryRepository,
  PvRepository,
  PvSetRepository,
} from './application/experiments.ports.js';
import { ExperimentsRegistryService } from './application/experiments-registry.service.js';
import { PvArchiveService } from './application/pv-archive.service.js';
import { PvSetsService } from './application/pv-sets.service.js';
import { PvThresholdEpisodesService } from './application/pv-threshold-episodes.service.js';
import { ThresholdEpisodeRepository, ThresholdSubscriptionRepository } from './application/pv-thresholds.ports.js';
import { PvThresholdsService } from './application/pv-thresholds.service.js';
import { PvValuesService } from './application/pv-values.service.js';
import { ExperimentsSampleKinds } from './experiments.sample-kinds.js';
import { EXPERIMENTS_ORM_ENTITIES } from './infrastructure/experiments.orm-entities.js';
import {
  TypeormAssignmentRepository,
  TypeormExperimentRepository,
  TypeormPvRepository,
  TypeormPvSetRepository,
} from './infrastructure/experiments.repositories.js';
import { HttpPvArchive } from './infrastructure/archiver.adapter.js';
import { SqlPvHistoryRepository } from './infrastructure/pv-history.repository.js';
import {
  SqlThresholdEpisodeRepository,
  SqlThresholdSubscriptionRepository,
} from './infrastructure/pv-thresholds.repositories.js';
import { ExperimentsResolver } from './presentation/experiments.resolver.js';
import { PvArchiveResolver } from './presentation/pv-archive.resolver.js';
import { PvThresholdsResolver } from './presentation/pv-thresholds.resolver.js';
import { PvValuesResolver } from './presentation/pv-values.resolver.js';
import { ConfigTransferRepository } from './application/config-transfer.ports.js';
import { ConfigTransferService } from './application/config-transfer.service.js';
import { SqlConfigTransferRepository } from './infrastructure/config-transfer.repository.js';
import { ConfigTransferResolver } from './presentation/config-transfer.resolver.js';

/**
 * experiments: lab experiments, their process variables (PVs), who is assigned to them, PV
 * values (a sample kind of the shared ingestion path) and PV sets over MQTT. Only users
 * assigned to an experiment and experiments administrators (experiments:write) see it; to
 * anyone else it is NOT_FOUND, like one that does not exist.
 *
 *   domain/pv-name.ts          PV names, the experiment of a PV, ':' ↔ topic levels
 *   domain/experiments.ts      experiments, PVs and their field rules (thresholdMin < thresholdMax, set range)
 *   domain/pv-values.ts        samples of NUMBER and TEXT PVs; checking a value to set
 *   application/experiments-registry.service.ts
 *                              CRUD with deletion reports, assignments, registering an unregistered PV;
 *                              the in-memory directory every access check and the ingestion path read
 *   application/pv-values.service.ts
 *                              latest, history with buckets, live per experiment or PV (ends on unassignment)
 *   application/pv-sets.service.ts
 *                              setPv: checks, QoS 1 publish on {PV_SET_PREFIX}/…, recorded once acknowledged; pvSets
 *   application/pv-archive.service.ts, infrastructure/archiver.adapter.ts, domain/zoned-time.ts,
 *   domain/archived-samples.ts the EPICS Archiver Appliance (ARCHIVER_URL): history alone or merged,
 *                              explicit time zones, "is this PV archived"
 *   application/pv-thresholds.service.ts, domain/threshold-episodes.ts,
 *   application/pv-threshold-episodes.service.ts
 *                              threshold subscriptions (one per user per PV), the legacy alarm topic
 *                              (PV_ALARM_TOPIC); episodes with hysteresis as a derived stage of the pv
 *                              kind, one e-mail per episode through the Mailer, pvThresholdEvent
 *   experiments.sample-kinds.ts  {PLANT_MQTT_ROOT}/pv/# → pv_samples (numbers and texts in one table)
 *   infrastructure/            TypeORM entities and repositories, pv_samples table, history SQL
 *   presentation/              resolvers, GraphQL models and inputs, the PV payload parser
 *
 *   application/config-transfer.service.ts, domain/config-transfer.ts, domain/rtpdb.ts,
 *   infrastructure/config-transfer.repository.ts
 *                              export/import of the configuration (.rtpdb, lossless, reads the original's
 *                              files; JSON): matched by name, one transaction, dry run, large files as a job
 *
 * The simulated lab (experiment Lab1) lives in src/simulator/ (simulated-lab.ts, lab-runner.ts); the
 * embedded simulator registers it through ExperimentsRegistryService, exported for that.
 */
@Module({
  imports: [TypeOrmModule.forFeature(EXPERIMENTS_ORM_ENTITIES), DatabaseModule, IdentityModule],
  providers: [
    { provide: ExperimentRepository, useClass: TypeormExperimentRepository },
    { provide: PvRepository, useClass: TypeormPvRepository },
    { provide: AssignmentRepository, useClass: TypeormAssignmentRepository },
    { provide: PvSetRepository, useClass: TypeormPvSetRepository },
    { provide: PvHistoryRepository, useClass: SqlPvHistoryRepository },
    { provide: PvArchive, useClass: HttpPvArchive },
    { provide: ThresholdSubscriptionRepository, useClass: SqlThresholdSubscriptionRepository },
    { provide: ThresholdEpisodeRepository, useClass: SqlThresholdEpisodeRepository },
    ExperimentsRegistryService,
    PvValuesService,
    PvSetsService,
    PvArchiveService,
    PvThresholdsService,
    PvThresholdEpisodesService,
    ExperimentsResolver,
    PvValuesResolver,
    PvArchiveResolver,
    PvThresholdsResolver,
    { provide: ConfigTransferRepository, useClass: SqlConfigTransferRepository },
    ConfigTransferService,
    ConfigTransferResolver,
    // Last: registering the kind loads the PVs' latest values.
    ExperimentsSampleKinds,
  ],
  // Alarms follow threshold episodes (onEpisodes); the embedded simulator registers its lab.
  exports: [PvThresholdEpisodesService, ExperimentsRegistryService],
})
export class ExperimentsModule {}
