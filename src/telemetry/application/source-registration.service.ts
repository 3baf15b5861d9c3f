import { Injectable } from '@nestjs/common';
import type { AxisFields, AxisName } from '../../machines/domain/machine.js';
import { MachinesService } from '../../machines/application/machines.service.js';
import { InvalidInputError, NotFoundError } from '../../shared/errors/domain-errors.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { UnregisteredSources } from '../../shared/ingestion/unregistered-sources.service.js';
import type { UnregisteredSource, UnregisteredSourceKind } from '../../shared/ingestion/unregistered-sources.js';

export interface RegisterMachineCommand {
  name?: string;
  model?: string;
  maker?: string;
  axes?: AxisFields[];
}

/** Placeholders until someone enters the axis's real limits through updateAxis. */
export const DEFAULT_AXIS_LIMIT = 1000;

/** The unregistered sources telemetry can register: machines, and axes a registered machine lacks. */
const MACHINE_KINDS: readonly UnregisteredSourceKind[] = ['machine', 'axis'];

/**
 * One-step registration of what telemetry's topics named but nobody registered (the list
 * itself is the ingestion path's: shared/ingestion/unregistered-sources.service.ts).
 */
@Injectable()
export class SourceRegistrationService {
  constructor(
    private readonly unregistered: UnregisteredSources,
    private readonly machines: MachinesService,
  ) {
    unregistered.declareReader(MACHINE_KINDS, PERMISSIONS.MACHINES_READ);
  }

  /**
   * A machine's topic: creates the machine (code from the topic, the rest from the command)
   * and forgets every topic of that code; a machine that exists already (created meanwhile
   * through createMachine) is kept as it is. An axis (`part`): adds the axis to its machine
   * with the command's limits for it, or placeholders, and forgets that axis's entry.
   */
  async register(
    topic: string,
    part: string | null,
    command: RegisterMachineCommand,
  ): Promise<{ code: string; name: string }> {
    const source = await this.unregistered.find(topic, part);
    if (!source) throw new NotFoundError('Unregistered source', part ? `${topic} (${part})` : topic);
    if (!MACHINE_KINDS.includes(source.kind))
      throw new InvalidInputError(`${topic} is not a machine's topic`, { topic: `a ${source.kind} topic` });
    const existing = this.machines.findByCode(source.sourceKey);
    if (source.kind === 'axis') return this.registerAxis(source, existing ? existing.code : undefined, command);
    const machine =
      existing ??
      (await this.machines.create({
        code: source.sourceKey,
        name: command.name ?? source.sourceKey,
        model: command.model,
        maker: command.maker,
        axes: command.axes,
      }));
    await this.unregistered.forget('machine', source.sourceKey);
    return { code: machine.code, name: machine.name };
  }

  private async registerAxis(
    source: UnregisteredSource,
    machineCode: string | undefined,
    command: RegisterMachineCommand,
  ): Promise<{ code: string; name: string }> {
    if (!machineCode) throw new NotFoundError('Machine', source.sourceKey);
    const name = source.part as AxisName;
    const machine = this.machines.findByCode(machineCode)!;
    if (!machine.axes.has(name)) {
      const given = command.axes?.find((axis) => axis.name === name);
      await this.machines.createAxis(machineCode, {
        name,
        maxVelocity: given?.maxVelocity ?? DEFAULT_AXIS_LIMIT,
        maxAcceleration: given?.maxAcceleration ?? DEFAULT_AXIS_LIMIT,
      });
    }
    await this.unregistered.forget('axis', source.sourceKey, name);
    return { code: machine.code, name: machine.name };
  }
}
