import net from 'node:net';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from '@jest/globals';
import { connectAsync, type IPublishPacket, type MqttClient } from 'mqtt';
import { startEmbeddedBroker } from '../../src/shared/embedded/embedded-broker.js';
import type { EmbeddedService } from '../../src/shared/embedded/embedded-postgres.js';
import { PlantSimulator } from '../../src/simulator/plant-simulator.js';
import type { PlantSimulatorOptions } from '../../src/simulator/simulator-options.js';
import {
  SimulatorRunner,
  type SimulatorLogger,
  type SimulatorProgress,
  type SimulatorRunnerOptions,
} from '../../src/simulator/simulator-runner.js';
import { waitFor } from '../harness/wait-for.js';

/**
 * SimulatorRunner against a real broker (embedded aedes, or the machine's one when MQTT_URL
 * is set), watched by a plain mqtt.js client subscribed to the simulator's topics. The
 * outage test stops and restarts a broker of its own.
 */
const BROKER_URL = process.env.TEST_MQTT_URL!;

interface Received {
  topic: string;
  payload: Record<string, unknown>;
  qos: number;
}

const runners: SimulatorRunner[] = [];
const watchers: MqttClient[] = [];

afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stop();
  for (const watcher of watchers.splice(0)) await watcher.endAsync(true);
});

/** A small, fast plant under a root topic of its own, so that tests sharing the broker do not see each other. */
function smallPlant(overrides: Partial<PlantSimulatorOptions> = {}): PlantSimulator {
  return new PlantSimulator({
    rootTopic: `sim-test/${randomBytes(4).toString('hex')}`,
    cncCount: 2,
    axesHz: 20,
    toolSampleIntervalMs: 200,
    weldingCount: 2,
    weldingHz: 5,
    // The RFID boards have a test file of their own (rfid-board.int-spec.ts).
    boardCount: 0,
    startTime: Date.now(),
    ...overrides,
  });
}

