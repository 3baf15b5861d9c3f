import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import type { Principal } from '../../shared/auth/principal.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { UnknownCardsService } from '../application/unknown-cards.service.js';
import { ConvertedUnknownCardModel, UnknownCardAttemptPage } from './access.models.js';
import { ConvertUnknownCardArgs, UnknownCardsArgs } from './access.inputs.js';

@Resolver()
export class UnknownCardsResolver {
  constructor(private readonly service: UnknownCardsService) {}

  @RequirePermission(PERMISSIONS.ACCESS_READ)
  @Query(() => UnknownCardAttemptPage, { description: 'Attempts of cards nobody holds, newest first.' })
  unknownCards(@Args() { offset, limit, machineCode }: UnknownCardsArgs) {
    return this.service.list(machineCode, { offset, limit });
  }

  /** Creating users needs users:write too, checked by the identity service through the roles given. */
  @RequirePermission(PERMISSIONS.ACCESS_WRITE)
  @Mutation(() => ConvertedUnknownCardModel, {
    description: "Creates a user holding the card and removes the card's unknown attempts.",
  })
  async convertUnknownCard(@Args() { cardUid, input }: ConvertUnknownCardArgs, @CurrentUser() me: Principal) {
    const user = await this.service.convert(cardUid, input, me);
    return { user: { id: user.id, displayName: user.displayName }, email: user.email, cardUid: user.cardUid };
  }
}
