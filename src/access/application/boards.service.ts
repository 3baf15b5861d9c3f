import { Injectable } from '@nestjs/common';
import { MachinesService } from '../../machines/application/machines.service.js';
import { isOnline, type Board } from '../domain/board.js';
import { AccessDirectory, type MachineLabel } from './access-directory.service.js';
import { BoardRepository } from './access.ports.js';

export interface BoardStatus extends Board {
  machine: MachineLabel;
  /** When the machine's last board message (of any kind) came. */
  machineLastSeenAt: Date | null;
  online: boolean;
}

/** The RFID boards, as their `alive` messages describe them. */
@Injectable()
export class BoardsService {
  constructor(
    private readonly boards: BoardRepository,
    private readonly directory: AccessDirectory,
    private readonly machines: MachinesService,
  ) {
    machines.registerDeletionParticipant({
      what: 'RFID boards',
      count: (id) => boards.countOfMachine(id),
      delete: (id) => boards.deleteOfMachine(id),
    });
  }

  async list(now = new Date()): Promise<BoardStatus[]> {
    const [boards, machines] = await Promise.all([this.boards.list(), this.machines.summaries()]);
    const lastSeen = new Map(machines.map((m) => [m.id, m.lastSeenAt]));
    return boards.map((board) => {
      // Every board message refreshes the machine's last seen; `alive` only every 2 min.
      const machineLastSeenAt = lastSeen.get(board.machineId) ?? null;
      return {
        ...board,
        machine: this.directory.machineLabel(board.machineId),
        machineLastSeenAt,
        online: isOnline(machineLastSeenAt, now),
      };
    });
  }
}
