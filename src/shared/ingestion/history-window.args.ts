import { ArgsType, Field, Float, Int } from '@nestjs/graphql';
import { IsDate, IsInt, IsOptional, IsPositive, Max, Min, ValidateBy } from 'class-validator';
import { checkHistoryRequest, HISTORY_LIMITS, pointsPerSeries, type HistoryRequest } from './history-window.js';

const MAX_LAST_MINUTES = HISTORY_LIMITS.maxWindowDays * 24 * 60;
const DATE_TIME = { message: '$property must be an ISO-8601 date-time' };

/** Refuses the property when `other` is given too: each of the two names the other (BAD_USER_INPUT fields). */
function NotTogetherWith(other: 'bucketSeconds' | 'maxPoints'): PropertyDecorator {
  return ValidateBy({
    name: 'notTogetherWith',
    constraints: [other],
    validator: {
      validate: (_value, args) => (args?.object as Record<string, unknown>)[other] == null,
      defaultMessage: (args) => `${args?.property} cannot be given together with ${other}: give one of them`,
    },
  });
}

/** The window and the resolution of a history query (history-window.ts checks them together). */
@ArgsType()
export class HistoryWindowArgs {
  @Field(() => Date, {
    nullable: true,
    description: 'Start of the window (inclusive). Give from (and to) or lastMinutes.',
  })
  @IsOptional()
  @IsDate(DATE_TIME)
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'End of the window (exclusive); now when omitted.' })
  @IsOptional()
  @IsDate(DATE_TIME)
  to?: Date | null;

  @Field(() => Int, {
    nullable: true,
    description: `The window is the last this many minutes (1 to ${MAX_LAST_MINUTES}). The window is at most ${HISTORY_LIMITS.maxWindowDays} days however given.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LAST_MINUTES)
  lastMinutes?: number | null;

  @Field(() => Float, {
    nullable: true,
    description: `Bucket the samples by this width (whole milliseconds, 0.001 or more; at most ${HISTORY_LIMITS.maxBuckets} buckets per series). Give bucketSeconds or maxPoints, not both; without either the series are raw samples.`,
  })
  @IsOptional()
  @IsPositive()
  @NotTogetherWith('maxPoints')
  bucketSeconds?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Bucket the samples so that each series has at most this many buckets (2 to ${HISTORY_LIMITS.maxBuckets}); the width chosen is in bucketSeconds of the answer. From a second up the width is whole seconds (whole minutes from four minutes up), so that per-second and per-minute summaries serve it: a series may then have fewer buckets, at least half as many (80 % from four minutes up), and exactly this many when the window is aligned to the width.`,
  })
  @IsOptional()
  @IsInt()
  @Min(2)
  @Max(HISTORY_LIMITS.maxBuckets)
  @NotTogetherWith('bucketSeconds')
  maxPoints?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Raw samples only: at most this many per series, the first from \`from\` (default ${HISTORY_LIMITS.defaultRawLimit}, at most ${HISTORY_LIMITS.maxRawLimit}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(HISTORY_LIMITS.maxRawLimit)
  limit?: number | null;
}

/**
 * Selected values per point (one per field selected under a series) that cost one unit of
 * query complexity: with the default limit of 5000, one operation returns at most about 2.5
 * million values.
 */
const VALUES_PER_COMPLEXITY_UNIT = 500;

/** The query cost of a history field: series × points per series × fields selected / 500 (1 when the window is invalid: it is refused anyway). */
export function historyCost(args: HistoryRequest, series: number, childComplexity: number): number {
  const { plan } = checkHistoryRequest(args, new Date());
  if (!plan) return 1;
  return 1 + Math.ceil((series * pointsPerSeries(plan) * childComplexity) / VALUES_PER_COMPLEXITY_UNIT);
}
