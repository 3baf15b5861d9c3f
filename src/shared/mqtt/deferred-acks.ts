import type { IPublishPacket, MqttClient } from 'mqtt';
import { PubackQueue, type PendingPuback } from './puback-queue.js';

/**
 * Handles one message. Resolves true once it may be acknowledged, false to leave it
 * unacknowledged (the broker redelivers it to the next session). Never rejects.
 * `abandoned()` turns true when giving up loses nothing: the message is QoS 1 and its
 * connection is gone, so the broker will deliver it again anyway.
 */
export type DeliverMessage = (packet: IPublishPacket, abandoned: () => boolean) => Promise<boolean>;

export interface DeferredAcksOptions {
  /** Messages received but not yet acknowledged (or finished, for QoS 0) before reading pauses. */
  maxInFlight: number;
  deliver: DeliverMessage;
  onAcked(count: number): void;
  onInFlightChanged(count: number): void;
}

interface Connection {
  readonly stream: MqttClient['stream'];
  open: boolean;
  readonly acks: PubackQueue;
}

type Release = (error?: Error) => void;

/**
 * mqtt.js's publish handler skips its own PUBACK when the handleMessage callback gets an
 * error, and its packet loop ignores that argument and simply moves on to the next packet
 * (mqtt 5.16: lib/handlers/publish.js, the `done` of client.js connect()). We write the PUBACK.
 */
const PUBACK_DEFERRED = new Error('PUBACK deferred until the message is handled');

/**
 * Acknowledge-after-commit for mqtt.js without serialising ingestion. This is the only file
 * that relies on mqtt.js internals.
 *
 * Why: mqtt.js calls `handleMessage(packet, callback)` for every PUBLISH and reads no further
 * packet until `callback` runs, and it sends the QoS 1 PUBACK right after. Acknowledging
 * only after the handler committed, the stock way, therefore means one message (one
 * database commit) at a time. Instead, `callback` is released at once with
 * PUBACK_DEFERRED, so the next PUBLISH is read while this one is still being handled,
 * and the PUBACK is written here (through the client's private `_writePacket`) once the
 * handler finished — in the order the PUBLISHes arrived, as MQTT 3.1.1 §4.6 requires.
 *
 * Bounds and failure modes:
 * - At `maxInFlight` unacknowledged messages the callback is held, so mqtt.js stops reading
 *   the socket and the backlog stays in the broker (TCP backpressure). While reading is
 *   paused, PINGRESPs are not read either: paused for longer than about a keepalive, mqtt.js
 *   drops the connection and reconnects, and the broker redelivers what was not acknowledged.
 * - PUBACKs owed on a connection that closed are dropped: the broker redelivers those
 *   messages on the next connection (downstream is idempotent).
 * - One message that never finishes holds back the PUBACKs of all later ones (ordering),
 *   so in-flight reaches the bound and reading pauses: nothing is acknowledged unhandled.
 */
export class DeferredAcks {
  private connection?: Connection;
  private inFlight = 0;
  private running = 0;
  private stopped = false;
  private readonly parked: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];
  private readonly writePacket: (packet: { cmd: 'puback'; messageId: number }) => void;

  constructor(
    private readonly client: MqttClient,
    private readonly options: DeferredAcksOptions,
  ) {
    const internals = client as unknown as { _writePacket?: (packet: object) => void };
    if (typeof internals._writePacket !== 'function')
      throw new Error('mqtt.js internals changed: MqttClient._writePacket is missing (see deferred-acks.ts)');
    this.writePacket = internals._writePacket.bind(client);
    client.handleMessage = (packet, callback) => this.receive(packet, callback);
  }

  /** Stops handling new messages: they stay unacknowledged, and the broker keeps them for the next session. */
  stop(): void {
    this.stopped = true;
    for (const release of this.parked.splice(0)) release();
  }

  /** Resolves once no handler runs (or their PUBACKs could no longer be sent), or after `timeoutMs`. */
  async whenIdle(timeoutMs: number): Promise<void> {
    if (this.isIdle()) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.idleWaiters.push(resolve);
      timer = setTimeout(resolve, timeoutMs);
    });
    clearTimeout(timer);
  }

  private receive(packet: IPublishPacket, callback: Release): void {
    if (packet.qos === 2) {
      // Routes subscribe with QoS 1, so brokers downgrade to 1; a QoS 2 message would take mqtt.js's own serial path.
      void this.options.deliver(packet, () => false).then(() => callback());
      return;
    }
    const connection = this.connectionOf(this.client.stream);
    const qos1 = packet.qos === 1;
    const release = qos1 ? () => callback(PUBACK_DEFERRED) : () => callback();
    if (this.stopped || (qos1 && !connection.open)) return release();
    const pending = qos1 ? connection.acks.add(packet.messageId!) : undefined;
    if (qos1 && !pending) return release();
    this.inFlight++;
    this.running++;
    this.options.onInFlightChanged(this.inFlight);
    const abandoned = qos1 ? () => !connection.open : () => false;
    void this.options.deliver(packet, abandoned).then((handled) => this.settle(connection, pending, handled));
    if (this.inFlight < this.options.maxInFlight) release();
    else this.parked.push(release);
  }

  private settle(connection: Connection, pending: PendingPuback | undefined, handled: boolean): void {
    this.running--;
    if (!pending || !handled || !connection.open || !connection.stream.writable) {
      // QoS 0, a message left to redelivery (its entry stays unfinished, holding back later
      // PUBACKs until this connection ends), or a connection that is gone or disconnecting.
      this.inFlight--;
    } else {
      const ready = connection.acks.complete(pending);
      for (const messageId of ready) this.writePacket({ cmd: 'puback', messageId });
      this.inFlight -= ready.length;
      if (ready.length) this.options.onAcked(ready.length);
    }
    this.options.onInFlightChanged(this.inFlight);
    this.releaseParked();
    this.notifyIfIdle();
  }

  private connectionOf(stream: MqttClient['stream']): Connection {
    if (this.connection?.stream !== stream) {
      // handleMessage runs synchronously inside the packet loop of the current stream, so `client.stream` is the packet's connection.
      const connection: Connection = { stream, open: !stream.destroyed, acks: new PubackQueue() };
      stream.once('close', () => this.closed(connection));
      this.connection = connection;
    }
    return this.connection;
  }

  private closed(connection: Connection): void {
    connection.open = false;
    this.inFlight -= connection.acks.clear();
    this.options.onInFlightChanged(this.inFlight);
    // The void PUBACKs free slots: held callbacks (of this stream or the next) may go on.
    this.releaseParked();
    this.notifyIfIdle();
  }

  private releaseParked(): void {
    while (this.parked.length && (this.stopped || this.inFlight < this.options.maxInFlight)) this.parked.shift()!();
  }

  private isIdle(): boolean {
    return this.running === 0 || !this.connection?.open;
  }

  private notifyIfIdle(): void {
    if (this.isIdle()) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
