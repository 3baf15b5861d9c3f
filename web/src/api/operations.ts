import { graphql } from '../gql';

/**
 * Every operation of the page. GraphQL Code Generator types them from schema.gql
 * (`npm run web:codegen`): a field the schema drops or renames fails the type check.
 */

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      accessToken
      refreshToken
      expiresAt
    }
  }
`);

export const RefreshMutation = graphql(`
  mutation Refresh($token: String!) {
    refreshToken(token: $token) {
      accessToken
      refreshToken
      expiresAt
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout($refreshToken: String!) {
    logout(refreshToken: $refreshToken)
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      id
      email
      displayName
      permissions
    }
  }
`);

export const OverviewQuery = graphql(`
  query Overview($withAccess: Boolean!) {
    machines(limit: 500) {
      items {
        code
        name
        machineType {
          name
        }
      }
    }
    machineStates {
      machineCode
      state
      alert
      since
    }
    latestTelemetry {
      machine {
        code
      }
      electrical {
        current
        voltage
        ts
      }
    }
    machineAccessStatus @include(if: $withAccess) {
      machines {
        ...AccessStatusFields
      }
    }
  }
`);

export const AccessStatusFields = graphql(`
  fragment AccessStatusFields on MachineAccessStatus {
    machine {
      code
      name
    }
    status
    user {
      displayName
    }
    since
    online
    lastSeenAt
    blocked
    maintenanceDue
    maintenanceMessage
  }
`);

export const ElectricalLive = graphql(`
  subscription ElectricalLive($machineCodes: [String!], $maxRatePerSecond: Float) {
    electricalSampleAdded(machineCodes: $machineCodes, maxRatePerSecond: $maxRatePerSecond) {
      machineCode
      ts
      current
      voltage
    }
  }
`);

export const StateLive = graphql(`
  subscription StateLive($machineCodes: [String!]) {
    machineStateChanged(machineCodes: $machineCodes) {
      machineCode
      state
      alert
      at
      since
    }
  }
`);

export const AccessStatusLive = graphql(`
  subscription AccessStatusLive($machineCodes: [String!]) {
    machineAccessStatusChanged(machineCodes: $machineCodes) {
      ...AccessStatusFields
    }
  }
`);

export const MachineQuery = graphql(`
  query MachineDetail($code: String!) {
    machine(code: $code) {
      code
      name
      maker
      model
      hours
      axes {
        name
      }
      machineType {
        name
      }
    }
    machineStates(machineCodes: [$code]) {
      state
      alert
      since
    }
  }
`);

export const MachineHistoryQuery = graphql(`
  query MachineHistory($codes: [String!]!, $from: DateTime!, $to: DateTime!, $maxPoints: Int!) {
    axisHistoryCompact(machineCodes: $codes, from: $from, to: $to, maxPoints: $maxPoints) {
      bucketSeconds
      series {
        axis
        t
        actual {
          avg
        }
        target {
          avg
        }
      }
    }
    electricalHistoryCompact(machineCodes: $codes, from: $from, to: $to, maxPoints: $maxPoints) {
      bucketSeconds
      series {
        t
        current {
          avg
        }
        voltage {
          avg
        }
      }
    }
    machineStateTimeline(machineCodes: $codes, from: $from, to: $to, limit: 2000) {
      start
      end
      open
      state
    }
  }
`);

export const DayReportQuery = graphql(`
  query DayReport($code: String!, $date: String!) {
    machineDayReport(machineCode: $code, date: $date) {
      samples
      productionSamples
      outOfStandardEpisodes
      current {
        avg
        max
      }
      voltage {
        avg
        max
      }
      timeInState {
        state
        seconds
      }
    }
  }
`);

export const AxisLive = graphql(`
  subscription AxisLive($machineCodes: [String!], $maxRatePerSecond: Float) {
    axisSampleAdded(machineCodes: $machineCodes, maxRatePerSecond: $maxRatePerSecond) {
      axis
      ts
      actual
      target
    }
  }
`);

export const AccessQuery = graphql(`
  query Access {
    machineAccessStatus {
      machines {
        ...AccessStatusFields
      }
    }
    machineUses(limit: 15) {
      items {
        id
        machine {
          name
        }
        user {
          displayName
        }
        startedAt
        endedAt
        durationSeconds
      }
    }
    unknownCards(limit: 15) {
      items {
        id
        cardUid
        attemptedAt
        machine {
          name
        }
      }
    }
    boards {
      machine {
        code
        name
      }
      serial
      firmwareVersion
      ip
      online
      lastSeenAt
    }
  }
`);

export const LeakTemplatesQuery = graphql(`
  query LeakTemplates {
    leakTemplates(limit: 200) {
      items {
        id
        name
        open
      }
    }
  }
`);

export const LeakSensorsQuery = graphql(`
  query LeakSensors($templateId: Int!) {
    leakSensors(templateId: $templateId, limit: 200) {
      items {
        name
        warningPercent
        criticalPercent
      }
    }
  }
`);

export const LeakHistoryQuery = graphql(`
  query LeakHistory($sensorNames: [String!]!, $from: DateTime!, $to: DateTime!, $maxPoints: Int!) {
    ppmvHistory(sensorNames: $sensorNames, from: $from, to: $to, maxPoints: $maxPoints) {
      sensorName
      buckets {
        t
        avg
        worstLevel
      }
      readings {
        ts
        ppmv
        level
      }
    }
    leakSensorEvents(sensorNames: $sensorNames, limit: 20) {
      items {
        ...LeakSensorEventFields
      }
    }
    leakSystemEvents(sensorNames: $sensorNames, limit: 20) {
      items {
        ...LeakSystemEventFields
      }
    }
  }
`);

export const LeakSensorEventFields = graphql(`
  fragment LeakSensorEventFields on LeakSensorEvent {
    id
    at
    sensorName
    level
    previousLevel
    ppmv
    percent
  }
`);

export const LeakSystemEventFields = graphql(`
  fragment LeakSystemEventFields on LeakSystemEvent {
    id
    at
    type
    sensorName
    message
  }
`);

export const PpmvLive = graphql(`
  subscription PpmvLive($sensorNames: [String!]) {
    ppmvReadingAdded(sensorNames: $sensorNames, maxRatePerSecond: 4) {
      sensorName
      ts
      ppmv
    }
  }
`);

export const AnomalyLive = graphql(`
  subscription AnomalyLive($sensorNames: [String!]) {
    anomalyLevelAdded(sensorNames: $sensorNames, maxRatePerSecond: 4) {
      sensorName
      ts
      level
    }
  }
`);

export const LeakSensorEventLive = graphql(`
  subscription LeakSensorEventLive($sensorNames: [String!]) {
    leakSensorEventAdded(sensorNames: $sensorNames) {
      ...LeakSensorEventFields
    }
  }
`);

export const LeakSystemEventLive = graphql(`
  subscription LeakSystemEventLive {
    leakSystemEventAdded {
      ...LeakSystemEventFields
    }
  }
`);
