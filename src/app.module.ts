import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { IdentityModule } from './identity/identity.module.js';
import { MachinesModule } from './machines/machines.module.js';
import { TelemetryModule } from './telemetry/telemetry.module.js';
import { AccessModule } from './access/access.module.js';
import { LeakDetectionModule } from './leak-detection/leak-detection.module.js';
import { ExperimentsModule } from './experiments/experiments.module.js';
import { AlarmsModule } from './alarms/alarms.module.js';
import { SimulatorModule } from './simulator/simulator.module.js';
import { ORM_ENTITIES } from './orm-entities.js';
import { AuthModule } from './shared/auth/auth.module.js';
import { dataSourceOptions } from './shared/database/data-source-options.js';
import { GraphqlPlatformModule } from './shared/graphql/graphql-platform.module.js';
import { ObservabilityModule } from './shared/observability/observability.module.js';
import { MqttModule } from './shared/mqtt/mqtt.module.js';
import { PubSubModule } from './shared/pubsub/pubsub.module.js';
import { IngestionModule } from './shared/ingestion/ingestion.module.js';
import { OwnershipModule } from './shared/ownership/ownership.module.js';
import { MailModule } from './shared/mail/mail.module.js';
import { WebhookModule } from './shared/webhook/webhook.module.js';
import { JobsModule } from './shared/jobs/jobs.module.js';
import { DashboardModule } from './shared/dashboard/dashboard.module.js';
import { MIGRATIONS } from '../migrations/index.js';

/**
 * The composition root. Shared platform first (config, database, auth, GraphQL, PubSub,
 * MQTT, the sample ingestion path and derived-state ownership, health/metrics/logs), then
 * one module per bounded context:
 *
 *   identity/        users, roles, permissions, login, tokens
 *   machines/        machines, machine types, element types, axes, tools
 *   telemetry/       electrical/axis/tool samples, machine state, shifts, reports, history
 *   access/          RFID access control (FAB-O-MATIC boards): uses, authorisations, maintenance
 *   leak-detection/  subsea gas sensors: registry, ppmv readings, anomaly levels
 *   experiments/     lab experiments: PVs, assignments, PV values, PV sets over MQTT
 *   alarms/          one alarm lifecycle for every context, shelving, notification rules
 *
 * and the built-in device simulator (simulator/), on in the embedded one-command start.
 *
 * See ARCHITECTURE.md in ../shared for the layers inside each context.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ObservabilityModule,
        TypeOrmModule.forRoot(
          dataSourceOptions({
            url: config.DATABASE_URL!,
            poolSize: config.DB_POOL_SIZE,
            entities: ORM_ENTITIES,
            migrations: MIGRATIONS,
            migrationsRun: true,
          }),
        ),
        PubSubModule,
        MqttModule,
        OwnershipModule,
        IngestionModule,
        MailModule,
        WebhookModule,
        JobsModule,
        AuthModule.forRoot(IdentityModule),
        GraphqlPlatformModule,
        IdentityModule,
        MachinesModule,
        TelemetryModule,
        AccessModule,
        LeakDetectionModule,
        ExperimentsModule,
        AlarmsModule,
        SimulatorModule,
        DashboardModule,
      ],
    };
  }
}
