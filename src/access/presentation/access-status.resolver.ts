import { Args, Query, Resolver, Subscription } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { SharedExecution } from '../../shared/graphql/shared-subscriptions.js';
import { AccessStatusService, type MachineAccessStatus } from '../application/access-status.service.js';
import { isBoardCode } from '../domain/access-status.js';
import { MachineAccessStatusBoardModel, MachineAccessStatusModel } from './access.models.js';
import { MachineAccessStatusArgs } from './access.inputs.js';

@Resolver()
export class AccessStatusResolver {
  constructor(private readonly service: AccessStatusService) {}

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => MachineAccessStatusBoardModel, {
    description: 'Each machine IN_USE (by whom, since when) > BLOCKED > MAINTENANCE > OFFLINE > FREE, with counts.',
  })
  async machineAccessStatus(@Args() { machineCodes }: MachineAccessStatusArgs) {
    const { at, counts, machines } = await this.service.overview(machineCodes);
    return {
      at,
      machines,
      counts: {
        inUse: counts.IN_USE,
        blocked: counts.BLOCKED,
        maintenance: counts.MAINTENANCE,
        offline: counts.OFFLINE,
        free: counts.FREE,
        total: machines.length,
      },
    };
  }

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @SharedExecution()
  @Subscription(() => MachineAccessStatusModel, {
    description:
      "A machine's new status when it changes (machines with a numeric code, or the given ones); " +
      'OFFLINE is noticed within about 10 s of the 90 s window.',
    filter: (status: MachineAccessStatus, { machineCodes }: MachineAccessStatusArgs) =>
      machineCodes?.length ? machineCodes.includes(status.machine.code) : isBoardCode(status.machine.code),
    resolve: (status: MachineAccessStatus) => status,
  })
  machineAccessStatusChanged(@Args() _args: MachineAccessStatusArgs) {
    return this.service.changes();
  }
}
