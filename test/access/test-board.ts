import { randomBytes, randomInt } from 'node:crypto';
import { expect } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { AppConfig } from '../../src/config/app-config.js';
import type { TestApp } from '../harness/app.js';

/** The board waits this long for a reply before it treats the backend as down. */
export const REPLY_DEADLINE_MS = 2_000;
/** After a later request's reply arrived, this much more silence proves nothing extra came. */
const QUIET_MS = 300;

export interface Reply {
  text: string;
  json: Record<string, any>;
  bytes: number;
  latencyMs: number;
}

/**
 * A FAB-O-MATIC board as the broker sees it: MQTT 3.1.1, clean session, publishes QoS 0
 * on `{root}/{id}`, listens on `{root}/{id}/reply`. Payloads are the firmware's
 * hand-built strings. Every message arriving on the reply topic is kept, so that a test can
 * prove there was exactly one per request.
 */
export class TestBoard {
  readonly received: { text: string; at: number }[] = [];
  readonly latencies: number[] = [];
  private readonly waiting: Array<() => void> = [];

  private constructor(
    private readonly client: MqttClient,
    readonly root: string,
    readonly code: string,
  ) {}

  static async open(t: TestApp, code: string): Promise<TestBoard> {
    const root = t.app.get(AppConfig).ACCESS_MQTT_ROOT;
    const client = await connectAsync(t.mqttUrl, {
      clientId: `BOARD${randomBytes(4).toString('hex')}`,
      protocolVersion: 4,
      clean: true,
      reconnectPeriod: 0,
    });
    const board = new TestBoard(client, root, code);
    client.on('message', (_topic, payload) => {
      board.received.push({ text: payload.toString(), at: Date.now() });
      for (const wake of board.waiting.splice(0)) wake();
    });
    await client.subscribeAsync(`${root}/${code}/reply`, { qos: 0 });
    return board;
  }

  get topic(): string {
    return `${this.root}/${this.code}`;
  }

  /** Publishes like the firmware (QoS 0, not retained) without waiting for anything. */
  async send(payload: string, topic = this.topic): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos: 0, retain: false });
  }

  /** Sends a request and returns its reply: exactly one, within 2 s, under 250 bytes. */
  async request(payload: string): Promise<Record<string, any>> {
    return (await this.exchange(payload)).json;
  }

  async exchange(payload: string): Promise<Reply> {
    const before = this.received.length;
    const sentAt = Date.now();
    await this.send(payload);
    await this.replyAfter(before, `the reply to ${payload} on ${this.topic}/reply`);
    const reply = this.received[before];
    const latencyMs = reply.at - sentAt;
    this.latencies.push(latencyMs);
    const bytes = Buffer.byteLength(reply.text);
    expect(bytes).toBeLessThan(250);
    expect(latencyMs).toBeLessThan(REPLY_DEADLINE_MS);
    return { text: reply.text, json: JSON.parse(reply.text), bytes, latencyMs };
  }

  /** Waits (event-driven: polling would steal the app's event loop in this process) for message number `index`. */
  private replyAfter(index: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`No reply within ${REPLY_DEADLINE_MS} ms: ${what}`)),
        REPLY_DEADLINE_MS,
      );
      const check = () => {
        if (this.received.length > index) {
          clearTimeout(timer);
          resolve();
        } else this.waiting.push(check);
      };
      check();
    });
  }

  /**
   * Proves the reply topic carried one reply per request and nothing else: a checkmachine is
   * answered next (it is the first message after what came so far), then the topic stays
   * silent for a while.
   */
  async expectNothingElse(): Promise<void> {
    const before = this.received.length;
    const reply = await this.request('{"action":"checkmachine"}');
    expect(reply).toHaveProperty('logoff');
    expect(this.received.length).toBe(before + 1);
    await new Promise((resolve) => setTimeout(resolve, QUIET_MS));
    expect(this.received.slice(before + 1).map((r) => r.text)).toEqual([]);
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

/** Machine codes for boards are numbers; a random base keeps runs apart on a shared broker. */
export function machineCodes(): () => string {
  let next = randomInt(100_000, 900_000) * 100;
  return () => String(next++);
}

/** 8 lowercase hex characters, as boards send them. */
export function newCard(): string {
  return randomBytes(4).toString('hex');
}

/** The firmware's payloads, byte for byte as it builds them (note the irregular spaces). */
export const firmware = {
  checkuser: (uid: string) => `{"action":"checkuser", "uid":"${uid}"}`,
  checkmachine: () => '{"action":"checkmachine"}',
  startuse: (uid: string, replay = false) => `{"action":"startuse", "uid":"${uid}"${replay ? ', "replay":true' : ''}}`,
  inuse: (uid: string, duration: number) => `{"action":"inuse", "uid":"${uid}","duration":${duration}}`,
  stopuse: (uid: string, duration: number, replay = false) =>
    `{"action":"stopuse", "uid":"${uid}","duration":${duration}${replay ? ', "replay":true' : ''}}`,
  maintenance: (uid: string, replay = false) =>
    `{"action":"maintenance", "uid":"${uid}"${replay ? ', "replay":true' : ''}}`,
  alive: (fields = '"serial":"dcda0c419794","heap":"123456"') =>
    `{"action":"alive","version":"hardware-rev0-it_IT,1.0.1","ip":"192.168.1.50"${fields ? `,${fields}` : ''}}`,
};
