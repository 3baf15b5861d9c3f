import { Module } from '@nestjs/common';
import { BatchWriterFactory } from './batch-writer-factory.js';

/**
 * The batch writers for contexts that ingest samples: import it in the context's module.
 * The data source itself comes from TypeOrmModule.forRoot in the app module.
 */
@Module({ providers: [BatchWriterFactory], exports: [BatchWriterFactory] })
export class DatabaseModule {}
