import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type {
  DataSource,
  EntitySubscriberInterface,
  QueryRunner,
  TransactionCommitEvent,
  TransactionRollbackEvent,
} from 'typeorm';
import { transactionalManager } from '../../shared/database/transactions.adapter.js';
import { AfterCommit } from '../application/alarms.ports.js';

/**
 * AfterCommit on TypeORM's transaction events: callbacks wait on the query runner of the
 * caller's transaction (the ambient one when a source raises inside its own) and run when
 * its outermost commit is done; a rollback drops them.
 */
@Injectable()
export class TypeormAfterCommit extends AfterCommit implements EntitySubscriberInterface {
  private readonly logger = new Logger(TypeormAfterCommit.name);
  private readonly waiting = new WeakMap<QueryRunner, Array<() => void>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    super();
    dataSource.subscribers.push(this);
  }

  run(callback: () => void): void {
    const runner = transactionalManager(this.dataSource.manager).queryRunner;
    if (!runner?.isTransactionActive) return this.safely(callback);
    const list = this.waiting.get(runner) ?? [];
    list.push(callback);
    this.waiting.set(runner, list);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    // A released savepoint is not the commit: the outermost transaction may still roll back.
    if (!event.queryRunner || event.queryRunner.isTransactionActive) return;
    const list = this.waiting.get(event.queryRunner);
    this.waiting.delete(event.queryRunner);
    for (const callback of list ?? []) this.safely(callback);
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    if (event.queryRunner && !event.queryRunner.isTransactionActive) this.waiting.delete(event.queryRunner);
  }

  private safely(callback: () => void): void {
    try {
      callback();
    } catch (err) {
      this.logger.error({ err }, 'An after-commit callback failed');
    }
  }
}
