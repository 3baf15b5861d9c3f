/**
 * Which daily partitions of a sample table to create and drop. Days are UTC calendar days
 * written 'YYYY-MM-DD', so that they sort as strings.
 */
export interface PartitionPolicy {
  /** Partitions exist from yesterday to this many days ahead. */
  daysAhead: number;
  /** Days older than this many days before today are dropped; 0 keeps everything. */
  retentionDays: number;
}

export interface PartitionPlan {
  create: string[];
  drop: string[];
  /** Rows of the DEFAULT partition older than this day are deleted (none when retention is 0). */
  purgeDefaultBefore?: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  return utcDay(new Date(dayStart(day).getTime() + days * DAY_MS));
}

/** Midnight UTC of the day. */
export function dayStart(day: string): Date {
  if (!DAY.test(day)) throw new RangeError(`Not a day (YYYY-MM-DD): ${day}`);
  return new Date(`${day}T00:00:00.000Z`);
}

/**
 * Yesterday to `daysAhead` ahead, plus every day that has rows waiting in the DEFAULT
 * partition (samples that arrived before their day had a partition, e.g. replayed from a
 * device after an outage) as long as the retention keeps it: a day's partition can only be
 * attached once those rows leave the DEFAULT partition, and then they are found by
 * partition pruning like any other. Days beyond the horizon stay in DEFAULT until it comes.
 */
export function partitionPlan(
  today: string,
  policy: PartitionPolicy,
  existing: readonly string[],
  inDefault: readonly string[],
): PartitionPlan {
  const last = addDays(today, policy.daysAhead);
  const cutoff = policy.retentionDays > 0 ? addDays(today, -policy.retentionDays) : undefined;
  const kept = (day: string) => (cutoff === undefined || day >= cutoff) && day <= last;
  const wanted = new Set<string>();
  for (let day = addDays(today, -1); day <= last; day = addDays(day, 1)) if (kept(day)) wanted.add(day);
  for (const day of inDefault) if (kept(day)) wanted.add(day);
  const have = new Set(existing);
  return {
    create: [...wanted].filter((day) => !have.has(day)).sort(),
    drop: cutoff === undefined ? [] : existing.filter((day) => day < cutoff).sort(),
    purgeDefaultBefore: cutoff,
  };
}
