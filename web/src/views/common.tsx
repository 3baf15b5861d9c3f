import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { LiveLink } from '../api/live';
import { OfflineError } from '../api/session';
import { useStore } from '../api/store';
import type { AccessStatus, AnomalyLevel, MachineState } from '../gql/graphql';

/** State and level colours; every use also shows the state's name or icon, never colour alone. */
export const STATE_COLORS: Record<MachineState, string> = { OFF: '#6b7280', IDLE: '#b45309', PRODUCTION: '#15803d' };
export const STATE_ICONS: Record<MachineState, string> = { OFF: '○', IDLE: '◐', PRODUCTION: '▶' };
export const LEVEL_COLORS: Record<AnomalyLevel, string> = {
  UNDEFINED: '#6b7280',
  OK: '#15803d',
  WARNING: '#b45309',
  CRITICAL: '#b91c1c',
};
export const ACCESS_TEXT: Record<AccessStatus, string> = {
  IN_USE: 'In use',
  BLOCKED: 'Blocked',
  MAINTENANCE: 'Maintenance',
  OFFLINE: 'Offline',
  FREE: 'Free',
};

export const WINDOWS = [
  { label: '15 minutes', ms: 15 * 60_000 },
  { label: '1 hour', ms: 3_600_000 },
  { label: '6 hours', ms: 6 * 3_600_000 },
  { label: '24 hours', ms: 24 * 3_600_000 },
  { label: '7 days', ms: 7 * 24 * 3_600_000 },
] as const;

/** Buckets per series asked of the server: about one per pixel of a wide chart. */
export const MAX_POINTS = 1200;

export const fmt = (value: number | null | undefined, digits = 1) =>
  value === null || value === undefined ? '–' : value.toFixed(digits);
export const time = (iso: string | number) => new Date(iso).toLocaleTimeString();
export const dateTime = (iso: string) => new Date(iso).toLocaleString();

/** A load that failed because the service could not be reached is tried again this soon. */
const RELOAD_AFTER_MS = 2_000;

/**
 * Loads a view's first paint or history: when mounted, when `key` changes, and again after
 * every reconnection of the live link, so what was missed while disconnected is filled in.
 * A load that fails for want of the service is retried until it succeeds.
 */
export function useLoad<T>(
  link: LiveLink,
  key: string,
  load: () => Promise<T>,
): { data: T | null; error: string | null } {
  const reconnected = useStore(link.reconnected);
  const [state, setState] = useState<{ data: T | null; error: string | null }>({ data: null, error: null });
  const loader = useRef(load);
  loader.current = load;
  useEffect(() => {
    let cancelled = false;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const run = () =>
      loader
        .current()
        .then((data) => cancelled || setState({ data, error: null }))
        .catch((error: Error) => {
          if (cancelled) return;
          setState((s) => ({ data: s.data, error: error.message }));
          if (error instanceof OfflineError) retry = setTimeout(run, RELOAD_AFTER_MS);
        });
    void run();
    return () => {
      cancelled = true;
      clearTimeout(retry);
    };
  }, [key, reconnected]);
  return state;
}

/**
 * A counter bumped at most every `ms`: live events mutate refs, and the view re-renders at this
 * pace. The first bump after a quiet spell renders at once (a first paint waits for nothing).
 */
export function useThrottledVersion(ms: number): [number, () => void] {
  const [version, setVersion] = useState(0);
  const pending = useRef<ReturnType<typeof setTimeout> | null>(null);
  const last = useRef(0);
  useEffect(() => () => clearTimeout(pending.current ?? undefined), []);
  const bump = () => {
    if (pending.current !== null) return;
    const flush = () => {
      pending.current = null;
      last.current = performance.now();
      setVersion((v) => v + 1);
    };
    const wait = last.current + ms - performance.now();
    if (wait <= 0) flush();
    else pending.current = setTimeout(flush, wait);
  };
  return [version, bump];
}

export function WindowPicker({ value, onChange, id }: { value: number; onChange: (ms: number) => void; id: string }) {
  return (
    <span class="window-picker">
      <label for={id}>History window</label>{' '}
      <select id={id} value={String(value)} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {WINDOWS.map((w) => (
          <option key={w.ms} value={String(w.ms)}>
            {w.label}
          </option>
        ))}
      </select>
    </span>
  );
}

export function StaleNote({ link }: { link: LiveLink }) {
  const state = useStore(link.state);
  return state === 'live' ? null : (
    <p class="stale-note" role="note">
      Not live: the figures below stop at the moment the connection dropped and catch up when it returns.
    </p>
  );
}

export function ErrorNote({ error }: { error: string | null }) {
  return error ? (
    <p class="error" role="alert">
      {error}
    </p>
  ) : null;
}

export interface TableSectionProps<T> {
  /** The heading's id (the section is labelled by it). */
  id: string;
  title: string;
  heading?: 'h2' | 'h3';
  headers: readonly string[];
  rows: readonly T[];
  rowKey(row: T): string | number;
  /** One cell per header. */
  cells(row: T): ComponentChildren[];
}

/** A titled list as a real table (column headers for screen readers): the access and leak views' lists. */
export function TableSection<T>({ id, title, heading = 'h2', headers, rows, rowKey, cells }: TableSectionProps<T>) {
  const Heading = heading;
  return (
    <section aria-labelledby={id}>
      <Heading id={id}>{title}</Heading>
      <table>
        <thead>
          <tr>
            {headers.map((header) => (
              <th key={header} scope="col">
                {header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)}>
              {cells(row).map((cell, k) => (
                <td key={k}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
