import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MachinesModule } from '../machines/machines.module.js';
import { TELEMETRY_ORM_ENTITIES } from './infrastructure/telemetry.orm-entities.js';

/**
 * telemetry: live electrical, axis and tool samples from MQTT (batched into partitioned
 * tables), machine state, shifts and production figures, history and live subscriptions.
 */
@Module({
  imports: [TypeOrmModule.forFeature(TELEMETRY_ORM_ENTITIES), MachinesModule],
  providers: [],
})
export class TelemetryModule {}
