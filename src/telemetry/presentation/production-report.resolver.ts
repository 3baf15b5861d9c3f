import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { ProductionReportService, type ProductionReport } from '../application/production-report.service.js';
import { MachineDayArgs } from './production-report.inputs.js';
import { ProductionReportModel } from './production-report.models.js';

@Resolver()
export class ProductionReportResolver {
  constructor(private readonly service: ProductionReportService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => ProductionReportModel, { description: "Figures of a shift's machine over the shift." })
  async productionReport(@Args('shiftId', { type: () => Int }) shiftId: number) {
    return toModel(await this.service.forShift(shiftId));
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => ProductionReportModel, { description: 'Figures of a machine over a UTC day.' })
  async machineDayReport(@Args() { machineCode, date }: MachineDayArgs) {
    return toModel(await this.service.forMachineDay(machineCode, date));
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => String, { description: 'productionReport as CSV: a header row and one line.' })
  productionReportCsv(@Args('shiftId', { type: () => Int }) shiftId: number) {
    return this.service.forShiftCsv(shiftId);
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => String, { description: 'machineDayReport as CSV: a header row and one line.' })
  machineDayReportCsv(@Args() { machineCode, date }: MachineDayArgs) {
    return this.service.forMachineDayCsv(machineCode, date);
  }
}

function toModel(report: ProductionReport): Omit<ProductionReportModel, 'shift'> & Pick<ProductionReport, 'shift'> {
  return {
    ...report,
    from: report.window.from,
    to: report.window.to,
    currentLimit: report.limits.current,
    voltageLimit: report.limits.voltage,
  };
}
