import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MachinesModule } from '../machines/machines.module.js';
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
import { SqlProductionReportRepository } from './infrastructure/production-report.repository.js';
import { SqlMachineStateRepository, TypeormStateBandRepository } from './infrastructure/machine-state.repositories.js';
import {
  TypeormInstructionRepository,
  TypeormOperatorRepository,
  TypeormShiftRepository,
} from './infrastructure/shifts.repositories.js';
import { InstructionsResolver } from './presentation/instructions.resolver.js';
import { MachineStateResolver } from './presentation/machine-state.resolver.js';
import { OperatorsResolver } from './presentation/operators.resolver.js';
import { ProductionReportResolver } from './presentation/production-report.resolver.js';
import { ShiftsResolver } from './presentation/shifts.resolver.js';
import { TELEMETRY_ORM_ENTITIES } from './infrastructure/telemetry.orm-entities.js';
import { LatestTelemetry } from './application/latest-telemetry.service.js';
import { LiveTelemetry } from './application/live-telemetry.service.js';
import { LiveTelemetryResolver } from './presentation/live-telemetry.resolver.js';
import { SourceRegistrationResolver } from './presentation/source-registration.resolver.js';
import { TelemetryHistoryService } from './application/telemetry-history.service.js';
import { TELEMETRY_HISTORY_READER } from './infrastructure/telemetry-history.repository.js';
import { TelemetryHistoryResolver } from './presentation/telemetry-history.resolver.js';
import { SourceRegistrationService } from './application/source-registration.service.js';
import { TelemetrySampleKinds } from './telemetry.sample-kinds.js';

/**
 * telemetry: live electrical, axis and tool samples from MQTT, machine state, shifts and
 * production figures, history and live subscriptions.
 *
 *   sample kinds     telemetry.sample-kinds.ts: the three kinds on the shared ingestion path
 *                    (topics, parsers, tables, live topics); machine state is derived from
 *                    electrical samples, one owner per machine across replicas
 *   machine state    OFF / IDLE / PRODUCTION segments, alerts, out-of-standard episodes
 *   shifts           operators, shifts, instructions, production figures
 *   history          bucketed reads from the rollups, live subscriptions, latest values
 */
@Module({
  imports: [TypeOrmModule.forFeature(TELEMETRY_ORM_ENTITIES), MachinesModule],
  providers: [
    LatestTelemetry,
    LiveTelemetry,
    SourceRegistrationService,
    LiveTelemetryResolver,
    SourceRegistrationResolver,
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
    // Last: registering the kinds loads machine state, so the state's providers are ready first.
    TelemetrySampleKinds,
  ],
  // Alarms raise out-of-standard episodes (onEpisodes).
  exports: [MachineStateService],
})
export class TelemetryModule {}
