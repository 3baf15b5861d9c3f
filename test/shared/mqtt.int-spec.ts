import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { connectAsync, type IPublishPacket, type MqttClient, type Packet } from 'mqtt';
import { loadConfig } from '../../src/config/app-config.js';
import { MalformedMessageError, type InboundMessage, type MqttHandler } from '../../src/shared/mqtt/inbound-message.js';
import { MqttService, type RouteOptions } from '../../src/shared/mqtt/mqtt.service.js';
import { MetricsService } from '../../src/shared/observability/metrics.service.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * MqttService against a real broker (embedded aedes, or the machine's one when MQTT_URL is
 * set), with a plain mqtt.js client playing the device.
 */
const BROKER_URL = process.env.TEST_MQTT_URL!;

/**
 * An external broker caps the unacknowledged QoS 1 messages it sends one client (Mosquitto:
 * max_inflight_messages, 20 by default), so that is as many as can be in handlers at once;
 * aedes sends everything.
 */
const BROKER_WINDOW = process.env.MQTT_URL ? 20 : Infinity;

interface Started {
  sut: MqttService;
  metrics: MetricsService;
}

const services: MqttService[] = [];
const devices: MqttClient[] = [];
const sessions = new Set<string>();

afterEach(async () => {
  for (const sut of services.splice(0).reverse()) await sut.onApplicationShutdown();
  for (const device of devices.splice(0)) await device.endAsync(true);
  // The broker keeps persistent sessions (on disk, for Mosquitto): connecting with a clean session discards them.
  for (const clientId of sessions) {
    const client = await connectAsync(BROKER_URL, { clientId, clean: true, protocolVersion: 4, reconnectPeriod: 0 });
    await client.endAsync();
  }
  sessions.clear();
});

function uniqueId(): string {
  return randomBytes(5).toString('hex');
}

async function startService(
  clientId: string,
  routes: Record<string, MqttHandler>,
  env: Record<string, string> = {},
  options: RouteOptions = {},
): Promise<Started> {
  sessions.add(clientId);
  const metrics = new MetricsService();
  const sut = new MqttService(loadConfig({ MQTT_URL: BROKER_URL, MQTT_CLIENT_ID: clientId, ...env }), metrics);
  for (const [pattern, handler] of Object.entries(routes))
    sut.route(pattern, handler, { name: routeName(pattern), ...options });
  services.push(sut);
  await sut.onApplicationBootstrap();
  expect(sut.isConnected()).toBe(true);
  return { sut, metrics };
}

/** The metric label: the pattern's last level ('electrical'), so assertions need not repeat the test's prefix. */
function routeName(pattern: string): string {
  return pattern.split('/').pop()!;
}

async function startDevice(): Promise<MqttClient> {
  const device = await connectAsync(BROKER_URL, { clientId: `dev-${uniqueId()}`, protocolVersion: 4, clean: true });
  devices.push(device);
  return device;
}

async function metric(metrics: MetricsService, name: string, labels: Record<string, string> = {}): Promise<number> {
  const found = metrics.registry.getSingleMetric(name);
  if (!found) return 0;
  const { values } = await found.get();
  const value = values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l));
  return value?.value ?? 0;
}

/** The service's own mqtt.js client: tests use it to crash the connection and to watch packets on the wire. */
function clientOf(sut: MqttService): MqttClient {
  return (sut as unknown as { client: MqttClient }).client;
}

/** The PUBACKs the service writes on the wire (message ids, in order), whoever writes them. */
function pubacksSentBy(sut: MqttService): number[] {
  const sent: number[] = [];
  clientOf(sut).on('packetsend', (packet: Packet) => {
    if (packet.cmd === 'puback') sent.push(packet.messageId!);
  });
  return sent;
}

