import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Aedes } from 'aedes';
import { connectAsync } from 'mqtt';
import { choosePort } from '../../src/shared/embedded/free-port.js';
import { waitFor } from './wait-for.js';

const MOSQUITTO_BINARIES = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', '/usr/bin/mosquitto'];
const MOSQUITTO_TIMEOUT_MS = 10_000;

/**
 * An MQTT broker of one test's own, which it can take down and bring back on the same port
 * with its sessions and queued messages intact — a broker restart. The run's broker is shared
 * by every test file, so it is never the one restarted.
 */
export interface PrivateBroker {
  readonly url: string;
  /** Stops listening and drops every connection without a word, as a broker process ending does. */
  down(): Promise<void>;
  /** Listens again on the same port with what it kept: sessions, subscriptions, undelivered QoS 1 messages. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/** aedes in this process: its in-memory persistence outlives the "restart" because the instance does. */
export async function startAedesBroker(): Promise<PrivateBroker> {
  const port = await choosePort(0);
  const broker = await Aedes.createBroker();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;

  const up = async () => {
    const listening = net.createServer({ noDelay: true }, broker.handle);
    listening.on('connection', (socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, '127.0.0.1', () => resolve());
    });
    server = listening;
  };
  const down = async () => {
    const closing = server;
    server = undefined;
    if (!closing) return;
    const closed = new Promise<void>((resolve) => closing.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  await up();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    down,
    up,
    stop: async () => {
      await down();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
    },
  };
}

/** The machine's mosquitto binary, when there is one. */
export function mosquittoBinary(): string | undefined {
  return MOSQUITTO_BINARIES.find((candidate) => existsSync(candidate));
}

/**
 * A Mosquitto process of its own, with persistence on disk like docker/mosquitto.conf: down()
 * is SIGTERM (it saves sessions and queued messages), up() starts it again on the same
 * configuration. The in-flight window keeps Mosquitto's default (20), as on most deployments.
 */
export async function startMosquittoBroker(binary: string): Promise<PrivateBroker> {
  const port = await choosePort(0);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-test-mosquitto-'));
  const config = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence true',
      `persistence_location ${dir}/`,
      'max_queued_messages 1000000',
      'set_tcp_nodelay true',
      // Run as root, Mosquitto would switch to its own user, which cannot write this folder.
      `user ${os.userInfo().username}`,
      'log_dest stderr',
      'log_type error',
    ].join('\n'),
  );
  const url = `mqtt://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  const killOrphan = () => child?.kill('SIGKILL');
  process.once('exit', killOrphan);

  const up = async () => {
    const started = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let failed = false;
    started.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    started.once('error', (error) => {
      failed = true;
      output += String(error);
    });
    child = started;
    await waitFor(
      async () => {
        if (failed || started.exitCode !== null) return 'exited';
        const probe = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 500 });
        await probe.endAsync();
        return 'listening';
      },
      { timeoutMs: MOSQUITTO_TIMEOUT_MS, intervalMs: 50, what: `mosquitto on ${url}` },
    ).then((state) => {
      if (state === 'exited') throw new Error(`mosquitto exited at start: ${output}`);
    });
  };
  const down = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    // Bounded: a Mosquitto that does not stop is killed (and the test then finds what it lost).
    const stuck = setTimeout(() => running.kill('SIGKILL'), MOSQUITTO_TIMEOUT_MS);
    await exited;
    clearTimeout(stuck);
  };
  await up();
  return {
    url,
    down,
    up,
    stop: async () => {
      process.off('exit', killOrphan);
      await down();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
