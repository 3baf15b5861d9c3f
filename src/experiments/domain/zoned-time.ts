/**
 * Times with explicit zones for the EPICS Archiver Appliance (reference/realtimeplot.md §6):
 * the original read naive `YYYY-MM-DD HH:MM:SS` strings as wall-clock time of
 * ARCHIVER_TIMEZONE while its docs said UTC. Here a time with an offset (`Z`, `+01:00`) means
 * exactly that instant; a naive one is wall-clock time of the configured zone, said so in
 * the API. Plain TypeScript on Intl: no time-zone library.
 */

const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

const DAY_MS = 86_400_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let found = formatters.get(zone);
  if (!found) {
    found = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(zone, found);
  }
  return found;
}

/** Whether `zone` is an IANA zone this runtime knows ('Europe/Berlin', 'UTC'). */
export function isTimeZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset from UTC at an instant, in milliseconds (+3,600,000 for Berlin in winter). */
export function offsetAt(zone: string, utcMs: number): number {
  const whole = Math.floor(utcMs / 1000) * 1000;
  const parts = formatter(zone).formatToParts(new Date(whole));
  const field = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)!.value);
  const wall = Date.UTC(
    field('year'),
    field('month') - 1,
    field('day'),
    field('hour'),
    field('minute'),
    field('second'),
  );
  return wall - whole;
}

/**
 * An ISO-8601 time with an offset, or a naive date-time (`2022-01-15 06:37:34`, `T` or a
 * space) read as wall-clock time of `zone`; undefined when it is neither or names no real
 * date. A wall-clock time that a daylight-saving change skips is moved ahead by the gap (as
 * java.time does); one it repeats is the earlier of the two instants.
 */
export function parseZonedTime(text: string, zone: string): Date | undefined {
  if (WITH_OFFSET.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) || !realDate(text) ? undefined : new Date(ms);
  }
  const m = NAIVE.exec(text);
  if (!m || !realDate(text)) return undefined;
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), hour, minute, second, millis);
  // The offsets a day before and after: at most one change lies between them.
  const candidates = [wall - offsetAt(zone, wall - DAY_MS), wall - offsetAt(zone, wall + DAY_MS)];
  const valid = candidates.filter((utc) => utc + offsetAt(zone, utc) === wall);
  return new Date(valid.length ? Math.min(...valid) : candidates[0]);
}

/** The instant as ISO-8601 wall-clock time of `zone` with its offset: `2022-01-15T13:37:34.793+01:00`. */
export function formatInZone(date: Date, zone: string): string {
  const offset = offsetAt(zone, date.getTime());
  const local = new Date(date.getTime() + offset).toISOString().slice(0, -1);
  const sign = offset < 0 ? '-' : '+';
  const minutes = Math.abs(offset) / 60_000;
  return `${local}${sign}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** 2024-02-30 parses in JavaScript (as 1 March): refused. */
function realDate(text: string): boolean {
  const [year, month, day] = [Number(text.slice(0, 4)), Number(text.slice(5, 7)), Number(text.slice(8, 10))];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
