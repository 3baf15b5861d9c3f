import { Module } from '@nestjs/common';
import { BatchWriterFactory } from './batch-writer.factory.js';
import { PoolErrorsService } from './pool-errors.service.js';
import { Transactions } from './transactions.js';
import { TypeormTransactions } from './transactions.adapter.js';

/**
 * The batch writers of the ingestion path, the cross-context transaction runner, and the
 * guard that keeps a dropped connection from crashing the process: import it in a
 * context's module that needs the first two. The data source itself comes from
 * TypeOrmModule.forRoot in the app module.
 */
@Module({
  providers: [BatchWriterFactory, PoolErrorsService, { provide: Transactions, useClass: TypeormTransactions }],
  exports: [BatchWriterFactory, Transactions],
})
export class DatabaseModule {}
