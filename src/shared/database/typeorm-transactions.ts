import { AsyncLocalStorage } from 'node:async_hooks';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { Transactions } from './transactions.js';

const ambient = new AsyncLocalStorage<EntityManager>();

/**
 * The entity manager of the transaction the caller runs in, else `outside` (a repository's
 * own manager). Repositories whose writes may belong to a cross-context use case query
 * through this instead of their manager.
 */
export function transactionalManager(outside: EntityManager): EntityManager {
  return ambient.getStore() ?? outside;
}

@Injectable()
export class TypeormTransactions extends Transactions {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
  }

  run<T>(work: () => Promise<T>): Promise<T> {
    if (ambient.getStore()) return work();
    return this.dataSource.transaction((manager) => ambient.run(manager, work));
  }
}
