import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MACHINES_ORM_ENTITIES } from './infrastructure/machine.orm-entities.js';

/**
 * machines: the registry of machines and what they are made of (machine types, element
 * types, axes, tools). Exports MachinesService, which telemetry and access use.
 */
@Module({
  imports: [TypeOrmModule.forFeature(MACHINES_ORM_ENTITIES)],
  providers: [],
  exports: [],
})
export class MachinesModule {}
