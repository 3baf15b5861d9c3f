import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../shared/database/database.module.js';
import { MachineRefSource } from './application/machine-directory.js';
import {
  ElementTypeRepository,
  MachinePartRepository,
  MachineRepository,
  MachineTypeRepository,
} from './application/machines.ports.js';
import { MachinesService } from './application/machines.service.js';
import { MACHINES_ORM_ENTITIES } from './infrastructure/machine.orm-entities.js';
import {
  TypeormElementTypeRepository,
  TypeormMachinePartRepository,
  TypeormMachineRefSource,
  TypeormMachineRepository,
  TypeormMachineTypeRepository,
} from './infrastructure/machines.repositories.js';
import { ElementTypesResolver } from './presentation/element-types.resolver.js';
import { MachinePartsResolver } from './presentation/machine-parts.resolver.js';
import { MachineTypesResolver } from './presentation/machine-types.resolver.js';
import { MachinesResolver } from './presentation/machines.resolver.js';

/**
 * machines: the registry of machines and what they are made of (machine types, element
 * types, axes, tools). Exports MachinesService, which telemetry and access use.
 */
@Module({
  imports: [TypeOrmModule.forFeature(MACHINES_ORM_ENTITIES), DatabaseModule],
  providers: [
    MachinesService,
    { provide: MachineRepository, useClass: TypeormMachineRepository },
    { provide: MachinePartRepository, useClass: TypeormMachinePartRepository },
    { provide: MachineTypeRepository, useClass: TypeormMachineTypeRepository },
    { provide: ElementTypeRepository, useClass: TypeormElementTypeRepository },
    { provide: MachineRefSource, useClass: TypeormMachineRefSource },
    MachinesResolver,
    MachinePartsResolver,
    MachineTypesResolver,
    ElementTypesResolver,
  ],
  exports: [MachinesService],
})
export class MachinesModule {}
