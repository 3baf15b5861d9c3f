import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
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
 * The service process SIGKILLed in the middle of a QoS 1 stream and started again with the
 * same client id: what it had not acknowledged, the broker delivers again from the
 * persistent session; what it had, is in PostgreSQL. The run's broker (embedded aedes, or
 * the machine's Mosquitto in the second CI pass) and a database of this file's own.
 */
describe('the service killed (SIGKILL) mid-stream', () => {
  const mqttUrl = process.env.TEST_MQTT_URL!;
  const clientId = uniqueName('pg-crash-');
  let build: ServiceBuild;
  let db: TestDatabase;
  let device: MqttClient | undefined;

  beforeAll(async () => {
    [build, db] = await Promise.all([ServiceBuild.create(), createTestDatabase()]);
  }, 60_000);

  afterAll(async () => {
    await device?.endAsync(true);
    await build?.dispose();
    await db?.drop();
    await forgetSession(mqttUrl, clientId);
  });

  it(`stores each of ${SAMPLES} QoS 1 samples exactly once after a restart with the same session`, async () => {
    const env = {
      DATABASE_URL: db.url,
      MQTT_URL: mqttUrl,
      MQTT_CLIENT_ID: clientId,
      // Roots of its own: no other test file's app sees this stream, and this one sees none of theirs.
      PLANT_MQTT_ROOT: uniqueName('crash-plant-'),
      ACCESS_MQTT_ROOT: uniqueName('crash-board-'),
    };
    let service: ServiceProcess = await build.start(env);
    const code = uniqueName('crash-');
    const machineId = await registerMachine(service, code);
    device = await connectDevice(mqttUrl);

    const stream = streamElectrical(device, `${env.PLANT_MQTT_ROOT}/machines/${code}/electrical`);
    await service.waitFor(midStream(db.query, machineId, stream), {
      what: 'the stream under way',
      timeoutMs: 20_000,
    });
    await service.kill();
    const atKill = { stored: await storedCount(db.query, machineId), published: stream.published };
    // Mid-stream: some stored, more still coming.
    expect(atKill.stored).toBeLessThan(SAMPLES);
    expect(atKill.published).toBeLessThan(SAMPLES);
    expect(service.exit()).toEqual({ code: null, signal: 'SIGKILL' });

    service = await build.start(env);
    await stream.done;
    await service.waitFor(stored(db.query, machineId, SAMPLES), {
      what: `all ${SAMPLES} samples stored`,
      timeoutMs: 30_000,
    });
    await expectEachSampleStoredOnce(db.query, machineId, stream);
    expect((await service.health()).status).toBe(200);
    expect(await service.stop()).toEqual({ code: 0, signal: null });
  }, 90_000);
});
