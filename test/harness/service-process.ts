import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { GraphQLResponse } from './app.js';
import { metricSum } from './metrics.js';
import { waitFor } from './wait-for.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BUILD_TIMEOUT_MS = 120_000;
const START_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 30_000;
/** Enough of a child's output to explain a failure, however much it logs. */
const OUTPUT_KEPT_CHARS = 200_000;
const GC_PROBE_LINE = 'plantgraph-gc-probe ';

export const SERVICE_ADMIN_EMAIL = 'admin@plantgraph.test';
export const SERVICE_ADMIN_PASSWORD = 'admin-password-1';

/** The process's memory right after two full garbage collections: what it really holds. */
export interface HeapSnapshot {
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  rss: number;
}

export interface ServiceProcess {
  /** http://127.0.0.1:{port} */
  readonly baseUrl: string;
  /** Where metricSum() reads GET /metrics. */
  readonly httpUrl: string;
  readonly child: ChildProcess;
  /** How the process ended, once it has. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  output(): string;
  /** Lines written to stdout and stderr since the start. */
  outputLines(): number;
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    token?: string,
  ): Promise<GraphQLResponse<T>>;
  login(): Promise<string>;
  /**
   * waitFor(), failing at once if the service exits meanwhile; the error ends with the
   * service's last output, which explains most failures.
   */
  waitFor<T>(probe: () => T | Promise<T>, options?: WaitOptions): Promise<Exclude<T, undefined | false>>;
  health(): Promise<{ status: number; body: { status: string; database: string; broker: string } }>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Only with `gcProbe`: collects garbage in the service and reports what is left. */
  heapAfterGc(): Promise<HeapSnapshot>;
  /** SIGKILL: no shutdown hook runs, no PUBACK or DISCONNECT leaves. Resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM, the orderly stop of `npm start`; resolves with how it exited. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

type WaitOptions = Parameters<typeof waitFor>[1];

export interface StartOptions {
  /** Run with --expose-gc and a preload that answers SIGUSR2 with a HeapSnapshot line. */
  gcProbe?: boolean;
}

/**
 * The service as `npm start` runs it — the built JavaScript in a process of its own — for
 * tests that SIGKILL it or measure its memory. Built once per test file into a private
 * folder (dist/ belongs to `npm run build`), with the same swc settings (.swcrc) as the
 * build script. `dispose()` kills whatever is still running and removes the folder.
 */
export class ServiceBuild {
  private readonly running = new Set<ChildProcess>();
  private readonly killOrphans = () => {
    for (const child of this.running) child.kill('SIGKILL');
  };

  private constructor(readonly dir: string) {
    // However the test worker ends, a service it started does not outlive it.
    process.once('exit', this.killOrphans);
  }

