import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../harness/database.js';
import { waitFor } from '../harness/wait-for.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BANNER_TIMEOUT_MS = 60_000;
const EXIT_TIMEOUT_MS = 30_000;

interface Started {
  child: ChildProcess;
  output: () => string;
  exit: () => { code: number | null; signal: NodeJS.Signals | null } | undefined;
  banner: { graphiql: string; admin: string };
}

const children = new Set<ChildProcess>();

/** `npm start` without npm: the built service, with nothing in its environment but `env`. */
async function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['dist/src/main.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? os.homedir(), PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  let exit: ReturnType<Started['exit']>;
  child.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
  child.once('exit', (code, signal) => {
    exit = { code, signal };
    children.delete(child);
  });
  const banner = await waitFor(
    () => {
      if (exit) throw new Error(`exited early (${JSON.stringify(exit)}):\n${output}`);
      const graphiql = /^ {2}GraphiQL: +(\S+)$/m.exec(output)?.[1];
      const admin = /^ {2}Admin: +(.+)$/m.exec(output)?.[1];
      return graphiql !== undefined && admin !== undefined && { graphiql, admin };
    },
    { timeoutMs: BANNER_TIMEOUT_MS, intervalMs: 100, what: 'the start-up banner' },
  ).catch((e: Error) => {
    throw new Error(`${e.message}\n--- output ---\n${output}`);
  });
  return { child, output: () => output, exit: () => exit, banner };
}

async function stop(started: Started): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  started.child.kill('SIGTERM');
  return waitFor(started.exit, { timeoutMs: EXIT_TIMEOUT_MS, intervalMs: 50, what: 'the service to exit' }).catch(
    (e: Error) => {
      throw new Error(`${e.message}\n--- output ---\n${started.output()}`);
    },
  );
}

async function graphql(url: string, query: string, variables?: Record<string, unknown>, token?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: Record<string, any>; errors?: unknown[] };
}

async function loginAndAskWhoAmI(url: string, email: string, password: string): Promise<string> {
  const login = await graphql(url, 'mutation($i: LoginInput!) { login(input: $i) { accessToken } }', {
    i: { email, password },
  });
  expect(login.errors).toBeUndefined();
  const me = await graphql(url, '{ me { email } }', {}, login.data!.login.accessToken);
  expect(me.errors).toBeUndefined();
  return me.data!.me.email;
}

/** A killed service leaves its embedded PostgreSQL running; stop it through its pid file. */
function stopLeftoverPostgres(dataDir: string): void {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (pid > 0) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      // already gone
    }
  }
}

beforeAll(async () => {
  await promisify(execFile)('npm', ['run', 'build'], { cwd: ROOT, timeout: 120_000 });
}, 150_000);

describe('npm start with nothing configured', () => {
  let dataDir: string;

  beforeAll(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-one-command-'));
  });
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    stopLeftoverPostgres(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts embedded PostgreSQL and broker, prints a working admin login, and keeps the data across restarts', async () => {
    const first = await start({ EMBEDDED_PG_DIR: dataDir });
    expect(first.output()).toMatch(/^ {2}embedded PostgreSQL on \d+, data in /m);
    expect(first.output()).toContain(`data in ${dataDir}`);
    expect(first.output()).toMatch(/^ {2}embedded MQTT broker at mqtt:\/\/127\.0\.0\.1:\d+$/m);
    const generated = /^(\S+@\S+) \/ (\S+) {3}\(generated now/.exec(first.banner.admin);
    expect(generated).not.toBeNull();
    const [, email, password] = generated!;
    expect(first.banner.graphiql).toMatch(/^http:\/\/localhost:\d+\/graphql$/);

    expect(await loginAndAskWhoAmI(first.banner.graphiql, email, password)).toBe(email);
    const health = await fetch(first.banner.graphiql.replace(/\/graphql$/, '/health'));
    expect(await health.json()).toEqual({ status: 'ok', database: 'up', broker: 'up' });

    expect(await stop(first)).toEqual({ code: 0, signal: null });
    expect(existsSync(path.join(dataDir, 'postmaster.pid'))).toBe(false);

    const second = await start({ EMBEDDED_PG_DIR: dataDir });
    expect(second.banner.admin).toMatch(/an admin exists already/);
    expect(second.output()).not.toContain(password);
    expect(await loginAndAskWhoAmI(second.banner.graphiql, email, password)).toBe(email);
    expect(await stop(second)).toEqual({ code: 0, signal: null });
  }, 180_000);
});

describe('npm start with DATABASE_URL and MQTT_URL set', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db?.drop();
  });

  it('embeds nothing and uses the configured services', async () => {
    const started = await start({
      DATABASE_URL: db.url,
      MQTT_URL: process.env.TEST_MQTT_URL!,
      MQTT_CLIENT_ID: `pg-start-${process.pid}`,
      ADMIN_PASSWORD: 'some-password-1',
      // Points nowhere: proves that no embedded PostgreSQL is started.
      EMBEDDED_PG_DIR: path.join(os.tmpdir(), `plantgraph-never-created-${process.pid}`),
    });
    expect(started.output()).not.toMatch(/embedded/i);
    expect(started.banner.admin).toBe('admin@plantgraph.local (password from ADMIN_PASSWORD)');
    expect(existsSync(path.join(os.tmpdir(), `plantgraph-never-created-${process.pid}`))).toBe(false);
    expect(await loginAndAskWhoAmI(started.banner.graphiql, 'admin@plantgraph.local', 'some-password-1')).toBe(
      'admin@plantgraph.local',
    );
    const [row] = await db.query<{ email: string }>('SELECT email FROM users');
    expect(row.email).toBe('admin@plantgraph.local');
    expect(await stop(started)).toEqual({ code: 0, signal: null });
  }, 120_000);
});
