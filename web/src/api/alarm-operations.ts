import { graphql } from '../gql';

/**
 * The alarms view's and the header badge's operations (typed by the generator from schema.gql).
 * Both follow `alarmChanged` over the page's one socket; the badge asks `alarmSummary` again on
 * each change rather than counting the changes itself, so it cannot drift from the server.
 */

export const AlarmFields = graphql(`
  fragment AlarmFields on Alarm {
    id
    source {
      kind
      key
      name
      experiment
    }
    type
    severity
    message
    state
    suppression
    shelvedUntil
    shelvedBy
    shelveNote
    assigneeId
    firstRaisedAt
    lastChangedAt
    count
    peakValue
  }
`);

export const AlarmsQuery = graphql(`
  query Alarms($filter: AlarmListFilterInput, $limit: Int!) {
    alarms(filter: $filter, limit: $limit) {
      totalCount
      items {
        ...AlarmFields
      }
    }
  }
`);

export const AlarmHistoryQuery = graphql(`
  query AlarmHistory($alarmId: ID!, $limit: Int!) {
    alarmHistory(alarmId: $alarmId, limit: $limit) {
      totalCount
      items {
        id
        kind
        at
        byUserId
        byUserName
        note
        stateAfter
        severity
      }
    }
  }
`);

export const AlarmSummaryQuery = graphql(`
  query AlarmSummary {
    alarmSummary {
      open
      suppressed
      byState {
        state
        count
      }
      bySeverity {
        severity
        count
      }
    }
  }
`);

/** Every transition with the alarm after it: the view applies it, the badge counts again. */
export const AlarmChangedLive = graphql(`
  subscription AlarmChangedLive {
    alarmChanged {
      transition {
        id
        kind
      }
      alarm {
        ...AlarmFields
      }
    }
  }
`);

export const AcknowledgeAlarmMutation = graphql(`
  mutation AcknowledgeAlarm($id: ID!, $note: String) {
    acknowledgeAlarm(id: $id, note: $note) {
      ...AlarmFields
    }
  }
`);

export const ShelveAlarmMutation = graphql(`
  mutation ShelveAlarm($id: ID!, $until: DateTime!, $note: String!) {
    shelveAlarm(id: $id, until: $until, note: $note) {
      ...AlarmFields
    }
  }
`);

export const UnshelveAlarmMutation = graphql(`
  mutation UnshelveAlarm($id: ID!, $note: String) {
    unshelveAlarm(id: $id, note: $note) {
      ...AlarmFields
    }
  }
`);
