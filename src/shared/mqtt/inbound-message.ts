/** A message delivered to a route's handler. */
export interface InboundMessage {
  topic: string;
  payload: Buffer;
  /** Values of the route pattern's named wildcards (`+code` → `params.code`). */
  params: Record<string, string>;
  receivedAt: Date;
  /**
   * The broker flagged it DUP: a QoS 1 message sent again because an earlier delivery was
   * not acknowledged (Mosquitto sets it on session resume; aedes does not).
   */
  redelivered?: boolean;
  /** Which call of the handler this is: 1 the first, 2 the first retry after a failure, … (set by MqttService). */
  attempt?: number;
}

/**
 * Handles one message. Resolving means "committed": only then is the message acknowledged.
 * Throw MalformedMessageError for a payload that can never succeed; any other error is
 * taken as transient (database down) and the handler is called again, with backoff.
 */
export type MqttHandler = (message: InboundMessage) => Promise<void>;

/** The payload is invalid: the message is counted, logged (rate-limited) and acknowledged, never retried. */
export class MalformedMessageError extends Error {
  constructor(
    /** A short, fixed metric label: 'invalid_json', 'unknown_machine', … */
    readonly reason: string,
    message: string,
    /** Who sent it (machine code, sensor name…), for the once-per-minute log; the topic when omitted. */
    readonly source?: string,
  ) {
    super(message);
    this.name = 'MalformedMessageError';
  }
}
