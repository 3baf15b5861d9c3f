import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import type { Principal } from '../../shared/auth/principal.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { BoardsService } from '../application/boards.service.js';
import { RemoteCommandsService } from '../application/remote-commands.service.js';
import { BoardModel, RemoteCommandModel } from './access.models.js';

@Resolver()
export class BoardsResolver {
  constructor(
    private readonly boardsService: BoardsService,
    private readonly commands: RemoteCommandsService,
  ) {}

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => [BoardModel], { description: 'The RFID boards, by machine id.' })
  boards() {
    return this.boardsService.list();
  }

  @RequirePermission(PERMISSIONS.ACCESS_OPERATE)
  @Mutation(() => RemoteCommandModel, {
    description:
      "Tells the machine's board to log your card in. CONFLICT (reason MACHINE_OFFLINE or NO_CARD) when the board " +
      'was silent for 90 s or you hold no card; BAD_USER_INPUT for a machine code that is not numeric.',
  })
  remoteStartMachine(@Args('code') code: string, @CurrentUser() me: Principal) {
    return this.commands.send(code, 'start', me.id);
  }

  @RequirePermission(PERMISSIONS.ACCESS_OPERATE)
  @Mutation(() => RemoteCommandModel, {
    description: "Tells the machine's board to log out; refused as remoteStartMachine.",
  })
  remoteStopMachine(@Args('code') code: string, @CurrentUser() me: Principal) {
    return this.commands.send(code, 'stop', me.id);
  }
}
