import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { MqttClient } from 'mqtt';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../harness/chromium.js';
import {
  SERVICE_ADMIN_EMAIL,
  SERVICE_ADMIN_PASSWORD,
  ServiceBuild,
  type ServiceProcess,
} from '../harness/service-process.js';

/**
 * What the dashboard's end-to-end files share: the service built with the page beside it, the
 * embedded broker it announces, the axe scan (serious and critical findings only), a free port
 * for a service that must keep its address, and where screenshots go.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** How long a page may take to show what it waits for (a loaded CI machine, three test files at once). */
export const UI_TIMEOUT_MS = 20_000;
/**
 * How late a live update may show, at most: the latency targets are bench:dashboard's (README),
 * on a quiet machine; here, beside the other test files, it must show live, not after a reload.
 */
export const LIVE_BOUND_MS = 10_000;

/** Screenshots of every view (git-ignored). */
export const ARTIFACTS = path.join(ROOT, 'test/artifacts/dashboard');

/**
 * A private build of the service with the page beside it, as `npm run build` makes them (the
 * page's GraphQL types are generated once per run, by the global setup). Builds of several
 * files run at once, each into its own directory: Vite's lock against a second build of the
 * same project is bypassed.
 */
export async function buildServiceWithDashboard(): Promise<ServiceBuild> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const build = await ServiceBuild.create();
  await promisify(execFile)(
    path.join(ROOT, 'node_modules/.bin/vite'),
    [
      'build',
      '--bypass-lock',
      '--config',
      'web/vite.config.ts',
      '--outDir',
      path.join(build.dir, 'dashboard'),
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    { cwd: ROOT },
  );
  return build;
}

/**
 * Debian's Chromium with one page at 1280×720 that records every address it requests (sockets
 * included) and every page error. The context bypasses the page's Content-Security-Policy:
 * axe-core is injected as an inline script.
 */
export async function openPage(requested: string[], pageErrors: string[]): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, bypassCSP: true });
  const page = await context.newPage();
  page.on('request', (request) => void requested.push(request.url()));
  page.on('websocket', (socket) => void requested.push(socket.url()));
  page.on('pageerror', (error) => void pageErrors.push(String(error)));
  return { browser, page };
}

/** Signs in on the login form with the administrator the service process was started with. */
export async function signInAsAdmin(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('E-mail').fill(SERVICE_ADMIN_EMAIL);
  await page.getByLabel('Password').fill(SERVICE_ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/**
 * Ends what a dashboard file started: its device, the browser, the service build (which stops
 * the service) and the embedded PostgreSQL's data directory. A killed service would leave its
 * embedded PostgreSQL running; an orderly stop does not.
 */
export async function tearDown(started: {
  device?: MqttClient;
  browser?: Browser;
  build?: ServiceBuild;
  dataDir?: string;
}): Promise<void> {
  await started.device?.endAsync();
  await started.browser?.close();
  await started.build?.dispose();
  const { dataDir } = started;
  const pidFile = dataDir && path.join(dataDir, 'postmaster.pid');
  if (pidFile && existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').split('\n')[0]), 'SIGQUIT');
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}

/** The embedded MQTT broker a service started like `npm start` announced in its banner. */
export function embeddedBrokerUrl(service: ServiceProcess): string {
  const url = /embedded MQTT broker at (mqtt:\/\/\S+)/.exec(service.output())?.[1];
  if (!url) throw new Error('The service announced no embedded MQTT broker');
  return url;
}
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string;
  nodes: string[];
}

/** Serious and critical findings of axe-core, run inside the page (needs a context with bypassCSP). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations: AxeViolation[] = await page.evaluate(async () => {
    const axe = (globalThis as any).axe;
    const result = await axe.run((globalThis as any).document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.slice(0, 3).map((n: any) => n.target.join(' ')),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
