import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { IdentityModule } from '../identity/identity.module.js';
import { MachinesModule } from '../machines/machines.module.js';
import { DatabaseModule } from '../shared/database/database.module.js';
import { AuthorizationRepository, MaintenanceRepository } from './application/access.ports.js';
import {
  BoardRepository,
  CardAuthorizationRepository,
  UnknownCardRepository,
  UseRepository,
} from './application/board-protocol.ports.js';
import { BoardProtocolService } from './application/board-protocol.service.js';
import { OrphanedUsesService } from './application/orphaned-uses.service.js';
import { UseSessionsService } from './application/use-sessions.service.js';
import {
  TypeormBoardRepository,
  TypeormCardAuthorizationRepository,
  TypeormUnknownCardRepository,
  TypeormUseRepository,
} from './infrastructure/typeorm-board-protocol.repositories.js';
import { BoardStatsPublisher } from './presentation/board-stats.publisher.js';
import { BoardMqttHandler } from './presentation/board.mqtt-handler.js';
import { ACCESS_ORM_ENTITIES } from './infrastructure/access.orm-entities.js';
import {
  TypeormAuthorizationRepository,
  TypeormMaintenanceRepository,
} from './infrastructure/typeorm-access.repositories.js';

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
    { provide: MaintenanceRepository, useClass: TypeormMaintenanceRepository },
    // Board protocol (MQTT) providers:
    { provide: UseRepository, useClass: TypeormUseRepository },
    { provide: BoardRepository, useClass: TypeormBoardRepository },
    { provide: UnknownCardRepository, useClass: TypeormUnknownCardRepository },
    { provide: CardAuthorizationRepository, useClass: TypeormCardAuthorizationRepository },
    UseSessionsService,
    BoardProtocolService,
    OrphanedUsesService,
    BoardMqttHandler,
    BoardStatsPublisher,
    // API (GraphQL) providers:
  ],
})
export class AccessModule {}
