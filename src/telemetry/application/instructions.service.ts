import { Injectable } from '@nestjs/common';
import { NotFoundError } from '../../shared/errors/domain-errors.js';
import type { PageResult } from '../../shared/graphql/pagination.js';
import { checkInstructionText, type Instruction } from '../domain/shift.js';
import { InstructionRepository } from './shifts.ports.js';

/** Standing instructions shown to operators. */
@Injectable()
export class InstructionsService {
  constructor(private readonly instructions: InstructionRepository) {}

  list(page: { offset: number; limit: number }): Promise<PageResult<Instruction>> {
    return this.instructions.list(page);
  }

  create(text: string): Promise<Instruction> {
    return this.instructions.create(checkInstructionText(text));
  }

  async delete(id: number): Promise<Instruction> {
    const instruction = await this.instructions.findById(id);
    if (!instruction) throw new NotFoundError('Instruction', id);
    await this.instructions.delete(id);
    return instruction;
  }
}
