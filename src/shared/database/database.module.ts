import { Module } from '@nestjs/common';
import { BatchWriterFactory } from './batch-writer-factory.js';
import { Transactions } from './transactions.js';
import { TypeormTransactions } from './typeorm-transactions.js';

/**
 * The batch writers of the ingestion path and the cross-context transaction runner:
 * import it in a context's module that needs either. The data source itself comes from
 * TypeOrmModule.forRoot in the app module.
 */
@Module({
  providers: [BatchWriterFactory, { provide: Transactions, useClass: TypeormTransactions }],
  exports: [BatchWriterFactory, Transactions],
})
export class DatabaseModule {}
