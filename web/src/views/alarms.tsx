import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  AcknowledgeAlarmMutation,
  AlarmChangedLive,
  AlarmHistoryQuery,
  AlarmsQuery,
  ShelveAlarmMutation,
  UnshelveAlarmMutation,
} from '../api/alarm-operations';
import { requestExplained } from '../api/explained-request';
import { useSubscription, type LiveLink } from '../api/live';
import type { Session } from '../api/session';
import { useStore } from '../api/store';
import type { ViewProps } from '../app';
import type {
  AlarmFieldsFragment,
  AlarmSeverity,
  AlarmSourceKind,
  AlarmState,
  AlarmTransitionKind,
} from '../gql/graphql';
import { ErrorNote, StaleNote, dateTime, useLoad, useThrottledVersion } from './common';
import { describeError } from '../api/explained-request';
import './alarms.css';

type Alarm = AlarmFieldsFragment;

/** The states of an open alarm (NORMAL is closed), in the order a person works through them. */
export const OPEN_STATES: readonly AlarmState[] = [
  'ACTIVE_UNACKNOWLEDGED',
  'RETURNED_UNACKNOWLEDGED',
  'ACTIVE_ACKNOWLEDGED',
];
export const UNACKNOWLEDGED: readonly AlarmState[] = ['ACTIVE_UNACKNOWLEDGED', 'RETURNED_UNACKNOWLEDGED'];
/** State and severity always in words, with an icon; the colour only repeats them. */
export const STATE_TEXT: Record<AlarmState, string> = {
  ACTIVE_UNACKNOWLEDGED: 'Active, unacknowledged',
  ACTIVE_ACKNOWLEDGED: 'Active, acknowledged',
  RETURNED_UNACKNOWLEDGED: 'Returned, unacknowledged',
  NORMAL: 'Normal (closed)',
};
export const STATE_ICONS: Record<AlarmState, string> = {
  ACTIVE_UNACKNOWLEDGED: '●',
  ACTIVE_ACKNOWLEDGED: '◉',
  RETURNED_UNACKNOWLEDGED: '○',
  NORMAL: '✓',
};
export const SEVERITIES: readonly AlarmSeverity[] = ['CRITICAL', 'MAJOR', 'MINOR', 'WARNING', 'INDETERMINATE'];
export const SEVERITY_TEXT: Record<AlarmSeverity, string> = {
  CRITICAL: 'Critical',
  MAJOR: 'Major',
  MINOR: 'Minor',
  WARNING: 'Warning',
  INDETERMINATE: 'Indeterminate',
};
export const SEVERITY_ICONS: Record<AlarmSeverity, string> = {
  CRITICAL: '⛔',
  MAJOR: '▲',
  MINOR: '◆',
  WARNING: '⚠',
  INDETERMINATE: '?',
};
const KIND_TEXT: Record<AlarmSourceKind, string> = {
  MACHINE: 'Machine',
  SENSOR: 'Sensor',
  PV: 'PV',
  BOARD: 'Board',
  SERVICE: 'Service',
};
const TRANSITION_TEXT: Record<AlarmTransitionKind, string> = {
  RAISED: 'Raised',
  RERAISED: 'Raised again',
  RETURNED: 'Returned to normal (condition ended)',
  ACKNOWLEDGED: 'Acknowledged',
  CLEARED: 'Closed',
  ASSIGNED: 'Assigned',
  SHELVED: 'Shelved',
  UNSHELVED: 'Un-shelved',
  OUT_OF_SERVICE: 'Source out of service',
  IN_SERVICE: 'Source back in service',
};

const HEADERS = [
  'State',
  'Severity',
  'Source',
  'Type',
  'Message',
  'Count',
  'Peak',
  'First raised',
  'Last changed',
  'Assignee',
  'Shelved until',
  'Actions',
] as const;
/** The list's first paint: the most recently changed open alarms (a flood beyond this is counted, not listed). */
const LIST_LIMIT = 200;
const HISTORY_LIMIT = 50;
/** Live changes kept to replay onto a list that was asked for before they arrived. */
const REPLAY_MS = 30_000;
const DEFAULT_SHELF_MS = 3_600_000;

const changedAt = (a: Alarm) => Date.parse(a.lastChangedAt);
const number = (v: number | null) => (v === null ? '–' : String(Number(v.toFixed(4))));

