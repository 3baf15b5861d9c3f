import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  SERVICE_ADMIN_EMAIL,
  SERVICE_ADMIN_PASSWORD,
  ServiceBuild,
  type ServiceProcess,
} from '../harness/service-process.js';
import { waitFor } from '../harness/wait-for.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../harness/chromium.js';
import {
  ARTIFACTS,
  axeViolations,
  buildServiceWithDashboard,
  embeddedBrokerUrl,
  freePort,
  tearDown,
  UI_TIMEOUT_MS,
  LIVE_BOUND_MS,
} from './page-checks.js';

/**
 * The dashboard in Chromium against the service started like `npm start` with nothing
 * configured: embedded PostgreSQL and broker, the simulator on, the page built by Vite and
 * served at `/`. Screenshots of every view go to test/artifacts/dashboard (git-ignored).
 */
const TEST_MACHINE = 'e2e-tile';

/**
 * The network between the browser and the service: a TCP relay that can drop every connection
 * and refuse new ones (a cable pulled) while the service keeps running, then carry on.
 */
class Network {
  private readonly sockets = new Set<net.Socket>();
  private down = false;
  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async relay(targetPort: () => number): Promise<Network> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const network = new Network(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => {
      if (network.down) return void client.destroy();
      const upstream = net.connect(targetPort(), '127.0.0.1');
      for (const [a, b] of [
        [client, upstream],
        [upstream, client],
      ]) {
        network.sockets.add(a);
        a.on('error', () => b.destroy());
        a.on('close', () => {
          network.sockets.delete(a);
          b.destroy();
        });
        a.pipe(b);
      }
    });
    return network;
  }

  drop(): void {
    this.down = true;
    for (const socket of this.sockets) socket.destroy();
  }

  restore(): void {
    this.down = false;
  }

  close(): Promise<void> {
    this.drop();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function publish(client: MqttClient, topic: string, payload: unknown): Promise<void> {
  await client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
}

describe('the live dashboard at /', () => {
  let build: ServiceBuild;
  let service: ServiceProcess;
  let env: Record<string, string>;
  let dataDir: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let device: MqttClient | undefined;
  let network: Network;
  let base: string;
  const requested: string[] = [];
  const sockets = { opened: 0, open: 0, maxOpen: 0 };
  const refreshes: Array<Promise<{ status: number; body: unknown }>> = [];
  const pageErrors: string[] = [];

  const tile = (code: string) => page.locator(`a.tile[data-code="${code}"]`);
  const linkState = () => page.getByTestId('link-state');
  const shoot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const connectDevice = async () => {
    const broker = embeddedBrokerUrl(service);
    device = await connectAsync(broker, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
  };

  beforeAll(async () => {
    build = await buildServiceWithDashboard();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-dashboard-'));
    // A fixed port: the page must find the service again at the same address after the restart.
    // Access tokens of 70 s: the page refreshes them (a minute ahead) several times during the run.
    env = { EMBEDDED_PG_DIR: dataDir, PORT: String(await freePort()), SIMULATOR: 'true', JWT_ACCESS_TTL_SECONDS: '70' };
    service = await build.start(env);
    // The page reaches the service through a relay that the network-drop test cuts.
    network = await Network.relay(() => Number(env.PORT));
    base = `http://127.0.0.1:${network.port}`;
    await connectDevice();
    const created = await service.graphql(
      'mutation($i: CreateMachineInput!) { createMachine(input: $i) { code } }',
      { i: { code: TEST_MACHINE, name: 'Test bench machine' } },
      await service.login(),
    );
    expect(created.errors).toBeUndefined();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    // axe-core is injected as an inline script, which the page's Content-Security-Policy forbids.
    context = await browser.newContext({ viewport: { width: 1280, height: 720 }, bypassCSP: true });
    page = await context.newPage();
    page.on('request', (request) => void requested.push(request.url()));
    page.on('websocket', (socket) => {
      requested.push(socket.url());
      sockets.opened++;
      sockets.maxOpen = Math.max(sockets.maxOpen, ++sockets.open);
      socket.on('close', () => void sockets.open--);
    });
    page.on('pageerror', (error) => void pageErrors.push(String(error)));
    page.on('response', (response) => {
      // A body Chromium no longer holds (its connection closed by a stopping service, the page
      // reloaded) is recorded as unread: the page could not have used it either.
      if (response.request().postData()?.includes('mutation Refresh'))
        refreshes.push(
          response.json().then(
            (body) => ({ status: response.status(), body }),
            () => ({ status: response.status(), body: undefined }),
          ),
        );
    });
  }, 180_000);

  afterAll(async () => {
    await network?.close();
    await tearDown({ device, browser, build, dataDir });
  }, 60_000);

  it('is announced in the start banner and served from local files', async () => {
    expect(service.output()).toMatch(new RegExp(`^ {2}Dashboard: +http://localhost:${env.PORT}/$`, 'm'));
    const response = await page.goto(`${base}/`);
    expect(response!.status()).toBe(200);
    expect(response!.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.getByLabel('E-mail').waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot('login');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('logs in and shows the simulator machines live, a tile following a published sample within 2 s', async () => {
    await page.getByLabel('E-mail').fill(SERVICE_ADMIN_EMAIL);
    await page.getByLabel('Password').fill(SERVICE_ADMIN_PASSWORD);
    const clicked = Date.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await tile('7G')
      .locator('[data-state="PRODUCTION"], [data-state="IDLE"], [data-state="OFF"]')
      .waitFor({ timeout: UI_TIMEOUT_MS });
    await linkState().filter({ hasText: 'Live' }).waitFor({ timeout: UI_TIMEOUT_MS });
    // Measured inside the page, from the form's submit to the first render with machines and a live socket.
    const loginToLive = await page.evaluate(() => {
      const [submitted] = performance.getEntriesByName('plantgraph:login-submitted');
      const [live] = performance.getEntriesByName('plantgraph:overview-live');
      return live.startTime - submitted.startTime;
    });
    process.stdout.write(
      `dashboard: login to a live overview in ${Math.round(loginToLive)} ms (${Date.now() - clicked} ms as Playwright saw it)\n`,
    );
    // The target (1 s) is bench:dashboard's; here, with the other test files running beside it, live at all.
    expect(loginToLive).toBeLessThan(LIVE_BOUND_MS);

    for (const code of ['cnc-01', 'cnc-20', '7G', '27E', '101', TEST_MACHINE])
      await expect(tile(code).count()).resolves.toBe(1);
    await expect(tile('101').locator('[data-access]').count()).resolves.toBe(1);

    const published = Date.now();
    await publish(device!, `plant/machines/${TEST_MACHINE}/electrical`, { current: 123.4, voltage: 31.7 });
    await tile(TEST_MACHINE).getByTestId('current').filter({ hasText: '123.4 A' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const sampleToTile = Date.now() - published;
    process.stdout.write(`dashboard: sample to tile in ${sampleToTile} ms\n`);
    expect(sampleToTile).toBeLessThan(LIVE_BOUND_MS);
    await expect(tile(TEST_MACHINE).getByTestId('voltage').textContent()).resolves.toBe('31.7 V');
    await waitFor(
      async () => (await tile(TEST_MACHINE).locator('[data-state]').getAttribute('data-state')) !== 'UNKNOWN',
      {
        timeoutMs: UI_TIMEOUT_MS,
        what: 'the test machine to get a state from its sample',
      },
    );
    await shoot('overview');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('fits a tablet width without scrolling sideways', async () => {
    await page.setViewportSize({ width: 820, height: 1180 });
    await shoot('overview-tablet');
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      820,
    );
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('opens a machine from the keyboard, and its axis chart moves', async () => {
    await tile('cnc-01').focus();
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: /cnc-01/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    const readout = page.getByTestId('axis-readout');
    const chart = page.locator('section[aria-labelledby="axes-title"] figure.chart');
    await chart.waitFor({ timeout: UI_TIMEOUT_MS });
    await waitFor(async () => !(await readout.textContent())!.includes('–'), {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'live axis positions',
    });

    const firstText = await readout.textContent();
    const firstVersion = Number(await chart.getAttribute('data-version'));
    const firstImage = await chart.screenshot();
    await waitFor(async () => Number(await chart.getAttribute('data-version')) > firstVersion + 5, {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'live axis samples drawn',
    });
    await waitFor(async () => !(await chart.screenshot()).equals(firstImage), {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the chart to move',
    });
    expect(await readout.textContent()).not.toBe(firstText);
    await shoot('machine-cnc');
    expect(await axeViolations(page)).toEqual([]);

    await page.goto(`${base}/#/machine/7G`);
    await page.getByRole('heading', { level: 2, name: /Current and voltage/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByLabel('History window').selectOption({ label: '24 hours' });
    await page.getByRole('heading', { level: 2, name: 'Production today (UTC)' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot('machine-welding');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shows the access board and the leak sensors', async () => {
    await page.getByRole('link', { name: 'Access' }).click();
    await page.getByRole('heading', { name: 'Status board' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('.tile[data-code="106"] [data-access]').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByRole('heading', { name: 'Boards' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot('access');
    expect(await axeViolations(page)).toEqual([]);

    await page.getByRole('link', { name: 'Leak sensors' }).click();
    await page
      .getByRole('link', { name: /Simulated template/ })
      .first()
      .waitFor({ timeout: UI_TIMEOUT_MS });
    const sensor = page.locator('section.sensor').first();
    await sensor.locator('figure.chart').waitFor({ timeout: UI_TIMEOUT_MS });
    await sensor.locator('[data-level]').waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot('leaks');
    expect(await axeViolations(page)).toEqual([]);
  });

  it("sets the simulated lab's fan through the set-point form, and its speed follows", async () => {
    const views = page.getByRole('navigation', { name: 'Views' });
    await views.getByRole('link', { name: 'Experiments' }).click();
    await page.getByRole('link', { name: /\(Lab1\)$/ }).click();
    const readout = page.locator('section.pv[data-pv="Lab1:Fan:Speed"]').getByTestId('pv-value');
    const rpm = async () => Number(((await readout.textContent()) ?? '').replace(/[^\d.-]/g, ''));
    await readout.filter({ hasText: 'rpm' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const target = (await rpm()) < 1500 ? 2600 : 600;
    const form = page.getByRole('form', { name: 'Set-point of Lab1:Fan:SpeedSetpoint' });
    await form.getByLabel('Set-point (rpm)').fill(String(target));
    await form.getByRole('button', { name: 'Set' }).click();
    await form
      .getByRole('status')
      .filter({ hasText: `Set to ${target}` })
      .waitFor({ timeout: UI_TIMEOUT_MS });
    // The simulated device takes the set over MQTT and its fan approaches it (first order, τ = 2 s),
    // reported once a second: the page shows it within 5 %.
    await waitFor(async () => Math.abs((await rpm()) - target) <= 0.05 * target, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `the fan speed shown near ${target} rpm`,
    });
    await shoot('experiments-lab');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('marks the page stale while the network is down and fills the gap from history when it returns', async () => {
    await page.goto(`${base}/#/machine/${TEST_MACHINE}`);
    const chart = page.locator('section[aria-labelledby="electrical-title"] [data-points]');
    await chart.waitFor({ timeout: UI_TIMEOUT_MS });
    await linkState().filter({ hasText: 'Live' }).waitFor({ timeout: UI_TIMEOUT_MS });
    // One socket carried login, every view and every subscription so far.
    expect(sockets.opened).toBe(1);
    const before = Number(await chart.getAttribute('data-points'));

    network.drop();
    await linkState().filter({ hasText: 'Disconnected' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('section[data-stale="true"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
    // Samples that the page cannot receive live, stored by the running service: one a second, a
    // minute back, so that each has a bucket of its own (the test's earlier sample is more recent).
    const now = Date.now();
    const missed = [60, 59, 58, 57, 56].map((s) => ({ ts: now - s * 1000, current: 50 + s, voltage: 20 }));
    for (const sample of missed) await publish(device!, `plant/machines/${TEST_MACHINE}/electrical`, sample);
    const token = await service.login();
    await service.waitFor(
      async () => {
        const answer = await service.graphql(
          'query($c: [String!]!) { electricalHistory(machineCodes: $c, lastMinutes: 5) { series { ts } } }',
          { c: [TEST_MACHINE] },
          token,
        );
        return answer.data?.electricalHistory.series[0]?.ts.length >= missed.length + 1;
      },
      { timeoutMs: UI_TIMEOUT_MS, what: 'the missed samples to be stored' },
    );
    await shoot('network-down');

    network.restore();
    await linkState().filter({ hasText: 'Live' }).waitFor({ timeout: 30_000 });
    let points = before;
    await waitFor(async () => (points = Number(await chart.getAttribute('data-points'))) >= before + missed.length, {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the chart to show the samples sent while the network was down',
    }).catch(async (error: Error) => {
      const shown = await page.locator('.error, [data-testid="link-state"]').allTextContents();
      throw new Error(`${error.message} (points: ${before} before, ${points} now; page: ${shown.join(' | ')})`, {
        cause: error,
      });
    });
    await page.locator('section[data-stale="false"]').first().waitFor({ timeout: UI_TIMEOUT_MS });
  }, 90_000);

  it('shows that it is disconnected while the service is down, and recovers by itself when it returns', async () => {
    await page.getByRole('link', { name: 'Plant overview', exact: true }).click();
    await tile(TEST_MACHINE).waitFor({ timeout: UI_TIMEOUT_MS });
    await linkState().filter({ hasText: 'Live' }).waitFor({ timeout: UI_TIMEOUT_MS });

    await device!.endAsync();
    device = undefined;
    expect(await service.stop()).toEqual({ code: 0, signal: null });
    await linkState().filter({ hasText: 'Disconnected' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('ul.tiles[data-stale="true"]').waitFor({ timeout: UI_TIMEOUT_MS });
    await shoot('disconnected');

    const restarted = Date.now();
    service = await build.start(env);
    await linkState().filter({ hasText: 'Live' }).waitFor({ timeout: 60_000 });
    process.stdout.write(`dashboard: live again ${Date.now() - restarted} ms after the restart began\n`);
    await page.locator('ul.tiles[data-stale="false"]').waitFor({ timeout: UI_TIMEOUT_MS });

    await connectDevice();
    // Sent every second, as a device does: one published while the restarted service was still
    // subscribing to its broker would be lost (the embedded broker keeps no session for it).
    const reading = tile(TEST_MACHINE).getByTestId('current').filter({ hasText: '234.5 A' });
    await waitFor(
      async () => {
        await publish(device!, `plant/machines/${TEST_MACHINE}/electrical`, { current: 234.5, voltage: 28.2 });
        return reading.isVisible();
      },
      { timeoutMs: UI_TIMEOUT_MS, intervalMs: 1_000, what: 'the tile to show a sample sent after the restart' },
    );
    await shoot('reconnected');
  }, 120_000);

  it('refreshed its access token while it ran, and logs out', async () => {
    // Due 10 s after each token; one that fell while the network or the service was down is tried
    // again every 5 s (those get no answer, or a 503 from a stopping service, or one whose body
    // went with its closed connection).
    const served = async () =>
      ((await Promise.all(refreshes)) as Array<{ status: number; body: any }>).filter(
        (a) => a.status !== 503 && a.body !== undefined,
      );
    await waitFor(async () => (await served()).length > 0, {
      timeoutMs: 30_000,
      what: 'a refresh of the access token',
    });
    for (const { status, body } of await served()) {
      expect({ status, errors: body.errors }).toEqual({ status: 200, errors: undefined });
      expect(body.data.refreshToken.accessToken).toEqual(expect.any(String));
    }
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('E-mail').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    await page.reload();
    await page.getByLabel('E-mail').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it('shows a user only the views and figures their permissions allow', async () => {
    const token = await service.login();
    const role = await service.graphql(
      'mutation($i: CreateRoleInput!) { createRole(input: $i) { name } }',
      { i: { name: 'dashboard-viewer', permissions: ['machines:read'] } },
      token,
    );
    expect(role.errors).toBeUndefined();
    const viewer = { email: 'viewer@plantgraph.test', password: 'viewer-password-1' };
    const user = await service.graphql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { ...viewer, displayName: 'Viewer', roles: ['dashboard-viewer'] } },
      token,
    );
    expect(user.errors).toBeUndefined();

    const other = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      const viewerPage = await other.newPage();
      viewerPage.on('pageerror', (error) => void pageErrors.push(String(error)));
      await viewerPage.goto(`${base}/`);
      await viewerPage.getByLabel('E-mail').fill(viewer.email);
      await viewerPage.getByLabel('Password').fill(viewer.password);
      await viewerPage.getByRole('button', { name: 'Sign in' }).click();
      await viewerPage.locator('a.tile[data-code="7G"]').waitFor({ timeout: UI_TIMEOUT_MS });
      const nav = viewerPage.getByRole('navigation', { name: 'Views' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(['Plant overview']);
      expect(await viewerPage.locator('[data-access]').count()).toBe(0);
      // A view the user may not see is not reachable by its address either.
      await viewerPage.goto(`${base}/#/access`);
      await viewerPage.getByRole('heading', { level: 1, name: 'Plant overview' }).waitFor({ timeout: UI_TIMEOUT_MS });
    } finally {
      await other.close();
    }
  });

  it('sent no request beyond this machine and raised no page error', () => {
    expect(requested.length).toBeGreaterThan(0);
    const external = requested.filter((url) => !['127.0.0.1', 'localhost'].includes(new URL(url).hostname));
    expect(external).toEqual([]);
    expect(new Set(requested.filter((url) => url.startsWith('ws://')))).toEqual(
      new Set([`${base.replace(/^http/, 'ws')}/graphql`]),
    );
    // Reconnections replace the socket; there is never more than one.
    expect(sockets.maxOpen).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
