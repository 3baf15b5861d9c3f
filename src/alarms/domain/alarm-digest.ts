import { InvalidInputError } from '../../shared/errors/domain-errors.js';
import type { AlarmHealth } from './alarm-health.js';
import type { NotificationRule } from './alarm-notification-rules.js';

/**
 * The weekly digest of a notification rule with weeklyDigest: the access context's weekly
 * summary and the week's alarm figures, once per rule, channel and week. Weeks are the access
 * summary's: Monday 00:00 UTC to the next Monday (domain/usage-report.ts in access), so that
 * the figures of both halves cover the same seven days.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
export const WEEK_MS = 7 * DAY_MS;

/** When digests go out: ISO weekday (1 = Monday … 7 = Sunday) and hour, in UTC, after the week ended. */
export interface DigestSchedule {
  weekday: number;
  hour: number;
}

export interface DigestWeek {
  weekStart: Date;
  weekEnd: Date;
  /** When this week's digest is due: the first `schedule.weekday` at `schedule.hour` after the week ended. */
  dueAt: Date;
}

function mondayOf(at: Date): Date {
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  const sinceMonday = (new Date(day).getUTCDay() + 6) % 7;
  return new Date(day - sinceMonday * DAY_MS);
}

function weekOf(weekStart: Date, schedule: DigestSchedule): DigestWeek {
  const weekEnd = new Date(weekStart.getTime() + WEEK_MS);
  const dueAt = new Date(weekEnd.getTime() + (schedule.weekday - 1) * DAY_MS + schedule.hour * HOUR_MS);
  return { weekStart, weekEnd, dueAt };
}

/**
 * The latest week whose digest is due at `now` (its due time is not after `now`). A replica
 * that starts (or wakes) late still gets the week it missed: it is the latest due one until
 * the next week's digest falls due, and the outbox key makes sending it again a no-op.
 */
export function latestDueWeek(now: Date, schedule: DigestSchedule): DigestWeek {
  // The week before this one ends on this Monday, so its digest falls due this week (the offset is under 7 days)…
  const candidate = weekOf(new Date(mondayOf(now).getTime() - WEEK_MS), schedule);
  if (candidate.dueAt.getTime() <= now.getTime()) return candidate;
  // …but not yet: the one before is the latest due.
  return weekOf(new Date(candidate.weekStart.getTime() - WEEK_MS), schedule);
}

/**
 * A week asked for by hand: a Monday at 00:00 UTC, of a week that has ended (a digest of a
 * week still running would be kept as that week's, short of its last days).
 */
export function checkDigestWeek(weekStart: Date, now: Date, schedule: DigestSchedule): DigestWeek {
  if (Number.isNaN(weekStart.getTime()) || mondayOf(weekStart).getTime() !== weekStart.getTime())
    throw new InvalidInputError('A digest week starts on a Monday at 00:00 UTC', {
      weekStart: 'must be a Monday at 00:00:00Z',
    });
  const week = weekOf(weekStart, schedule);
  if (week.weekEnd.getTime() > now.getTime())
    throw new InvalidInputError('This week has not ended yet', { weekStart: 'must be of a week that has ended' });
  return week;
}

/** One digest per rule, channel and week, across replicas and restarts (the outbox's idempotency key). */
export function digestKey(ruleId: number, channelId: number, weekStart: Date): string {
  return `alarm-digest:${ruleId}:${channelId}:${weekStart.toISOString()}`;
}

interface Labelled {
  code: string;
  name: string;
}

/** The access context's weekly summary, as far as a digest shows it. */
export interface DigestAccessSummary {
  usage: Array<{ machine: Labelled | null; hours: number; uses: number }>;
  overdueMaintenance: Array<{ machine: Labelled; description: string; overdueHours: number }>;
  unknownCards: Array<{ cardUid: string; machines: Labelled[]; attempts: number; lastAttemptAt: Date }>;
}

/** The week's alarms: raised in it, still open at its end, and the health figures over it. */
export interface DigestAlarmFigures {
  raised: number;
  openAtEnd: number;
  health: AlarmHealth;
}

export interface Digest {
  week: Pick<DigestWeek, 'weekStart' | 'weekEnd'>;
  access: DigestAccessSummary;
  alarms: DigestAlarmFigures;
}

const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;
const machineText = (m: Labelled | null) => (m ? `${m.code} ${m.name}` : '(unknown machine)');

