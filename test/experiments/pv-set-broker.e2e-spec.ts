import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Aedes } from 'aedes';
import { choosePort } from '../../src/shared/embedded/free-port.js';
import { MqttService } from '../../src/shared/mqtt/mqtt.service.js';
import { errorOf, startTestApp, type TestApp } from '../harness/app.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * setPv when the broker does not take the value: a broker of this test's own (aedes) that
 * can hold back its acknowledgement (PUBACK) of set messages, or go down. Either way the set
 * is refused with SERVICE_UNAVAILABLE and a reason, and nothing is recorded as set; with the
 * broker back, the same set goes through.
 */
const RUN = randomBytes(3).toString('hex');
const PV = `Bench${RUN}:Valve`;
const SET_PREFIX = `lab-${RUN}/set`;

describe('setPv against a broker that does not take the value', () => {
  let t: TestApp;
  let admin: string;
  let broker: Aedes;
  let server: net.Server | undefined;
  const sockets = new Set<net.Socket>();
  let port: number;
  /** While set, the broker answers no set message (its authorisation never completes, so no PUBACK). */
  let holdSets = false;
  const held: Array<() => void> = [];

  async function listen(): Promise<void> {
    const listening = net.createServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      broker.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    server = listening;
  }

  async function down(): Promise<void> {
    const closing = server!;
    server = undefined;
    const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  }

  const setPv = (value: string) =>
    t.graphql(
      'mutation($n: String!, $v: String!) { setPv(name: $n, value: $v) { value } }',
      { n: PV, v: value },
      admin,
    );
  const recorded = async () => Number((await t.db.query<{ n: string }>('SELECT count(*) AS n FROM pv_sets'))[0].n);

  beforeAll(async () => {
    port = await choosePort(0);
    broker = await Aedes.createBroker({
      authorizePublish: (_client, packet, callback) => {
        if (holdSets && packet.topic.startsWith(`${SET_PREFIX}/`)) held.push(() => callback(null));
        else callback(null);
      },
    });
    await listen();
    t = await startTestApp({
      MQTT_URL: `mqtt://127.0.0.1:${port}`,
      PV_SET_PREFIX: SET_PREFIX,
      PV_SET_TIMEOUT_MS: '300',
    });
    admin = await t.login();
    const created = await t.graphql(
      'mutation($n: String!) { createPv(input: { name: $n, writable: true }) { id } }',
      { n: PV },
      admin,
    );
    expect(created.errors).toBeUndefined();
  });

  afterAll(async () => {
    for (const release of held.splice(0)) release();
    await t?.close();
    if (server) await down();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
  });

  it('refuses the set when the broker does not acknowledge it in time, recording nothing', async () => {
    holdSets = true;
    const result = await setPv('12');
    expect(errorOf(result)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'BROKER_TIMEOUT', retryable: true });
    expect(await recorded()).toBe(0);
    holdSets = false;
  });

  it('refuses the set while the broker is down, recording nothing, and sets it once the broker is back', async () => {
    await down();
    await waitFor(() => !t.app.get(MqttService).isConnected(), { what: 'the service to notice the broker is gone' });
    const result = await setPv('13');
    expect(errorOf(result)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'BROKER_UNAVAILABLE' });
    expect(await recorded()).toBe(0);

    await listen();
    await waitFor(() => t.app.get(MqttService).isConnected(), { what: 'the service reconnected', timeoutMs: 15_000 });
    const accepted = await setPv('14');
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data).toEqual({ setPv: { value: '14' } });
    expect(await recorded()).toBe(1);
  });
});
