import { Fragment } from 'preact';
import { AlarmChangedLive, AlarmSummaryQuery } from './api/alarm-operations';
import { useSubscription, type LiveLink } from './api/live';
import type { Session } from './api/session';
import { useStore } from './api/store';
import { SEVERITY_ICONS, SEVERITY_TEXT, UNACKNOWLEDGED } from './views/alarms';
import { useLoad, useThrottledVersion } from './views/common';

/**
 * Changes in a burst (a flood, a re-raise storm) ask for the summary at most this often: the
 * first change of a quiet spell at once, so a new alarm shows well within 2 s.
 */
const SUMMARY_EVERY_MS = 500;

/**
 * The header's alarm counts, on every view, linking to the alarms view. Counted by the server
 * (alarmSummary), asked again on each alarmChanged event over the page's one socket and after
 * every reconnection (useLoad), so it matches the list whatever was missed.
 */
export function AlarmBadge({ session, link, current }: { session: Session; link: LiveLink; current: boolean }) {
  const [version, bump] = useThrottledVersion(SUMMARY_EVERY_MS);
  const state = useStore(link.state);
  useSubscription(link, AlarmChangedLive, {}, bump, 'alarm-badge');
  const summary = useLoad(link, `alarm-summary:${version}`, () => session.request(AlarmSummaryQuery, {}));
  const data = summary.data?.alarmSummary;
  const unacknowledged = (data?.byState ?? [])
    .filter((s) => UNACKNOWLEDGED.includes(s.state))
    .reduce((sum, s) => sum + s.count, 0);
  const severities = (data?.bySeverity ?? []).filter((s) => s.count > 0);
  const worst = severities[0]?.severity;
  const bySeverity = severities.map((s) => `${s.count} ${SEVERITY_TEXT[s.severity].toLowerCase()}`);
  const parts = data
    ? [`${unacknowledged} unacknowledged`, ...(data.suppressed ? [`${data.suppressed} shelved`] : []), ...bySeverity]
    : [];

  return (
    <a
      href="#/alarms"
      class={`alarm-badge${worst ? ` severity-${worst.toLowerCase()}` : ''}${state === 'live' ? '' : ' stale'}`}
      data-testid="alarm-badge"
      data-open={data?.open}
      data-unacknowledged={data ? unacknowledged : undefined}
      data-suppressed={data?.suppressed}
      aria-current={current ? 'page' : undefined}
    >
      <span aria-hidden="true">{worst ? SEVERITY_ICONS[worst] : '🔔'}</span> Alarms:{' '}
      {data ? (
        <>
          <strong>{data.open}</strong> open
          {parts.map((part) => (
            <Fragment key={part}>
              {/* A dot for the eye, a comma for a screen reader. */}
              <span aria-hidden="true"> · </span>
              <span class="visually-hidden">, </span>
              {part}
            </Fragment>
          ))}
        </>
      ) : (
        <>{summary.error ? 'counts unavailable' : '…'}</>
      )}
    </a>
  );
}
