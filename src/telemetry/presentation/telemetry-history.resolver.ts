import { Args, Info, Query, Resolver, type ComplexityEstimatorArgs } from '@nestjs/graphql';
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import { AXIS_NAMES } from '../../machines/domain/machine.js';
import { RequirePermission } from '../../shared/auth/decorators.js';
import { PERMISSIONS } from '../../shared/auth/permissions.js';
import { TelemetryHistoryService } from '../application/telemetry-history.service.js';
import type { History } from '../application/telemetry-history.service.js';
import {
  AXIS_FIELDS,
  ELECTRICAL_FIELDS,
  STAT_NAMES,
  TOOL_FIELDS,
  type SeriesColumns,
} from '../application/telemetry-history.port.js';
import { historyCost } from '../../shared/ingestion/history-window.args.js';
import { AxisHistoryArgs, HistoryArgs } from './telemetry-history.args.js';
import {
  AxisHistoryModel,
  CompactAxisHistoryModel,
  CompactElectricalHistoryModel,
  ElectricalHistoryModel,
  ToolHistoryModel,
} from './telemetry-history.models.js';

const MODES =
  'Raw samples (at most `limit` per series), or buckets with min/max/avg per quantity computed by the database when `bucketSeconds` or `maxPoints` is given; only the quantities and the min/max/avg selected are computed. Complexity: series × points per series × fields selected / 500.';
const COMPACT =
  'The same answer with each column (`t`, `count`, `min`, `max`, `avg`…) as one NumberList value, a JSON array of numbers, and times as epoch milliseconds: GraphQL then handles one value per column instead of one per point, which makes the many-series charts of a dashboard lighter to answer.';

@Resolver()
export class TelemetryHistoryResolver {
  constructor(private readonly history: TelemetryHistoryService) {}

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => ElectricalHistoryModel, {
    description: `Electrical history of machines over a window. ${MODES}`,
    complexity: historyComplexity(() => 1),
  })
  electricalHistory(@Args() args: HistoryArgs, @Info() info: GraphQLResolveInfo) {
    return this.history.electrical({ ...args, ...selected(info, ELECTRICAL_FIELDS) });
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => CompactElectricalHistoryModel, {
    description: `electricalHistory in compact columns. ${COMPACT}`,
    complexity: historyComplexity(() => 1),
  })
  async electricalHistoryCompact(@Args() args: HistoryArgs, @Info() info: GraphQLResolveInfo) {
    return compact(await this.history.electrical({ ...args, ...selected(info, ELECTRICAL_FIELDS) }));
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => AxisHistoryModel, {
    description: `Axis history of any combination of machines and axes over a window. ${MODES}`,
    complexity: historyComplexity((args) => (args.axes ? new Set(args.axes).size : AXIS_NAMES.length)),
  })
  axisHistory(@Args() args: AxisHistoryArgs, @Info() info: GraphQLResolveInfo) {
    return this.history.axes({ ...args, ...selected(info, AXIS_FIELDS) });
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => CompactAxisHistoryModel, {
    description: `axisHistory in compact columns. ${COMPACT}`,
    complexity: historyComplexity((args) => (args.axes ? new Set(args.axes).size : AXIS_NAMES.length)),
  })
  async axisHistoryCompact(@Args() args: AxisHistoryArgs, @Info() info: GraphQLResolveInfo) {
    return compact(await this.history.axes({ ...args, ...selected(info, AXIS_FIELDS) }));
  }

  @RequirePermission(PERMISSIONS.MACHINES_READ)
  @Query(() => ToolHistoryModel, {
    description: `Tool history (tool in use, offset, feed rate) of machines over a window. ${MODES}`,
    complexity: historyComplexity(() => 1),
  })
  toolHistory(@Args() args: HistoryArgs, @Info() info: GraphQLResolveInfo) {
    return this.history.tools({ ...args, ...selected(info, TOOL_FIELDS) });
  }
}

/**
 * Proportional to what the answer can weigh: series × points per series × the fields
 * selected (childComplexity counts them). A request that does not plan scores 1: the
 * resolver then refuses it, naming every problem.
 */
function historyComplexity(seriesPerMachine: (args: Partial<AxisHistoryArgs>) => number) {
  return ({ args, childComplexity }: ComplexityEstimatorArgs): number =>
    historyCost(args, new Set(args.machineCodes as string[]).size * seriesPerMachine(args), childComplexity);
}

/**
 * The quantities selected under `series` and the min/max/avg selected under them (any
 * quantity, fragments included): only those are computed.
 */
function selected<F extends string>(info: GraphQLResolveInfo, candidates: readonly F[]) {
  const fields = new Set<string>();
  const stats = new Set<string>();
  const visit = (set: SelectionSetNode | undefined, depth: number): void => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) {
        if (depth === 1) fields.add(selection.name.value);
        if (depth === 2) stats.add(selection.name.value);
        if (depth > 0 || selection.name.value === 'series') visit(selection.selectionSet, depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet, depth);
      else visit(info.fragments[selection.name.value]?.selectionSet, depth);
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet, 0);
  return {
    fields: candidates.filter((candidate) => fields.has(candidate)),
    stats: STAT_NAMES.filter((stat) => stats.has(stat)),
  };
}

/** The compact shape differs from the other in its times only: epoch milliseconds. */
function compact<S extends SeriesColumns>(history: History<S>) {
  return {
    ...history,
    series: history.series.map((series) => ({ ...series, t: series.ts.map((ts) => ts.getTime()) })),
  };
}
