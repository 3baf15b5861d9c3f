import { Args, Info, Query, Resolver, type ComplexityEstimatorArgs } from '@nestjs/graphql';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { AXIS_NAMES } from '../../machines/domain/machine.js';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { TelemetryHistoryService } from '../application/telemetry-history.service.js';
import { AXIS_FIELDS, ELECTRICAL_FIELDS, TOOL_FIELDS } from '../application/telemetry-history.port.js';
import { checkHistoryRequest, pointsPerSeries } from '../domain/history-window.js';
import { AxisHistoryArgs, HistoryArgs } from './telemetry-history.args.js';
import { AxisHistoryModel, ElectricalHistoryModel, ToolHistoryModel } from './telemetry-history.models.js';

/**
 * Selected values per point (one per field under `series`) that cost one unit of query
 * complexity: with the default limit of 5000, one operation returns at most about 2.5
 * million values (100 series × 300 buckets × every axis quantity is about 1600).
 */
const VALUES_PER_COMPLEXITY_UNIT = 500;

const MODES =
  'Raw samples (at most `limit` per series), or buckets with min/max/avg per quantity computed by the database when `bucketSeconds` or `maxPoints` is given. Complexity: series × points per series × fields selected / 500.';

@Resolver()
export class TelemetryHistoryResolver {
  constructor(private readonly history: TelemetryHistoryService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => ElectricalHistoryModel, {
    description: `Electrical history of machines over a window. ${MODES}`,
    complexity: historyComplexity(() => 1),
  })
  electricalHistory(@Args() args: HistoryArgs, @Info() info: GraphQLResolveInfo) {
    return this.history.electrical({ ...args, fields: selectedFields(info, ELECTRICAL_FIELDS) });
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => AxisHistoryModel, {
    description: `Axis history of any combination of machines and axes over a window. ${MODES}`,
    complexity: historyComplexity((args) => (args.axes ? new Set(args.axes).size : AXIS_NAMES.length)),
  })
  axisHistory(@Args() args: AxisHistoryArgs, @Info() info: GraphQLResolveInfo) {
    return this.history.axes({ ...args, fields: selectedFields(info, AXIS_FIELDS) });
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => ToolHistoryModel, {
    description: `Tool history (tool in use, offset, feed rate) of machines over a window. ${MODES}`,
    complexity: historyComplexity(() => 1),
  })
  toolHistory(@Args() args: HistoryArgs, @Info() info: GraphQLResolveInfo) {
    return this.history.tools({ ...args, fields: selectedFields(info, TOOL_FIELDS) });
  }
}

/**
 * Proportional to what the answer can weigh: series × points per series × the fields
 * selected (childComplexity counts them). A request that does not plan scores 1: the
 * resolver then refuses it, naming every problem.
 */
function historyComplexity(seriesPerMachine: (args: Partial<AxisHistoryArgs>) => number) {
  return ({ args, childComplexity }: ComplexityEstimatorArgs): number => {
    const { plan } = checkHistoryRequest(args, new Date());
    if (!plan) return 1;
    const series = new Set(args.machineCodes as string[]).size * seriesPerMachine(args);
    return 1 + Math.ceil((series * pointsPerSeries(plan) * childComplexity) / VALUES_PER_COMPLEXITY_UNIT);
  };
}

/** The quantities selected under `series`: only those are computed. */
function selectedFields<F extends string>(info: GraphQLResolveInfo, candidates: readonly F[]): F[] {
  const names = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, inSeries: boolean): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (inSeries) names.add(selection.name.value);
        else if (selection.name.value === 'series') visit(selection.selectionSet, true);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, inSeries);
      else visit(info.fragments[selection.name.value]?.selectionSet, inSeries);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, false);
  return candidates.filter((candidate) => names.has(candidate));
}
