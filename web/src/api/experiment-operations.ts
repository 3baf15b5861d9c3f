import { graphql } from '../gql';

/**
 * The experiments view's operations (PVs, their values and sets, threshold subscriptions),
 * typed by GraphQL Code Generator from schema.gql like those of operations.ts.
 */

export const ExperimentsQuery = graphql(`
  query Experiments {
    experiments(limit: 200) {
      items {
        id
        name
        displayName
      }
    }
  }
`);

export const PvFields = graphql(`
  fragment PvFields on Pv {
    name
    displayName
    type
    unit
    writable
    setMin
    setMax
    thresholdMin
    thresholdMax
  }
`);

export const ExperimentPvsQuery = graphql(`
  query ExperimentPvs($experimentName: String!) {
    pvs(experimentName: $experimentName, limit: 100) {
      items {
        ...PvFields
      }
    }
    latestPvValues(experimentName: $experimentName) {
      pvName
      ts
      value
      text
    }
  }
`);

export const PvHistoryQuery = graphql(`
  query PvHistory($pvNames: [String!]!, $from: DateTime!, $to: DateTime!, $maxPoints: Int!) {
    pvHistory(pvNames: $pvNames, from: $from, to: $to, maxPoints: $maxPoints) {
      pvName
      buckets {
        t
        avg
      }
    }
  }
`);

export const PvValueLive = graphql(`
  subscription PvValueLive($experimentName: String!, $maxRatePerSecond: Float) {
    pvValueAdded(experimentName: $experimentName, maxRatePerSecond: $maxRatePerSecond) {
      pvName
      ts
      value
      text
    }
  }
`);

export const SetPvMutation = graphql(`
  mutation SetPv($name: String!, $value: String!) {
    setPv(name: $name, value: $value) {
      id
      pvName
      value
      at
    }
  }
`);

export const PvThresholdSubscriptionFields = graphql(`
  fragment PvThresholdSubscriptionFields on PvThresholdSubscription {
    id
    pvName
    min
    max
    email
    createdAt
  }
`);

export const MyThresholdSubscriptionsQuery = graphql(`
  query MyThresholdSubscriptions {
    myPvThresholdSubscriptions(limit: 500) {
      items {
        ...PvThresholdSubscriptionFields
      }
    }
  }
`);

export const SubscribeThresholdMutation = graphql(`
  mutation SubscribePvThreshold($pvName: String!, $input: PvThresholdSubscriptionInput) {
    subscribePvThreshold(pvName: $pvName, input: $input) {
      ...PvThresholdSubscriptionFields
    }
  }
`);

export const UnsubscribeThresholdMutation = graphql(`
  mutation UnsubscribePvThreshold($pvName: String!) {
    unsubscribePvThreshold(pvName: $pvName) {
      id
      pvName
    }
  }
`);

export const ThresholdEventLive = graphql(`
  subscription ThresholdEventLive {
    pvThresholdEvent {
      episodeId
      pvName
      kind
      limit
      limitValue
      value
      at
    }
  }
`);
