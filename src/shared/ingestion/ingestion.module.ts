import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DatabaseModule } from '../database/database.module.js';
import { PartitionMaintenanceService } from './partition-maintenance.service.js';
import { SampleIngestion } from './sample-ingestion.service.js';
import { SamplePartitionsRepository } from './sample-partitions.repository.js';
import { SampleTableRepositories } from './sample-table.repository.js';
import { UnregisteredSourceOrmEntity } from './unregistered-source.orm-entity.js';
import { UnregisteredSourceRepository } from './unregistered-source.repository.js';
import { UnregisteredSourcesResolver } from './unregistered-sources.resolver.js';
import { UnregisteredSources } from './unregistered-sources.service.js';

/**
 * The ingestion path every sample kind shares (sample-ingestion.service.ts): a context
 * declares a SampleKind and registers it in its onModuleInit.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([UnregisteredSourceOrmEntity]), DatabaseModule],
  providers: [
    SampleIngestion,
    UnregisteredSources,
    UnregisteredSourceRepository,
    PartitionMaintenanceService,
    SamplePartitionsRepository,
    SampleTableRepositories,
    UnregisteredSourcesResolver,
  ],
  exports: [SampleIngestion, UnregisteredSources, PartitionMaintenanceService],
})
export class IngestionModule {}