/** A date-time input's value (local time, to the minute) for a moment. */
function localInput(ms: number): string {
  const d = new Date(ms);
  return new Date(ms - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** Today's times as times, older ones with their date; the full moment on hover and for machines. */
function When({ iso }: { iso: string | null }) {
  if (!iso) return <>–</>;
  const d = new Date(iso);
  const today = d.toDateString() === new Date().toDateString();
  const text = today
    ? d.toLocaleTimeString()
    : d.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  return (
    <time dateTime={iso} title={dateTime(iso)}>
      {text}
    </time>
  );
}

export function StateWord({ state }: { state: AlarmState }) {
  return (
    <span class={`alarm-state state-${state.toLowerCase()}`}>
      <span aria-hidden="true">{STATE_ICONS[state]}</span> {STATE_TEXT[state]}
    </span>
  );
}

export function SeverityWord({ severity }: { severity: AlarmSeverity }) {
  return (
    <span class={`alarm-severity severity-${severity.toLowerCase()}`}>
      <span aria-hidden="true">{SEVERITY_ICONS[severity]}</span> {SEVERITY_TEXT[severity]}
    </span>
  );
}

type Panel = 'acknowledge' | 'shelve' | 'history';
type FormStatus = { kind: 'idle' } | { kind: 'pending' } | { kind: 'error'; text: string };

/**
 * The open alarms, most recently changed first, filterable by state and severity. First paint
 * from `alarms`; then each `alarmChanged` event puts the alarm after its transition in place, or
 * takes it out when it no longer matches (acknowledged out of an "unacknowledged" filter, closed).
 * The subscription is unfiltered for that reason: a filtered one would not say an alarm left it.
 */
export function AlarmsView({ session, link, user }: ViewProps) {
  const canOperate = user.permissions.includes('alarms:operate');
  const [stateFilter, setStateFilter] = useState<AlarmState | ''>('');
  const [severityFilter, setSeverityFilter] = useState<AlarmSeverity | ''>('');
  const [version, bump] = useThrottledVersion(200);
  const linkState = useStore(link.state);
  const rows = useRef(new Map<string, Alarm>());
  const recent = useRef<Array<{ at: number; alarm: Alarm }>>([]);
  const [open, setOpen] = useState<{ id: string; panel: Panel } | null>(null);
  const [notice, setNotice] = useState('');

  const states = stateFilter ? [stateFilter] : OPEN_STATES;
  const matches = (a: Alarm) => states.includes(a.state) && (!severityFilter || a.severity === severityFilter);
  /** An alarm as of a transition: newer than what is shown replaces it (a late older one is ignored). */
  const apply = (a: Alarm) => {
    const known = rows.current.get(a.id);
    if (known && changedAt(known) > changedAt(a)) return;
    if (matches(a)) rows.current.set(a.id, a);
    else rows.current.delete(a.id);
    bump();
  };

  useSubscription(
    link,
    AlarmChangedLive,
    {},
    ({ alarmChanged }) => {
      const now = Date.now();
      recent.current.push({ at: now, alarm: alarmChanged.alarm });
      while (recent.current.length && recent.current[0].at < now - REPLAY_MS) recent.current.shift();
      apply(alarmChanged.alarm);
    },
    'alarms-view',
  );

  const list = useLoad(link, `alarms:${stateFilter}:${severityFilter}`, async () => {
    const asked = Date.now();
    const answer = await session.request(AlarmsQuery, {
      filter: { states: [...states], severities: severityFilter ? [severityFilter] : null },
      limit: LIST_LIMIT,
    });
    rows.current = new Map(answer.alarms.items.map((a) => [a.id, a]));
    // Changes that arrived while the list was on its way may be newer than its answer.
    for (const change of recent.current) if (change.at >= asked) apply(change.alarm);
    bump();
    return answer.alarms.totalCount;
  });

  const shown = [...rows.current.values()].sort((a, b) => changedAt(b) - changedAt(a) || Number(b.id) - Number(a.id));
  const close = (id: string) => {
    setOpen(null);
    // Back to the row's History button (always there, unlike Acknowledge once acknowledged).
    requestAnimationFrame(() =>
      document.querySelector<HTMLButtonElement>(`tr[data-alarm="${id}"] button[data-action="history"]`)?.focus(),
    );
  };
  const done = (alarm: Alarm, what: string) => {
    apply(alarm);
    setNotice(`✓ Alarm ${alarm.id} (${alarm.type} on ${alarm.source.name}) ${what}`);
    close(alarm.id);
  };
  const unshelve = (alarm: Alarm) => {
    setNotice('Sending…');
    requestExplained(session, UnshelveAlarmMutation, { id: alarm.id, note: null })
      .then(({ unshelveAlarm }) => done(unshelveAlarm, 'un-shelved'))
      .catch((error) => setNotice(`⚠ Refused — ${describeError(error)}`));
  };
  const toggle = (id: string, panel: Panel) =>
    setOpen((current) => (current?.id === id && current.panel === panel ? null : { id, panel }));

  return (
    <section
      aria-labelledby="alarms-title"
      class={`alarms${linkState === 'live' ? '' : ' stale'}`}
      data-stale={linkState !== 'live'}
      data-version={version}
    >
      <h1 id="alarms-title">Alarms</h1>
      <StaleNote link={link} />
      <ErrorNote error={list.error} />
      <div class="alarm-filters" role="group" aria-label="Filter the alarms">
        <label for="alarm-state-filter">State</label>
        <select
          id="alarm-state-filter"
          value={stateFilter}
          onChange={(e) => setStateFilter(e.currentTarget.value as AlarmState | '')}
        >
          <option value="">Every open state</option>
          {OPEN_STATES.map((s) => (
            <option key={s} value={s}>
              {STATE_TEXT[s]}
            </option>
          ))}
        </select>
        <label for="alarm-severity-filter">Severity</label>
        <select
          id="alarm-severity-filter"
          value={severityFilter}
          onChange={(e) => setSeverityFilter(e.currentTarget.value as AlarmSeverity | '')}
        >
          <option value="">Every severity</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY_TEXT[s]}
            </option>
          ))}
        </select>
      </div>
      {!canOperate && <p class="hint">Acknowledging and shelving need the alarms:operate permission.</p>}
      <p class="form-status" role="status" data-testid="alarm-notice">
        {notice}
      </p>
      {list.data !== null && shown.length === 0 && <p>No open alarm matches.</p>}
      {list.data !== null && list.data > LIST_LIMIT && (
        <p class="hint">
          The {LIST_LIMIT} most recently changed of {list.data} when the list was loaded; narrow the filter to see
          others.
        </p>
      )}
      {shown.length > 0 && (
        <div class="table-scroll">
          <table class="alarm-table">
            <caption class="visually-hidden">Open alarms, most recently changed first</caption>
            <thead>
              <tr>
                {HEADERS.map((h) => (
                  <th key={h} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((a) => {
                const what = `${a.type} on ${a.source.name}`;
                const panelId = `alarm-${a.id}-panel`;
                const expanded = (panel: Panel) => open?.id === a.id && open.panel === panel;
                return (
                  <Fragment key={a.id}>
                    <tr
                      data-alarm={a.id}
                      data-state={a.state}
                      data-severity={a.severity}
                      class={`severity-row-${a.severity.toLowerCase()}`}
                    >
                      <td data-label="State">
                        <StateWord state={a.state} />
                      </td>
                      <td data-label="Severity">
                        <SeverityWord severity={a.severity} />
                      </td>
                      <td data-label="Source">
                        <span class="hint">{KIND_TEXT[a.source.kind]}</span> {a.source.name}
                        {a.source.experiment && <span class="hint"> ({a.source.experiment})</span>}
                      </td>
                      <td data-label="Type">{a.type}</td>
                      <td data-label="Message" class="alarm-message">
                        {a.message}
                      </td>
                      <td data-label="Count">{a.count}</td>
                      <td data-label="Peak">{number(a.peakValue)}</td>
                      <td data-label="First raised">
                        <When iso={a.firstRaisedAt} />
                      </td>
                      <td data-label="Last changed">
                        <When iso={a.lastChangedAt} />
                      </td>
                      <td data-label="Assignee">
                        {a.assigneeId ? (
                          a.assigneeId === user.id ? (
                            'You'
                          ) : (
                            <span title={a.assigneeId}>{a.assigneeId.slice(0, 8)}…</span>
                          )
                        ) : (
                          '–'
                        )}
                      </td>
                      <td data-label="Shelved until" data-testid="alarm-shelf">
                        {a.suppression === 'SHELVED' ? (
                          <>
                            <span aria-hidden="true">⏸</span> <When iso={a.shelvedUntil} />
                            {a.shelveNote && <span class="hint"> — {a.shelveNote}</span>}
                          </>
                        ) : a.suppression === 'OUT_OF_SERVICE' ? (
                          'Source out of service'
                        ) : (
                          '–'
                        )}
                      </td>
                      <td data-label="Actions" class="alarm-actions">
                        {canOperate && UNACKNOWLEDGED.includes(a.state) && (
                          <button
                            type="button"
                            aria-label={`Acknowledge ${what}`}
                            aria-expanded={expanded('acknowledge')}
                            aria-controls={expanded('acknowledge') ? panelId : undefined}
                            onClick={() => toggle(a.id, 'acknowledge')}
                          >
                            Acknowledge
                          </button>
                        )}
                        {canOperate && a.suppression === null && (
                          <button
                            type="button"
                            aria-label={`Shelve ${what}`}
                            aria-expanded={expanded('shelve')}
                            aria-controls={expanded('shelve') ? panelId : undefined}
                            onClick={() => toggle(a.id, 'shelve')}
                          >
                            Shelve
                          </button>
                        )}
                        {canOperate && a.suppression === 'SHELVED' && (
                          <button type="button" aria-label={`Un-shelve ${what}`} onClick={() => unshelve(a)}>
                            Un-shelve
                          </button>
                        )}
                        <button
                          type="button"
                          class="secondary"
                          data-action="history"
                          aria-label={`History of ${what}`}
                          aria-expanded={expanded('history')}
                          aria-controls={expanded('history') ? panelId : undefined}
                          onClick={() => toggle(a.id, 'history')}
                        >
                          History
                        </button>
                      </td>
                    </tr>
                    {open?.id === a.id && (
                      <tr class="alarm-detail">
                        <td colSpan={HEADERS.length} id={panelId}>
                          {open.panel === 'acknowledge' ? (
                            <AcknowledgeForm
                              session={session}
                              alarm={a}
                              onDone={(alarm) => done(alarm, 'acknowledged')}
                              onCancel={() => close(a.id)}
                            />
                          ) : open.panel === 'shelve' ? (
                            <ShelveForm
                              session={session}
                              alarm={a}
                              onDone={(alarm) => done(alarm, 'shelved')}
                              onCancel={() => close(a.id)}
                            />
                          ) : (
                            <AlarmHistory session={session} link={link} alarm={a} />
                          )}
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

interface FormProps {
  session: Session;
  alarm: Alarm;
  onDone: (alarm: Alarm) => void;
  onCancel: () => void;
}

/** A refusal in words with an icon (never colour alone), as the experiments view shows it. */
function StatusLine({ status, id }: { status: FormStatus; id: string }) {
  if (status.kind === 'error')
    return (
      <p class="error" role="alert" id={id} data-testid="form-error">
        <span aria-hidden="true">⚠</span> Refused — {status.text}
      </p>
    );
  return (
    <p class="form-status" role="status" id={id}>
      {status.kind === 'pending' ? 'Sending…' : ''}
    </p>
  );
}

/** The form's first field takes the focus when it opens (the forms close on Escape). */
function useFormFocus() {
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  return first;
}

function AcknowledgeForm({ session, alarm, onDone, onCancel }: FormProps) {
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<FormStatus>({ kind: 'idle' });
  const first = useFormFocus();
  const base = `alarm-${alarm.id}-ack`;
  const submit = (event: Event) => {
    event.preventDefault();
    setStatus({ kind: 'pending' });
    requestExplained(session, AcknowledgeAlarmMutation, { id: alarm.id, note: note.trim() || null })
      .then(({ acknowledgeAlarm }) => onDone(acknowledgeAlarm))
      .catch((error) => setStatus({ kind: 'error', text: describeError(error) }));
  };
  return (
    <form
      class="alarm-form"
      aria-label={`Acknowledge alarm ${alarm.id}`}
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <label for={`${base}-note`}>Note (optional)</label>
      <input
        id={`${base}-note`}
        ref={first}
        value={note}
        maxLength={1000}
        autoComplete="off"
        aria-describedby={`${base}-status`}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      <button type="submit" disabled={status.kind === 'pending'}>
        Acknowledge
      </button>
      <button type="button" class="secondary" onClick={onCancel}>
        Cancel
      </button>
      <StatusLine status={status} id={`${base}-status`} />
    </form>
  );
}

function ShelveForm({ session, alarm, onDone, onCancel }: FormProps) {
  const [until, setUntil] = useState(() => localInput(Date.now() + DEFAULT_SHELF_MS));
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<FormStatus>({ kind: 'idle' });
  const first = useFormFocus();
  const base = `alarm-${alarm.id}-shelve`;
  const submit = (event: Event) => {
    event.preventDefault();
    const at = new Date(until);
    if (Number.isNaN(at.getTime())) return setStatus({ kind: 'error', text: 'The time is not a valid date and time' });
    setStatus({ kind: 'pending' });
    requestExplained(session, ShelveAlarmMutation, { id: alarm.id, until: at.toISOString(), note })
      .then(({ shelveAlarm }) => onDone(shelveAlarm))
      .catch((error) => setStatus({ kind: 'error', text: describeError(error) }));
  };
  const invalid = status.kind === 'error';
  return (
    <form
      class="alarm-form"
      aria-label={`Shelve alarm ${alarm.id}`}
      onSubmit={submit}
      onKeyDown={(e) => e.key === 'Escape' && onCancel()}
    >
      <label for={`${base}-until`}>Shelved until</label>
      <input
        id={`${base}-until`}
        ref={first}
        type="datetime-local"
        required
        value={until}
        aria-describedby={`${base}-hint ${base}-status`}
        aria-invalid={invalid}
        onInput={(e) => setUntil(e.currentTarget.value)}
      />
      <label for={`${base}-note`}>Why (required)</label>
      <input
        id={`${base}-note`}
        class="alarm-note"
        required
        value={note}
        maxLength={1000}
        autoComplete="off"
        aria-describedby={`${base}-hint ${base}-status`}
        onInput={(e) => setNote(e.currentTarget.value)}
      />
      <button type="submit" disabled={status.kind === 'pending'}>
        Shelve
      </button>
      <button type="button" class="secondary" onClick={onCancel}>
        Cancel
      </button>
      <p class="hint" id={`${base}-hint`}>
        A shelved alarm notifies nobody until then (at most 30 days ahead); it stays in this list.
      </p>
      <StatusLine status={status} id={`${base}-status`} />
    </form>
  );
}

/** An alarm's transitions, newest first, loaded when asked for and again when the alarm changes. */
function AlarmHistory({ session, link, alarm }: { session: Session; link: LiveLink; alarm: Alarm }) {
  const history = useLoad(link, `alarm-history:${alarm.id}:${alarm.lastChangedAt}`, () =>
    session.request(AlarmHistoryQuery, { alarmId: alarm.id, limit: HISTORY_LIMIT }),
  );
  const page = history.data?.alarmHistory;
  const titleId = `alarm-${alarm.id}-history-title`;
  return (
    <section aria-labelledby={titleId} class="alarm-history">
      <h2 id={titleId}>
        History of alarm {alarm.id}: {alarm.type} on {alarm.source.name}
      </h2>
      <ErrorNote error={history.error} />
      {!page && !history.error && <p>Loading…</p>}
      {page && (
        <table>
          <thead>
            <tr>
              {['When', 'What', 'By', 'Note', 'State after', 'Severity'].map((h) => (
                <th key={h} scope="col">
                  {h}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {page.items.map((t) => (
              <tr key={t.id} data-transition={t.kind}>
                <td>
                  <When iso={t.at} />
                </td>
                <td>{TRANSITION_TEXT[t.kind]}</td>
                <td>{t.byUserName ?? t.byUserId ?? 'The service'}</td>
                <td>{t.note ?? '–'}</td>
                <td>
                  <StateWord state={t.stateAfter} />
                </td>
                <td>
                  <SeverityWord severity={t.severity} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {page && page.totalCount > page.items.length && (
        <p class="hint">
          The newest {page.items.length} of {page.totalCount} transitions.
        </p>
      )}
    </section>
  );
}