/** The webhook's JSON document: plain data, as the transition document (no links). */
export function digestWebhookDocument(rule: Pick<NotificationRule, 'id' | 'name'>, digest: Digest) {
  const { access, alarms } = digest;
  return {
    event: 'alarm.weeklyDigest',
    rule: { id: rule.id, name: rule.name },
    week: { from: digest.week.weekStart.toISOString(), to: digest.week.weekEnd.toISOString() },
    alarms: {
      raised: alarms.raised,
      openAtEnd: alarms.openAtEnd,
      annunciations: alarms.health.annunciations,
      alarmsPerHour: round(alarms.health.alarmsPerHour, 4),
      peakPer10Minutes: alarms.health.peakPer10Minutes,
      peakPeriodStart: alarms.health.peakPeriodStart?.toISOString() ?? null,
      floodPeriods: alarms.health.floodPeriods,
      chatteringAlarmIds: alarms.health.chatteringAlarmIds,
      staleAlarmIds: alarms.health.staleAlarmIds,
    },
    access: {
      usage: access.usage.map((u) => ({
        machine: u.machine && { code: u.machine.code, name: u.machine.name },
        hours: u.hours,
        uses: u.uses,
      })),
      overdueMaintenance: access.overdueMaintenance.map((p) => ({
        machine: { code: p.machine.code, name: p.machine.name },
        description: p.description,
        overdueHours: round(p.overdueHours),
      })),
      unknownCards: access.unknownCards.map((c) => ({
        cardUid: c.cardUid,
        machines: c.machines.map((m) => ({ code: m.code, name: m.name })),
        attempts: c.attempts,
        lastAttemptAt: c.lastAttemptAt.toISOString(),
      })),
    },
  };
}

const day = (d: Date) => d.toISOString().slice(0, 10);

/** A readable e-mail with the same figures as the webhook document. */
export function digestEmail(rule: Pick<NotificationRule, 'name'>, digest: Digest): { subject: string; text: string } {
  const { access, alarms } = digest;
  const lastDay = new Date(digest.week.weekEnd.getTime() - DAY_MS);
  const span = `${day(digest.week.weekStart)} to ${day(lastDay)}`;
  const subject = `[Plantgraph] Weekly digest ${span}`;
  const h = alarms.health;
  const lines = [
    `Week ${span} (${digest.week.weekStart.toISOString()} to ${digest.week.weekEnd.toISOString()})`,
    '',
    'Alarms',
    `  Raised:              ${alarms.raised}`,
    `  Open at week's end:  ${alarms.openAtEnd}`,
    `  Annunciations:       ${h.annunciations} (${round(h.alarmsPerHour, 4)} per hour)`,
    `  Peak per 10 minutes: ${h.peakPer10Minutes}${h.peakPeriodStart ? ` from ${h.peakPeriodStart.toISOString()}` : ''}`,
    `  Flood periods:       ${h.floodPeriods}`,
    `  Chattering alarms:   ${h.chatteringAlarmIds.length ? h.chatteringAlarmIds.map((id) => `#${id}`).join(', ') : 'none'}`,
    `  Stale alarms:        ${h.staleAlarmIds.length ? h.staleAlarmIds.map((id) => `#${id}`).join(', ') : 'none'}`,
    '',
    'Machine use',
    ...(access.usage.length
      ? access.usage.map((u) => `  ${machineText(u.machine)}: ${u.hours} h in ${u.uses} use${u.uses === 1 ? '' : 's'}`)
      : ['  none']),
    '',
    'Maintenance overdue',
    ...(access.overdueMaintenance.length
      ? access.overdueMaintenance.map(
          (p) => `  ${machineText(p.machine)}: ${p.description} (${round(p.overdueHours)} h overdue)`,
        )
      : ['  none']),
    '',
    'Unknown cards',
    ...(access.unknownCards.length
      ? access.unknownCards.map(
          (c) =>
            `  ${c.cardUid}: ${c.attempts} attempt${c.attempts === 1 ? '' : 's'} on ${c.machines.map(machineText).join(', ') || '(no machine)'}, last ${c.lastAttemptAt.toISOString()}`,
        )
      : ['  none']),
    '',
    `Sent by notification rule "${rule.name}".`,
  ];
  // The Mailer refuses more than 100,000 characters: a plant with thousands of machines gets a cut list, not no digest.
  return { subject, text: lines.join('\n').slice(0, 100_000) };
}
