import { MalformedMessageError, type InboundMessage } from '../../shared/mqtt/inbound-message.js';
import type { IngestOutcome } from '../application/telemetry-ingestion.service.js';
import type { ReadingSource } from '../application/telemetry-readings.js';

/** The route of one kind of machine telemetry under the configured root (PLANT_MQTT_ROOT, PROTOCOLS.md section A). */
export function machineTopic(root: string, kind: 'electrical' | 'axes' | 'tool'): string {
  return `${root}/machines/+code/${kind}`;
}

export function sourceOf(message: InboundMessage): ReadingSource {
  return { code: message.params.code, topic: message.topic, receivedAt: message.receivedAt };
}

/** A refused message is counted by reason and acknowledged (never retried); an accepted one, just acknowledged. */
export function settle(outcome: IngestOutcome, source: ReadingSource): void {
  if (!outcome.accepted) throw new MalformedMessageError(outcome.reason, outcome.detail, source.topic);
}
