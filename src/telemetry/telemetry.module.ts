import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MachinesModule } from '../machines/machines.module.js';
import { CommittedSamples } from './application/committed-samples.js';
import { InstructionsService } from './application/instructions.service.js';
import { MachineStateRepository, StateBandRepository } from './application/machine-state.ports.js';
import { MachineStateService } from './application/machine-state.service.js';
import { OperatorsService } from './application/operators.service.js';
import { ProductionReportRepository } from './application/production-report.ports.js';
import { ProductionReportService } from './application/production-report.service.js';
import { ShiftStandardsService } from './application/shift-standards.service.js';
import { InstructionRepository, OperatorRepository, ShiftRepository } from './application/shifts.ports.js';
import { ShiftsService } from './application/shifts.service.js';
import { StateBandsService } from './application/state-bands.service.js';
import { SqlProductionReportRepository } from './infrastructure/sql-production-report.repository.js';
import {
  SqlMachineStateRepository,
  TypeormStateBandRepository,
} from './infrastructure/typeorm-machine-state.repositories.js';
import {
  TypeormInstructionRepository,
  TypeormOperatorRepository,
  TypeormShiftRepository,
} from './infrastructure/typeorm-shifts.repositories.js';
import { InstructionsResolver } from './presentation/instructions.resolver.js';
import { MachineStateResolver } from './presentation/machine-state.resolver.js';
import { OperatorsResolver } from './presentation/operators.resolver.js';
import { ProductionReportResolver } from './presentation/production-report.resolver.js';
import { ShiftsResolver } from './presentation/shifts.resolver.js';
import { TELEMETRY_ORM_ENTITIES } from './infrastructure/telemetry.orm-entities.js';
import { DatabaseModule } from '../shared/database/database.module.js';
import { UnregisteredSourceRepository, SamplePartitions, SampleStore } from './application/ingestion.ports.js';
import { LatestTelemetry } from './application/latest-telemetry.js';
import { LiveTelemetry } from './application/live-telemetry.js';
import { PartitionMaintenanceService } from './application/partition-maintenance.service.js';
import { TelemetryIngestionService } from './application/telemetry-ingestion.service.js';
import { UnregisteredSourcesService } from './application/unregistered-sources.service.js';
import { PgSamplePartitions } from './infrastructure/pg-sample-partitions.js';
import { PgSampleStore } from './infrastructure/pg-sample-store.js';
import { TypeormUnregisteredSourceRepository } from './infrastructure/typeorm-unregistered-source.repository.js';
import { AxesMqttHandler } from './presentation/axes.mqtt-handler.js';
import { ElectricalMqttHandler } from './presentation/electrical.mqtt-handler.js';
import { LiveTelemetryResolver } from './presentation/live-telemetry.resolver.js';
import { ToolMqttHandler } from './presentation/tool.mqtt-handler.js';
import { UnregisteredSourcesResolver } from './presentation/unregistered-sources.resolver.js';
import { TelemetryHistoryService } from './application/telemetry-history.service.js';
import { TELEMETRY_HISTORY_READER } from './infrastructure/sql-telemetry-history.js';
import { TelemetryHistoryResolver } from './presentation/telemetry-history.resolver.js';

/**
 * telemetry: live electrical, axis and tool samples from MQTT (batched into partitioned
 * tables), machine state, shifts and production figures, history and live subscriptions.
 */
@Module({
  imports: [TypeOrmModule.forFeature(TELEMETRY_ORM_ENTITIES), MachinesModule, DatabaseModule],
  providers: [
    CommittedSamples,
    PartitionMaintenanceService,
    LatestTelemetry,
    LiveTelemetry,
    UnregisteredSourcesService,
    TelemetryIngestionService,
    { provide: SampleStore, useClass: PgSampleStore },
    { provide: SamplePartitions, useClass: PgSamplePartitions },
    { provide: UnregisteredSourceRepository, useClass: TypeormUnregisteredSourceRepository },
    ElectricalMqttHandler,
    AxesMqttHandler,
    ToolMqttHandler,
    LiveTelemetryResolver,
    UnregisteredSourcesResolver,
    StateBandsService,
    ShiftStandardsService,
    MachineStateService,
    OperatorsService,
    ShiftsService,
    InstructionsService,
    ProductionReportService,
    { provide: MachineStateRepository, useClass: SqlMachineStateRepository },
    { provide: StateBandRepository, useClass: TypeormStateBandRepository },
    { provide: OperatorRepository, useClass: TypeormOperatorRepository },
    { provide: ShiftRepository, useClass: TypeormShiftRepository },
    { provide: InstructionRepository, useClass: TypeormInstructionRepository },
    { provide: ProductionReportRepository, useClass: SqlProductionReportRepository },
    MachineStateResolver,
    OperatorsResolver,
    ShiftsResolver,
    InstructionsResolver,
    ProductionReportResolver,
    TelemetryHistoryService,
    TELEMETRY_HISTORY_READER,
    TelemetryHistoryResolver,
  ],
})
export class TelemetryModule {}
