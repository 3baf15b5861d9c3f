import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentUser, RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { StoredAlarmCondition } from '../application/alarm-conditions.ports.js';
import { AlarmConditionsService } from '../application/alarm-conditions.service.js';
import { CONDITION_SPECS } from '../domain/alarm-conditions.js';
import { UpdateAlarmConditionInput } from './alarm-conditions.inputs.js';
import { AlarmConditionModel } from './alarm-conditions.models.js';

@Resolver()
export class AlarmConditionsResolver {
  constructor(private readonly conditions: AlarmConditionsService) {}

  @RequirePermission(PERMISSIONS.ALARMS_READ)
  @Query(() => [AlarmConditionModel], { description: 'Every alarm condition the sources raise, by source kind.' })
  async alarmConditions(): Promise<AlarmConditionModel[]> {
    await this.conditions.ready();
    return this.conditions.list().map(toModel);
  }

  @RequirePermission(PERMISSIONS.ALARMS_CONFIGURE)
  @Mutation(() => AlarmConditionModel, {
    description:
      'Changes a condition; fields left out stay. NOT_FOUND for an unknown type; BAD_USER_INPUT naming severity, messageTemplate (an unknown placeholder) or parameters (an unknown one, or out of range).',
  })
  async updateAlarmCondition(
    @Args('type') type: string,
    @Args('input') input: UpdateAlarmConditionInput,
    @CurrentUser() user: Principal,
  ): Promise<AlarmConditionModel> {
    return toModel(await this.conditions.update(type, input, user.id));
  }
}

function toModel(c: StoredAlarmCondition): AlarmConditionModel {
  const spec = CONDITION_SPECS[c.type];
  return {
    type: c.type,
    sourceKind: c.kind,
    description: spec?.description ?? '',
    enabled: c.enabled,
    severity: c.severity,
    parameters: Object.entries(spec?.parameters ?? {}).map(([name, p]) => ({
      name,
      value: c.parameters[name] ?? p.min,
      description: p.description,
      min: p.min,
      max: p.max,
      integer: p.integer,
    })),
    messageTemplate: c.messageTemplate,
    placeholders: [...(spec?.placeholders ?? ['source'])],
    updatedAt: c.updatedAt,
    updatedBy: c.updatedBy,
  };
}