  static async create(): Promise<ServiceBuild> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-service-build-'));
    try {
      await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/swc'), ['src', 'migrations', '-d', dir, '-q'], {
        cwd: ROOT,
        timeout: BUILD_TIMEOUT_MS,
      });
      // Outside the project, the built files need its module type and its dependencies.
      writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
      symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
      writeFileSync(path.join(dir, 'gc-probe.mjs'), GC_PROBE_SOURCE);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new ServiceBuild(dir);
  }

  /**
   * Starts the service with `env` on top of a minimal environment (nothing inherited but
   * PATH and HOME) and resolves once it listens and printed its banner.
   */
  async start(env: Record<string, string>, options: StartOptions = {}): Promise<ServiceProcess> {
    const flags = ['--enable-source-maps', '--max-semi-space-size=64'];
    if (options.gcProbe) flags.push('--expose-gc', '--import', pathToFileURL(path.join(this.dir, 'gc-probe.mjs')).href);
    const child = spawn(process.execPath, [...flags, path.join(this.dir, 'src/main.js')], {
      cwd: this.dir,
      env: {
        PATH: process.env.PATH!,
        HOME: process.env.HOME ?? os.homedir(),
        NODE_ENV: 'test',
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        LOG_PRETTY: 'false',
        SIMULATOR: 'false',
        DB_POOL_SIZE: '5',
        ADMIN_EMAIL: SERVICE_ADMIN_EMAIL,
        ADMIN_PASSWORD: SERVICE_ADMIN_PASSWORD,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.running.add(child);
    const started = watch(child);
    child.once('exit', () => this.running.delete(child));
    const fail = (problem: string) => {
      child.kill('SIGKILL');
      return new Error(`${problem}\n--- service output ---\n${started.output}`);
    };
    // The banner, or the exit that means there will be none.
    const ready = await waitFor(
      () => started.exit ?? /^ {2}GraphiQL: +http:\/\/localhost:(\d+)\/graphql$/m.exec(started.output)?.[1],
      { timeoutMs: START_TIMEOUT_MS, intervalMs: 50, what: 'the service to start' },
    ).catch((error: Error) => {
      throw fail(error.message);
    });
    if (typeof ready !== 'string') throw fail(`The service exited while starting: ${JSON.stringify(ready)}`);
    return serviceProcess(child, started, `http://127.0.0.1:${ready}`);
  }

  /** Kills (SIGKILL) every service started from this build that is still running. */
  async killAll(): Promise<void> {
    await Promise.all(
      [...this.running].map(
        (child) =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  }

  async dispose(): Promise<void> {
    process.off('exit', this.killOrphans);
    await this.killAll();
    // The link first: removing the folder must never walk into the project's node_modules.
    unlinkSync(path.join(this.dir, 'node_modules'));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

interface Watched {
  output: string;
  lines: number;
  exit?: { code: number | null; signal: NodeJS.Signals | null };
  gcProbes: HeapSnapshot[];
}

function watch(child: ChildProcess): Watched {
  const watched: Watched = { output: '', lines: 0, gcProbes: [] };
  let partial = '';
  const append = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    watched.output = (watched.output + text).slice(-OUTPUT_KEPT_CHARS);
    const lines = (partial + text).split('\n');
    partial = lines.pop()!;
    watched.lines += lines.length;
    for (const line of lines)
      if (line.startsWith(GC_PROBE_LINE)) watched.gcProbes.push(JSON.parse(line.slice(GC_PROBE_LINE.length)));
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  child.once('exit', (code, signal) => (watched.exit = { code, signal }));
  return watched;
}

function serviceProcess(child: ChildProcess, watched: Watched, baseUrl: string): ServiceProcess {
  const graphql: ServiceProcess['graphql'] = async (query, variables, token) => {
    const response = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return response.json() as Promise<GraphQLResponse<any>>;
  };
  const exited = () =>
    waitFor(() => watched.exit, { timeoutMs: EXIT_TIMEOUT_MS, intervalMs: 20, what: 'the service to exit' });
  const service: ServiceProcess = {
    baseUrl,
    httpUrl: `${baseUrl}/graphql`,
    child,
    exit: () => watched.exit,
    output: () => watched.output,
    outputLines: () => watched.lines,
    graphql,
    login: async () => {
      const result = await graphql<{ login: { accessToken: string } }>(
        'mutation($input: LoginInput!) { login(input: $input) { accessToken } }',
        { input: { email: SERVICE_ADMIN_EMAIL, password: SERVICE_ADMIN_PASSWORD } },
      );
      if (!result.data) throw new Error(`login failed: ${JSON.stringify(result.errors)}`);
      return result.data.login.accessToken;
    },
    waitFor: async (probe, options) => {
      // A service that dies meanwhile fails the wait at once, with its last words.
      let onClose = () => undefined as void;
      const died = new Promise<never>((_, reject) => {
        onClose = () => reject(new Error(`The service exited (${JSON.stringify(watched.exit)})`));
        if (watched.exit) onClose();
        else child.once('close', onClose);
      });
      try {
        return await Promise.race([waitFor(probe, options), died]);
      } catch (error) {
        throw new Error(`${(error as Error).message}\n--- service output (end) ---\n${watched.output.slice(-5_000)}`, {
          cause: error,
        });
      } finally {
        child.off('close', onClose);
      }
    },
    health: async () => {
      const response = await fetch(`${baseUrl}/health`);
      return { status: response.status, body: (await response.json()) as any };
    },
    metric: (name, labels) => metricSum(service, name, labels),
    heapAfterGc: async () => {
      const before = watched.gcProbes.length;
      child.kill('SIGUSR2');
      await waitFor(() => watched.gcProbes.length > before, { what: 'the gc probe of the service' });
      return watched.gcProbes[before];
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited();
    },
    stop: async () => {
      child.kill('SIGTERM');
      return exited();
    },
  };
  return service;
}

/** Preloaded with --expose-gc: on SIGUSR2, two full collections, then one line with what is left. */
const GC_PROBE_SOURCE = `process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
  process.stdout.write('${GC_PROBE_LINE}' + JSON.stringify({ heapUsed, external, arrayBuffers, rss }) + '\\n');
});
`;
