import { MalformedMessageError, type InboundMessage } from '../../shared/mqtt/inbound-message.js';
import type { IngestOutcome } from '../application/telemetry-ingestion.service.js';
import type { ReadingSource } from '../application/telemetry-readings.js';

/** PROTOCOLS.md section A: "root topic configurable, default plant" — the one place it is set until configuration has a key. */
export const PLANT_TOPIC_ROOT = 'plant';

export function machineTopic(kind: 'electrical' | 'axes' | 'tool'): string {
  return `${PLANT_TOPIC_ROOT}/machines/+code/${kind}`;
}

export function sourceOf(message: InboundMessage): ReadingSource {
  return { code: message.params.code, topic: message.topic, receivedAt: message.receivedAt };
}

/** A refused message is counted by reason and acknowledged (never retried); an accepted one, just acknowledged. */
export function settle(outcome: IngestOutcome, source: ReadingSource): void {
  if (!outcome.accepted) throw new MalformedMessageError(outcome.reason, outcome.detail, source.topic);
}
