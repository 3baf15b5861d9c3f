import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module.js';
import { MachinesModule } from '../machines/machines.module.js';
import { DatabaseModule } from '../shared/database/database.module.js';
import {
  AuthorizationRepository,
  BoardRepository,
  MaintenanceRepository,
  UnknownCardRepository,
  UseRepository,
} from './application/access.ports.js';
import { AccessDirectory } from './application/access-directory.service.js';
import { AccessStatusService } from './application/access-status.service.js';
import { AuthorizationsService } from './application/authorizations.service.js';
import { BoardProtocolService } from './application/board-protocol.service.js';
import { BoardSightings } from './application/board-sightings.service.js';
import { BoardsService } from './application/boards.service.js';
import { MaintenanceService } from './application/maintenance.service.js';
import { OrphanedUsesService } from './application/orphaned-uses.service.js';
import { PrivacyPurgeService } from './application/privacy-purge.service.js';
import { RemoteCommandsService } from './application/remote-commands.service.js';
import { UnknownCardsService } from './application/unknown-cards.service.js';
import { UsageReportsService } from './application/usage-reports.service.js';
import { UseSessionsService } from './application/use-sessions.service.js';
import { UsesAdminService } from './application/uses-admin.service.js';
import { ACCESS_ORM_ENTITIES } from './infrastructure/access.orm-entities.js';
import {
  TypeormAuthorizationRepository,
  TypeormBoardRepository,
  TypeormMaintenanceRepository,
  TypeormUnknownCardRepository,
  TypeormUseRepository,
} from './infrastructure/access.repositories.js';
import { AccessReportsResolver } from './presentation/access-reports.resolver.js';
import { AccessStatusResolver } from './presentation/access-status.resolver.js';
import { AuthorizationsResolver } from './presentation/authorizations.resolver.js';
import { BoardStatsPublisher } from './presentation/board-stats.publisher.js';
import { BoardMqttHandler } from './presentation/board.mqtt-handler.js';
import { BoardsResolver } from './presentation/boards.resolver.js';
import { MachineUsesResolver } from './presentation/machine-uses.resolver.js';
import { MaintenanceResolver } from './presentation/maintenance.resolver.js';
import { UnknownCardsResolver } from './presentation/unknown-cards.resolver.js';

/**
 * access: RFID access control, wire-compatible with FAB-O-MATIC boards (PROTOCOLS.md
 * section B). Card holders are identity users; machines, their types and hours come from
 * the machines context.
 *
 *   board protocol   machine/{id} → machine/{id}/reply, one request at a time per machine
 *   uses             opened/refreshed/closed by boards, orphans closed after an hour
 *   maintenance      plans, interventions, overdue from the uses since the last one
 *   API              authorisations, uses, plans, interventions, unknown cards, boards,
 *                    live status board, remote start/stop, reports, privacy purge
 */
@Module({
  imports: [TypeOrmModule.forFeature(ACCESS_ORM_ENTITIES), MachinesModule, IdentityModule, DatabaseModule],
  providers: [
    { provide: AuthorizationRepository, useClass: TypeormAuthorizationRepository },
    { provide: UseRepository, useClass: TypeormUseRepository },
    { provide: MaintenanceRepository, useClass: TypeormMaintenanceRepository },
    { provide: UnknownCardRepository, useClass: TypeormUnknownCardRepository },
    { provide: BoardRepository, useClass: TypeormBoardRepository },
    // Board protocol (MQTT):
    UseSessionsService,
    BoardProtocolService,
    BoardSightings,
    OrphanedUsesService,
    BoardMqttHandler,
    BoardStatsPublisher,
    // API (GraphQL):
    AccessDirectory,
    AuthorizationsService,
    UsesAdminService,
    MaintenanceService,
    UnknownCardsService,
    BoardsService,
    RemoteCommandsService,
    AccessStatusService,
    UsageReportsService,
    PrivacyPurgeService,
    AuthorizationsResolver,
    MachineUsesResolver,
    MaintenanceResolver,
    UnknownCardsResolver,
    BoardsResolver,
    AccessStatusResolver,
    AccessReportsResolver,
  ],
  // Alarms follow the status board (offline boards, maintenance overdue).
  exports: [AccessStatusService, UsageReportsService],
})
export class AccessModule {}
