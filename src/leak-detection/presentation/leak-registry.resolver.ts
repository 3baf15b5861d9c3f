import { Args, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { toPage } from '../../shared/graphql/pagination.js';
import { LeakRegistryService } from '../application/leak-registry.service.js';
import { isOpen, type Template } from '../domain/registry.js';
import {
  CreateLeakFieldInput,
  CreateLeakSensorInput,
  CreateLeakTemplateInput,
  LeakSensorsArgs,
  LeakTemplatesArgs,
  RegisterUnregisteredSensorInput,
  UpdateLeakFieldInput,
  UpdateLeakSensorInput,
  UpdateLeakTemplateInput,
} from './leak-registry.inputs.js';
import {
  LeakDeletionReportModel,
  LeakFieldModel,
  LeakSensorModel,
  LeakSensorPage,
  LeakTemplateModel,
  LeakTemplatePage,
} from './leak-registry.models.js';

@Resolver(() => LeakTemplateModel)
export class LeakRegistryResolver {
  constructor(private readonly registry: LeakRegistryService) {}

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => [LeakFieldModel], { description: 'Every field, by name.' })
  leakFields() {
    return this.registry.listFields();
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakFieldModel)
  createLeakField(@Args('input') input: CreateLeakFieldInput) {
    return this.registry.createField(input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakFieldModel)
  updateLeakField(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateLeakFieldInput) {
    return this.registry.updateField(id, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakDeletionReportModel, {
    description: 'Deletes a field with its templates, their sensors and everything recorded about them.',
  })
  deleteLeakField(@Args('id', { type: () => Int }) id: number) {
    return this.registry.deleteField(id);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakTemplatePage)
  async leakTemplates(@Args() { offset, limit, fieldId }: LeakTemplatesArgs) {
    return toPage(await this.registry.listTemplates(fieldId ?? undefined, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakTemplateModel)
  leakTemplate(@Args('id', { type: () => Int }) id: number) {
    return this.registry.getTemplate(id);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakTemplateModel)
  createLeakTemplate(
    @Args('fieldId', { type: () => Int }) fieldId: number,
    @Args('input') input: CreateLeakTemplateInput,
  ) {
    return this.registry.createTemplate(fieldId, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakTemplateModel)
  updateLeakTemplate(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateLeakTemplateInput) {
    return this.registry.updateTemplate(id, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakDeletionReportModel, {
    description: 'Deletes a template with its sensors and everything recorded about them.',
  })
  deleteLeakTemplate(@Args('id', { type: () => Int }) id: number) {
    return this.registry.deleteTemplate(id);
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakSensorPage)
  async leakSensors(@Args() { offset, limit, templateId, fieldId, pinned, text }: LeakSensorsArgs) {
    const filter = { templateId: templateId ?? undefined, fieldId: fieldId ?? undefined, pinned: pinned ?? undefined };
    return toPage(await this.registry.listSensors({ ...filter, text: text ?? undefined }, { offset, limit }));
  }

  @RequirePermission(PERMISSIONS.LEAKS_READ)
  @Query(() => LeakSensorModel, { description: 'A sensor by its name (tag).' })
  leakSensor(@Args('name') name: string) {
    return this.registry.getSensorByName(name);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakSensorModel)
  createLeakSensor(
    @Args('templateId', { type: () => Int }) templateId: number,
    @Args('input') input: CreateLeakSensorInput,
  ) {
    return this.registry.createSensor(templateId, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakSensorModel, {
    description:
      'Creates the sensor an unregistered topic (kind SENSOR) names, on a template, and clears the topic from unregisteredSources.',
  })
  registerUnregisteredSensor(
    @Args('topic') topic: string,
    @Args('templateId', { type: () => Int }) templateId: number,
    @Args('input') input: RegisterUnregisteredSensorInput,
  ) {
    return this.registry.registerUnregisteredSensor(topic, templateId, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakSensorModel)
  updateLeakSensor(@Args('id', { type: () => Int }) id: number, @Args('input') input: UpdateLeakSensorInput) {
    return this.registry.updateSensor(id, input);
  }

  @RequirePermission(PERMISSIONS.LEAKS_WRITE)
  @Mutation(() => LeakDeletionReportModel, {
    description: 'Deletes a sensor with its readings, anomaly levels, events and learnt state.',
  })
  deleteLeakSensor(@Args('id', { type: () => Int }) id: number) {
    return this.registry.deleteSensor(id);
  }

  @ResolveField(() => Boolean)
  open(@Parent() template: Template) {
    return isOpen(template);
  }
}
