import { Injectable } from '@nestjs/common';
import type { Board } from '../domain/board.js';
import { BoardRepository } from './access.ports.js';

/**
 * Records `alive` messages in batches. Boards announce themselves on every (re)connect, so
 * after a broker restart every board of the plant speaks at once: one statement per batch
 * instead of one per board keeps that burst from queueing the requests that boards are
 * waiting on. `alive` expects no reply, so a few milliseconds of batching cost nobody
 * anything; `record` still resolves only once its sighting is committed.
 */
@Injectable()
export class BoardSightings {
  private pending = new Map<number, Board>();
  private batch?: Promise<void>;

  constructor(private readonly boards: BoardRepository) {}

  record(board: Board): Promise<void> {
    const earlier = this.pending.get(board.machineId);
    if (!earlier || earlier.lastSeenAt <= board.lastSeenAt) this.pending.set(board.machineId, board);
    // Everything that arrives in the same turn of the event loop joins this batch.
    this.batch ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.flush());
    return this.batch;
  }

  private async flush(): Promise<void> {
    const boards = [...this.pending.values()];
    this.pending = new Map();
    this.batch = undefined;
    await this.boards.upsertMany(boards);
  }
}
