import { connect, type MqttClient } from 'mqtt';
import type { RfidBoard } from './rfid-board.js';

export interface BoardConnectionOptions {
  connectTimeoutMs?: number;
  reconnectPeriodMs?: number;
  /** TCP_NODELAY on the board's socket: no Nagle delay behind an unacknowledged packet. */
  noDelay?: boolean;
}

/**
 * Puts a board on a broker as the firmware's MQTT library does: client id `BOARD<n>`, clean
 * session, MQTT 3.1.1, no will; on each (re)connection it subscribes to its reply and request
 * topics at QoS 0, then the board announces itself. Publishes are QoS 0, not retained.
 */
export class BoardConnection {
  private constructor(
    readonly board: RfidBoard,
    private readonly client: MqttClient,
  ) {}

  /** Resolves once connected and subscribed; rejects with the broker's error or on timeout. */
  static open(board: RfidBoard, url: string, options: BoardConnectionOptions = {}): Promise<BoardConnection> {
    const client = connect(url, {
      clientId: board.clientId,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: options.reconnectPeriodMs ?? 1_000,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
    });
    board.attach({
      publish: (topic, payload) => void client.publish(topic, payload, { qos: 0, retain: false }),
      get connected() {
        return client.connected;
      },
    });
    client.on('message', (topic, payload) => board.receive(topic, payload.toString()));
    return new Promise((resolve, reject) => {
      let first = true;
      const failed = (error: Error) => {
        if (!first) return;
        first = false;
        client.end(true);
        reject(error);
      };
      client.on('error', failed);
      client.on('connect', () => {
        if (options.noDelay) (client.stream as { setNoDelay?(on: boolean): void }).setNoDelay?.(true);
        client.subscribe([board.topics.reply, board.topics.command], { qos: 0 }, (error) => {
          if (error) return failed(error);
          board.connected();
          if (!first) return;
          first = false;
          resolve(new BoardConnection(board, client));
        });
      });
      setTimeout(
        () => failed(new Error(`${board.clientId}: not connected within ${options.connectTimeoutMs ?? 10_000} ms`)),
        (options.connectTimeoutMs ?? 10_000) + 1_000,
      ).unref();
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Closes the board (its request in flight finishes), then the connection. */
  async close(): Promise<void> {
    await this.board.close();
    await this.client.endAsync();
  }
}