function gate(): { wait: Promise<void>; open(): void } {
  let open!: () => void;
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

describe('MqttService', () => {
  it('hands a message to its route with the captured params, and acknowledges it only once the handler resolved', async () => {
    const id = uniqueId();
    const received: InboundMessage[] = [];
    const commit = gate();
    const { sut, metrics } = await startService(`pg-${id}`, {
      [`t/${id}/machines/+code/electrical`]: async (message) => {
        received.push(message);
        await commit.wait;
      },
    });
    const pubacks = pubacksSentBy(sut);
    const device = await startDevice();

    await device.publishAsync(`t/${id}/machines/M-1/electrical`, '{"current":1.5}', { qos: 1 });

    await waitFor(() => received.length === 1, { what: 'the handler' });
    expect(received[0]).toMatchObject({ topic: `t/${id}/machines/M-1/electrical`, params: { code: 'M-1' } });
    expect(received[0].payload.toString()).toBe('{"current":1.5}');
    expect(received[0].receivedAt).toBeInstanceOf(Date);
    expect(pubacks).toEqual([]);
    commit.open();
    await waitFor(() => pubacks.length === 1, { what: 'PUBACK' });
    expect(await metric(metrics, 'plantgraph_mqtt_messages_acked_total')).toBe(1);
    expect(await metric(metrics, 'plantgraph_mqtt_messages_received_total', { route: 'electrical' })).toBe(1);
  });

  it('handles many messages at once instead of one after the other, and acknowledges them after release', async () => {
    const id = uniqueId();
    const count = 200;
    const release = gate();
    let active = 0;
    let handled = 0;
    const { sut, metrics } = await startService(`pg-${id}`, {
      [`t/${id}/+n`]: async () => {
        active++;
        await release.wait;
        active--;
        handled++;
      },
    });
    const pubacks = pubacksSentBy(sut);
    const device = await startDevice();

    await Promise.all(
      Array.from({ length: count }, (_, n) => device.publishAsync(`t/${id}/${n}`, String(n), { qos: 1 })),
    );

    const concurrent = Math.min(count, BROKER_WINDOW);
    await waitFor(() => active >= concurrent, { what: `${concurrent} handlers running at the same time` });
    expect(pubacks).toEqual([]);
    release.open();
    await waitFor(() => handled === count && pubacks.length === count, {
      what: 'every message handled and acknowledged',
    });
    expect(await metric(metrics, 'plantgraph_mqtt_messages_acked_total')).toBe(count);
  });

  it('sends PUBACKs in the order the messages arrived, whatever order their handlers finish in', async () => {
    const id = uniqueId();
    const first = gate();
    let handled = 0;
    const { sut, metrics } = await startService(`pg-${id}`, {
      [`t/${id}/+n`]: async (message) => {
        if (message.params.n === '0') await first.wait;
        handled++;
      },
    });
    const arrived: number[] = [];
    clientOf(sut).on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'publish') arrived.push((packet as IPublishPacket).messageId!);
    });
    const acked = pubacksSentBy(sut);
    const device = await startDevice();

    for (let n = 0; n < 10; n++) await device.publishAsync(`t/${id}/${n}`, String(n), { qos: 1 });

    await waitFor(() => handled === 9, { what: 'the nine quick handlers' });
    expect(acked).toEqual([]);
    first.open();
    await waitFor(() => acked.length === 10, { what: 'PUBACKs' });
    expect(arrived).toHaveLength(10);
    expect(acked).toEqual(arrived);
    expect(await metric(metrics, 'plantgraph_mqtt_messages_acked_total')).toBe(10);
  });

  it('stops reading at MQTT_MAX_IN_FLIGHT unacknowledged messages and resumes as they are acknowledged', async () => {
    const id = uniqueId();
    const release = gate();
    let active = 0;
    let peak = 0;
    let handled = 0;
    await startService(
      `pg-${id}`,
      {
        [`t/${id}/+n`]: async () => {
          peak = Math.max(peak, ++active);
          await release.wait;
          active--;
          handled++;
        },
      },
      { MQTT_MAX_IN_FLIGHT: '5' },
    );
    const device = await startDevice();

    await Promise.all(Array.from({ length: 30 }, (_, n) => device.publishAsync(`t/${id}/${n}`, String(n), { qos: 1 })));

    await waitFor(() => active === 5, { what: 'five handlers running' });
    release.open();
    await waitFor(() => handled === 30, { what: 'all messages handled' });
    expect(peak).toBe(5);
  });

  it('rejects a malformed payload (counted, acknowledged, not retried) and handles the next one', async () => {
    const id = uniqueId();
    const attempts: string[] = [];
    const stored: unknown[] = [];
    const { metrics } = await startService(`pg-${id}`, {
      [`t/${id}/machines/+code/electrical`]: async ({ payload, params }) => {
        attempts.push(payload.toString());
        try {
          stored.push(JSON.parse(payload.toString()));
        } catch {
          throw new MalformedMessageError('invalid_json', 'payload is not JSON', params.code);
        }
      },
    });
    const device = await startDevice();

    await device.publishAsync(`t/${id}/machines/M-1/electrical`, 'not json', { qos: 1 });
    await device.publishAsync(`t/${id}/machines/M-1/electrical`, '{"current":2}', { qos: 1 });

    await waitFor(async () => (await metric(metrics, 'plantgraph_mqtt_messages_acked_total')) === 2, {
      what: 'PUBACKs',
    });
    expect(stored).toEqual([{ current: 2 }]);
    expect(attempts).toEqual(['not json', '{"current":2}']);
    expect(
      await metric(metrics, 'plantgraph_mqtt_messages_rejected_total', { route: 'electrical', reason: 'invalid_json' }),
    ).toBe(1);
  });

  it('rejects a payload above MQTT_MAX_PAYLOAD_BYTES without calling the handler', async () => {
    const id = uniqueId();
    const sizes: number[] = [];
    const { metrics } = await startService(
      `pg-${id}`,
      { [`t/${id}/+n/ppmv`]: async ({ payload }) => void sizes.push(payload.length) },
      { MQTT_MAX_PAYLOAD_BYTES: '128' },
    );
    const device = await startDevice();

    await device.publishAsync(`t/${id}/s1/ppmv`, 'x'.repeat(129), { qos: 1 });
    await device.publishAsync(`t/${id}/s1/ppmv`, 'x'.repeat(128), { qos: 1 });

    await waitFor(async () => (await metric(metrics, 'plantgraph_mqtt_messages_acked_total')) === 2, {
      what: 'PUBACKs',
    });
    expect(sizes).toEqual([128]);
    expect(
      await metric(metrics, 'plantgraph_mqtt_messages_rejected_total', { route: 'ppmv', reason: 'too_large' }),
    ).toBe(1);
  });

  it('keeps calling a handler that fails with a plain error until it succeeds, then acknowledges', async () => {
    const id = uniqueId();
    let calls = 0;
    const stored: string[] = [];
    const { metrics } = await startService(`pg-${id}`, {
      [`t/${id}/+n/tool`]: async ({ payload }) => {
        if (++calls <= 2) throw new Error('connection to the database lost');
        stored.push(payload.toString());
      },
    });
    const device = await startDevice();

    await device.publishAsync(`t/${id}/M-1/tool`, '{"toolInUse":3}', { qos: 1 });

    await waitFor(async () => (await metric(metrics, 'plantgraph_mqtt_messages_acked_total')) === 1, {
      what: 'PUBACK',
    });
    expect(stored).toEqual(['{"toolInUse":3}']);
    expect(calls).toBe(3);
    expect(await metric(metrics, 'plantgraph_mqtt_handler_failures_total', { route: 'tool' })).toBe(2);
  });

  it('with serialBy, handles one message at a time per key in arrival order, retries inside the key, keys in parallel', async () => {
    const id = uniqueId();
    const calls: string[] = [];
    const running = new Set<string>();
    let overlapped = false;
    let startFailures = 2;
    const release = gate();
    const { sut, metrics } = await startService(
      `pg-${id}`,
      {
        [`t/${id}/machine/+id`]: async ({ payload, params, attempt }) => {
          const body = payload.toString();
          calls.push(`${body}#${attempt}`);
          if (running.has(params.id)) overlapped = true;
          running.add(params.id);
          try {
            if (body === 'B1') await release.wait;
            else await new Promise((resolve) => setTimeout(resolve, 5));
            if (body === 'A1 start' && startFailures-- > 0) throw new Error('database down');
          } finally {
            running.delete(params.id);
          }
        },
      },
      {},
      { serialBy: (message) => message.params.id },
    );
    const arrived: number[] = [];
    clientOf(sut).on('packetreceive', (packet: Packet) => {
      if (packet.cmd === 'publish') arrived.push((packet as IPublishPacket).messageId!);
    });
    const acked = pubacksSentBy(sut);
    const device = await startDevice();

    await device.publishAsync(`t/${id}/machine/1`, 'A1 start', { qos: 1 });
    await device.publishAsync(`t/${id}/machine/2`, 'B1', { qos: 1 });
    await device.publishAsync(`t/${id}/machine/1`, 'A2 stop', { qos: 1 });
    await device.publishAsync(`t/${id}/machine/1`, 'A3 check', { qos: 1 });

    // Machine 1 goes on (its start retried first) while machine 2's message is still running.
    await waitFor(() => calls.includes('A3 check#1'), { what: "machine 1's messages, the start retried" });
    expect(calls.filter((c) => c.startsWith('A'))).toEqual([
      'A1 start#1',
      'A1 start#2',
      'A1 start#3',
      'A2 stop#1',
      'A3 check#1',
    ]);
    expect(calls).toContain('B1#1');
    // In arrival order: machine 1's first message only, the later ones wait for machine 2's.
    expect(acked).toEqual(arrived.slice(0, 1));
    release.open();
    await waitFor(() => acked.length === 4, { what: 'PUBACKs' });
    expect(acked).toEqual(arrived);
    expect(overlapped).toBe(false);
    expect(await metric(metrics, 'plantgraph_mqtt_handler_failures_total', { route: '+id' })).toBe(2);
  });

  it('handles QoS 0 messages, which need no acknowledgement', async () => {
    const id = uniqueId();
    const payloads: string[] = [];
    const { metrics } = await startService(`pg-${id}`, {
      [`t/${id}/+n`]: async ({ payload }) => void payloads.push(payload.toString()),
    });
    const device = await startDevice();

    await device.publishAsync(`t/${id}/a`, 'qos0', { qos: 0 });
    await device.publishAsync(`t/${id}/b`, 'qos1', { qos: 1 });

    await waitFor(async () => (await metric(metrics, 'plantgraph_mqtt_messages_acked_total')) === 1, {
      what: 'PUBACK',
    });
    expect(payloads).toEqual(['qos0', 'qos1']);
    expect(await metric(metrics, 'plantgraph_mqtt_messages_acked_total')).toBe(1);
  });

  it('rejects and acknowledges a message that reaches it on a subscription no route holds any more', async () => {
    const id = uniqueId();
    const noop: MqttHandler = async () => undefined;
    const first = await startService(`pg-${id}`, { [`t/${id}/kept`]: noop, [`t/${id}/removed`]: noop });
    await first.sut.onApplicationShutdown();
    // The new version of the service dropped a route; the broker still has its subscription in the session.
    const { metrics } = await startService(`pg-${id}`, { [`t/${id}/kept`]: noop });
    const device = await startDevice();

    await device.publishAsync(`t/${id}/removed`, '{}', { qos: 1 });

    await waitFor(async () => (await metric(metrics, 'plantgraph_mqtt_messages_acked_total')) === 1, {
      what: 'PUBACK',
    });
    expect(
      await metric(metrics, 'plantgraph_mqtt_messages_rejected_total', { route: 'unrouted', reason: 'no_route' }),
    ).toBe(1);
  });

  it('reconnects by itself after losing the connection, and never acknowledges on the new connection for the old one', async () => {
    const id = uniqueId();
    const stale = gate();
    const calls: string[] = [];
    const { sut, metrics } = await startService(`pg-${id}`, {
      [`t/${id}/+n`]: async ({ payload }) => {
        calls.push(payload.toString());
        if (calls.length === 1) await stale.wait;
      },
    });
    const pubacks = pubacksSentBy(sut);
    let connects = 0;
    clientOf(sut).on('connect', () => connects++);
    const device = await startDevice();
    await device.publishAsync(`t/${id}/a`, 'm1', { qos: 1 });
    await waitFor(() => calls.length === 1, { what: 'the first handler' });

    // The network drops the connection (no end(): the client is expected to come back on its own).
    clientOf(sut).stream.destroy();

    await waitFor(() => connects === 1 && sut.isConnected(), { what: 'the reconnection' });
    await waitFor(() => calls.length === 2, { what: 'the redelivery on the new connection' });
    expect(calls).toEqual(['m1', 'm1']);
    await waitFor(() => pubacks.length === 1, { what: 'the PUBACK of the redelivered copy' });
    // The copy from the dropped connection finishing now must not write a PUBACK of its own.
    stale.open();
    await device.publishAsync(`t/${id}/b`, 'm2', { qos: 1 });
    await waitFor(async () => calls.length === 3 && (await metric(metrics, 'plantgraph_mqtt_in_flight')) === 0, {
      what: 'the next message, with nothing left in flight',
    });
    expect(pubacks).toHaveLength(2);
    expect(await metric(metrics, 'plantgraph_mqtt_messages_acked_total')).toBe(2);
  });

  it('on shutdown, lets running handlers finish and acknowledges them before disconnecting', async () => {
    const id = uniqueId();
    const commit = gate();
    const calls: string[] = [];
    const first = await startService(`pg-${id}`, {
      [`t/${id}/+n`]: async ({ payload }) => {
        calls.push(payload.toString());
        await commit.wait;
      },
    });
    const pubacks = pubacksSentBy(first.sut);
    const device = await startDevice();
    await device.publishAsync(`t/${id}/a`, 'm1', { qos: 1 });
    await waitFor(() => calls.length === 1, { what: 'the handler' });

    const stopped = first.sut.onApplicationShutdown();
    commit.open();
    await stopped;
    expect(pubacks).toHaveLength(1);

    const handled: string[] = [];
    await startService(`pg-${id}`, { [`t/${id}/+n`]: async ({ payload }) => void handled.push(payload.toString()) });
    await device.publishAsync(`t/${id}/b`, 'm2', { qos: 1 });
    await waitFor(() => handled.length === 1, { what: 'the next message' });
    expect(handled).toEqual(['m2']);
  });

  it('loses nothing when it crashes in the middle of a handler: the broker delivers the message again', async () => {
    const id = uniqueId();
    let crashedIn: string | undefined;
    const crashed = await startService(`pg-${id}`, {
      [`t/${id}/machines/+code/axes`]: (message) => {
        crashedIn = message.payload.toString();
        return new Promise<void>(() => undefined);
      },
    });
    const device = await startDevice();
    await device.publishAsync(`t/${id}/machines/M-7/axes`, '{"seq":1}', { qos: 1 });
    await waitFor(() => crashedIn, { what: 'the handler that will never finish' });

    // A crash: the socket drops without DISCONNECT, the handler never committed, nothing was acknowledged.
    clientOf(crashed.sut).end(true);
    await waitFor(() => !crashed.sut.isConnected(), { what: 'the connection to drop' });

    const handled: string[] = [];
    const { metrics } = await startService(`pg-${id}`, {
      [`t/${id}/machines/+code/axes`]: async ({ payload }) => void handled.push(payload.toString()),
    });
    await waitFor(() => handled.length === 1, { what: 'the redelivered message' });
    expect(handled).toEqual(['{"seq":1}']);
    await waitFor(async () => (await metric(metrics, 'plantgraph_mqtt_messages_acked_total')) === 1, {
      what: 'PUBACK',
    });
  });

  it('receives what was published while it was down, thanks to its persistent session', async () => {
    const id = uniqueId();
    const handled: string[] = [];
    const routes = {
      [`t/${id}/sensors/+sensorName/ppmv`]: async (m: InboundMessage) => void handled.push(m.params.sensorName),
    };
    const first = await startService(`pg-${id}`, routes);
    await first.sut.onApplicationShutdown();
    expect(first.sut.isConnected()).toBe(false);

    const device = await startDevice();
    await device.publishAsync(`t/${id}/sensors/S-3/ppmv`, '{"ppmv":4}', { qos: 1 });

    await startService(`pg-${id}`, routes);
    await waitFor(() => handled.length === 1, { what: 'the message queued by the broker' });
    expect(handled).toEqual(['S-3']);
  });

  it('publishes', async () => {
    const id = uniqueId();
    const { sut } = await startService(`pg-${id}`, {});
    const device = await startDevice();
    await device.subscribeAsync(`t/${id}/machine/+/reply`, { qos: 1 });
    const replies: string[] = [];
    device.on('message', (topic, payload) => replies.push(`${topic} ${payload.toString()}`));

    await sut.publish(`t/${id}/machine/12/reply`, '{"request_ok":true}');
    await sut.publish(`t/${id}/machine/13/reply`, Buffer.from('{"request_ok":false}'), { qos: 1 });

    await waitFor(() => replies.length === 2, { what: 'both replies' });
    expect(replies).toEqual([
      `t/${id}/machine/12/reply {"request_ok":true}`,
      `t/${id}/machine/13/reply {"request_ok":false}`,
    ]);
  });
});