async function watch(simulator: PlantSimulator, qos: 0 | 1 = 0, url = BROKER_URL): Promise<Received[]> {
  const received: Received[] = [];
  const watcher = await connectAsync(url, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  watchers.push(watcher);
  watcher.on('message', (topic, payload, packet: IPublishPacket) =>
    received.push({ topic, payload: JSON.parse(payload.toString()), qos: packet.qos }),
  );
  await watcher.subscribeAsync(`${simulator.options.rootTopic}/machines/+/+`, { qos });
  return received;
}

function startRunner(simulator: PlantSimulator, options: Partial<SimulatorRunnerOptions> = {}): SimulatorRunner {
  const runner = new SimulatorRunner(simulator, {
    url: BROKER_URL,
    logger: silent(),
    progressIntervalMs: 0,
    ...options,
  });
  runners.push(runner);
  return runner;
}

function silent(lines: string[] = []): SimulatorLogger {
  return { info: (line) => lines.push(line), warn: (line) => lines.push(`WARN ${line}`) };
}

function countByTopic(received: Received[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { topic } of received) counts[topic] = (counts[topic] ?? 0) + 1;
  return counts;
}

function totalPublished(runner: SimulatorRunner): number {
  const { published } = runner.stats();
  return published.axes + published.tool + published.electrical;
}

describe('SimulatorRunner', () => {
  it("publishes every machine's topics, on the simulator's time grid, in real time, and loses nothing", async () => {
    const simulator = smallPlant();
    const received = await watch(simulator);
    const sut = startRunner(simulator);
    await sut.start();
    const root = simulator.options.rootTopic;
    const topics = ['cnc-01', 'cnc-02'].flatMap((code) => [
      `${root}/machines/${code}/axes`,
      `${root}/machines/${code}/tool`,
    ]);
    topics.push(`${root}/machines/7G/electrical`, `${root}/machines/7H/electrical`);

    await waitFor(() => topics.every((topic) => (countByTopic(received)[topic] ?? 0) >= 5), {
      what: 'five messages on every topic',
    });
    const newest = Math.max(...received.map((r) => r.payload.ts as number));
    // Keeping up with the wall clock (a loaded CI machine gets some slack).
    expect(Date.now() - newest).toBeLessThan(5_000);
    await sut.stop();

    expect(sut.isConnected).toBe(false);
    expect(sut.stats()).toMatchObject({ dropped: 0, failed: 0, pending: 0 });
    await waitFor(() => received.length === totalPublished(sut), { what: 'every published message' });
    expect(Object.keys(countByTopic(received)).sort()).toEqual([...topics].sort());
    const electrical = received.filter((r) => r.topic.endsWith('/7G/electrical')).map((r) => r.payload);
    for (let i = 1; i < electrical.length; i++)
      expect(Number(electrical[i].ts) - Number(electrical[i - 1].ts)).toBe(200);
    for (const payload of electrical) expect(Object.keys(payload).sort()).toEqual(['current', 'ts', 'voltage']);
    const axes = received.find((r) => r.topic.endsWith('/axes'))!.payload.axes as Record<string, unknown>;
    expect(Object.keys(axes)).toEqual(['X', 'Y', 'Z', 'A', 'C']);
  });

  it('publishes with QoS 1 when asked, and stop() waits for the acknowledgements', async () => {
    const simulator = smallPlant({ cncCount: 1, weldingCount: 1 });
    const received = await watch(simulator, 1);
    const sut = startRunner(simulator, { qos: 1 });
    await sut.start();

    await waitFor(() => received.length >= 20, { what: 'twenty messages' });
    await sut.stop();

    expect(sut.stats().pending).toBe(0);
    await waitFor(() => received.length === totalPublished(sut), { what: 'every published message' });
    expect(new Set(received.map((r) => r.qos))).toEqual(new Set([1]));
  });

  it('reports progress in messages per second through the logger', async () => {
    const simulator = smallPlant();
    const lines: string[] = [];
    const reports: SimulatorProgress[] = [];
    const sut = startRunner(simulator, {
      progressIntervalMs: 500,
      logger: silent(lines),
      onProgress: (p) => reports.push(p),
    });
    await sut.start();

    await waitFor(() => reports.length >= 2, { what: 'two progress reports' });
    await sut.stop();

    // 2 × 20 axes + 2 × 5 tool + 2 × 5 electrical = 60 messages per second (timer jitter moves some between reports).
    expect(reports[1].messagesPerSecond).toBeGreaterThan(20);
    expect(reports[1].messagesPerSecond).toBeLessThan(200);
    expect(reports[1].welding.OFF + reports[1].welding.IDLE + reports[1].welding.PRODUCTION).toBe(2);
    expect(
      lines.some((line) => /^[\d.,]+ msg\/s \(axes [\d.,]+\/s, tool [\d.,]+\/s, electrical [\d.,]+\/s\)/.test(line)),
    ).toBe(true);
  });

  it('drops messages while the broker is away, says so, and resumes publishing when it is back', async () => {
    const first = await startEmbeddedBroker(0);
    const url = first.url;
    let second: EmbeddedService | undefined;
    try {
      const simulator = smallPlant();
      const lines: string[] = [];
      const sut = startRunner(simulator, { url, logger: silent(lines) });
      await sut.start();
      await waitFor(() => totalPublished(sut) > 10, { what: 'publishing' });

      await first.stop();
      await waitFor(() => !sut.isConnected && sut.stats().dropped > 0, { what: 'messages dropped while away' });
      expect(lines).toContain('WARN connection to the broker lost; dropping messages until it is back');

      second = await startEmbeddedBroker(Number(new URL(url).port));
      expect(second.url).toBe(url);
      const received = await watch(simulator, 0, url);
      await waitFor(() => received.length >= 10, { what: 'messages after the broker came back', timeoutMs: 15_000 });
      expect(lines).toContain('reconnected to the broker');
      await sut.stop();
    } finally {
      await second?.stop();
    }
  });

  it('rejects start() with the reason when the broker cannot be reached', async () => {
    const port = await closedPort();
    const sut = startRunner(smallPlant(), { url: `mqtt://127.0.0.1:${port}` });

    await expect(sut.start()).rejects.toThrow(/ECONNREFUSED|connect/i);
    await sut.stop();
  });
});

/** A port nothing listens on: bound by the OS, then released. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
