import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectAsync } from 'mqtt';
import { choosePort } from '../src/shared/embedded/free-port.js';

const BINARIES = [process.env.BENCH_MOSQUITTO, '/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'];

/**
 * A Mosquitto of the benchmark's own, with the flow-control settings of
 * docker/mosquitto.conf (no in-flight cap, a deep queue) and no persistence, on a free
 * port. The machine's broker keeps its own configuration; CI can start this one the same
 * way. Undefined when no mosquitto binary is installed.
 */
export async function startPrivateMosquitto(): Promise<{ url: string; stop(): Promise<void> } | undefined> {
  const binary = BINARIES.find((candidate) => candidate && existsSync(candidate));
  if (!binary) return undefined;
  const port = await choosePort(0);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-bench-mosquitto-'));
  const config = path.join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_inflight_messages 0',
      'max_queued_messages 1000000',
      'set_tcp_nodelay true',
      'log_dest stderr',
      'log_type error',
    ].join('\n'),
  );
  const child = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // However the benchmark ends, its broker goes with it.
  const orphaned = () => child.kill();
  process.once('exit', orphaned);
  const url = `mqtt://127.0.0.1:${port}`;
  const deadline = Date.now() + 5_000;
  for (;;) {
    try {
      const probe = await connectAsync(url, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 500 });
      await probe.endAsync();
      break;
    } catch (error) {
      if (Date.now() > deadline || child.exitCode !== null) {
        child.kill();
        rmSync(dir, { recursive: true, force: true });
        throw new Error('The private mosquitto did not start', { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  return {
    url,
    stop: async () => {
      process.off('exit', orphaned);
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
