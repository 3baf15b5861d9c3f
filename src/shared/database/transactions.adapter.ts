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

/**
 * Runs `work` outside the transaction the caller is in, for work that outlives it: a wake-up
 * scheduled from inside a transaction (setImmediate, a timer) would otherwise carry the
 * transaction's manager in its async context and query through it after it was released.
 */
export function detachedFromTransaction<T>(work: () => T): T {
  return ambient.exit(work);
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
