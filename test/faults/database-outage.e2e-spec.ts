import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import { startPrivatePostgres, type PrivatePostgres } from '../harness/private-postgres.js';
import { ServiceBuild, type ServiceProcess } from '../harness/service-process.js';
import {
  SAMPLES,
  connectDevice,
  expectEachSampleStoredOnce,
  forgetSession,
  midStream,
  registerMachine,
  stored,
  storedCount,
  streamElectrical,
  uniqueName,
} from './sample-stream.js';

/**
 * PostgreSQL stopped in the middle of a QoS 1 stream and started again: the service keeps
 * the messages it cannot commit unacknowledged (retrying them, then no longer reading), says
 * so on /health, and stores everything once the database is back. A PostgreSQL of the test's
 * own (the run's one is shared); the run's broker, so the second CI pass runs it through
 * the machine's Mosquitto.
 */
const DATABASE = 'plantgraph';
/** Messages the device publishes while the database is down: about two seconds of the stream. */
const PUBLISHED_DURING_OUTAGE = 500;

describe('a database outage mid-stream', () => {
  const mqttUrl = process.env.TEST_MQTT_URL!;
  const clientId = uniqueName('pg-outage-');
  let build: ServiceBuild;
  let postgres: PrivatePostgres;
  let device: MqttClient | undefined;
  let service: ServiceProcess;

  beforeAll(async () => {
    [build, postgres] = await Promise.all([ServiceBuild.create(), startPrivatePostgres([DATABASE])]);
  }, 60_000);

  afterAll(async () => {
    await device?.endAsync(true);
    await build?.dispose();
    await postgres?.dispose();
    await forgetSession(mqttUrl, clientId);
  });

  /** A waitFor() probe: /health's body once it answers `status` (and `also` holds), else it fails with what it said. */
  const healthIs =
    (status: number, also: () => boolean = () => true) =>
    async () => {
      const health = await service.health();
      if (health.status !== status || !also())
        throw new Error(`/health said ${health.status} ${JSON.stringify(health.body)}`);
      return health.body;
    };

  it(`stores each of ${SAMPLES} QoS 1 samples exactly once, and /health says 503 while it is down`, async () => {
    const query = <T extends Record<string, unknown>>(sql: string, params?: unknown[]) =>
      postgres.query<T>(DATABASE, sql, params);
    const root = uniqueName('outage-plant-');
    service = await build.start({
      DATABASE_URL: postgres.url(DATABASE),
      MQTT_URL: mqttUrl,
      MQTT_CLIENT_ID: clientId,
      // Roots of its own: no other test file's app sees this stream, and this one sees none of theirs.
      PLANT_MQTT_ROOT: root,
      ACCESS_MQTT_ROOT: uniqueName('outage-board-'),
    });
    const code = uniqueName('outage-');
    const machineId = await registerMachine(service, code);
    device = await connectDevice(mqttUrl);

    const stream = streamElectrical(device, `${root}/machines/${code}/electrical`);
    await service.waitFor(midStream(query, machineId, stream), {
      what: 'the stream under way',
      timeoutMs: 20_000,
    });
    const storedBefore = await storedCount(query, machineId);
    await postgres.stop();
    const atStop = { stored: storedBefore, published: stream.published };
    const down = await service.waitFor(
      healthIs(503, () => stream.published >= atStop.published + PUBLISHED_DURING_OUTAGE),
      {
        what: 'the service to report the database down while the device published on',
        timeoutMs: 20_000,
      },
    );
    expect(down).toEqual({ status: 'unavailable', database: 'down', broker: 'up' });
    await postgres.start();

    const up = await service.waitFor(healthIs(200), {
      what: 'the service to report the database back',
      timeoutMs: 20_000,
    });
    expect(up).toEqual({ status: 'ok', database: 'up', broker: 'up' });
    await stream.done;
    await service.waitFor(stored(query, machineId, SAMPLES), {
      what: `all ${SAMPLES} samples stored`,
      timeoutMs: 30_000,
    });
    expect(atStop.stored).toBeLessThan(SAMPLES);
    expect(atStop.published + PUBLISHED_DURING_OUTAGE).toBeLessThan(SAMPLES);
    await expectEachSampleStoredOnce(query, machineId, stream);
    expect(service.exit()).toBeUndefined();
  }, 90_000);
});
