import { Args, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { PubSub } from '../../shared/pubsub/pub-sub.js';
import type { MachineState } from '../domain/machine-state.js';
import {
  MACHINE_STATE_CHANGED,
  MachineStateService,
  type MachineStateChangedEvent,
} from '../application/machine-state.service.js';
import { StateBandsService } from '../application/state-bands.service.js';
import { MachineCodesArgs, MachineWindowArgs, UpdateMachineStateBandInput } from './machine-state.inputs.js';
import {
  CurrentMachineStateModel,
  MachineStateBandModel,
  MachineStateChangeModel,
  MachineStateEnum,
  MachineStateSegmentModel,
  OutOfStandardEpisodeModel,
} from './machine-state.models.js';

@Resolver()
export class MachineStateResolver {
  constructor(
    private readonly service: MachineStateService,
    private readonly bands: StateBandsService,
    private readonly pubsub: PubSub,
  ) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => [MachineStateBandModel], { description: 'The state bands, in the order they are tried.' })
  machineStateBands() {
    return this.bands.ordered();
  }

  @RequirePermission(PERMISSIONS.TELEMETRY_CONFIGURE)
  @Mutation(() => MachineStateBandModel, { description: 'Applies to readings from now on, on every replica.' })
  updateMachineStateBand(
    @Args('state', { type: () => MachineStateEnum }) state: MachineState,
    @Args('input') input: UpdateMachineStateBandInput,
  ) {
    return this.bands.update(state, input);
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => [CurrentMachineStateModel], { description: 'The state of each machine now.' })
  machineStates(@Args() { machineCodes }: MachineCodesArgs) {
    return this.service.current(machineCodes);
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => [MachineStateSegmentModel], {
    description: 'State segments overlapping the window, by machine then start, clipped to the window.',
  })
  machineStateTimeline(@Args() { machineCodes, limit, ...window }: MachineWindowArgs) {
    return this.service.timeline(machineCodes, window, limit);
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => [OutOfStandardEpisodeModel], { description: 'Episodes overlapping the window, by machine then start.' })
  outOfStandardEpisodes(@Args() { machineCodes, limit, ...window }: MachineWindowArgs) {
    return this.service.episodes(machineCodes, window, limit);
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Subscription(() => MachineStateChangeModel, {
    description: 'State changes and alert flips; optionally only of the given machines.',
    filter: (event: MachineStateChangedEvent, { machineCodes }: MachineCodesArgs) =>
      !machineCodes?.length || machineCodes.includes(event.machineCode),
    resolve: (event: MachineStateChangedEvent) => event,
  })
  machineStateChanged(@Args() _args: MachineCodesArgs) {
    return this.pubsub.subscribe<MachineStateChangedEvent>(MACHINE_STATE_CHANGED);
  }
}
