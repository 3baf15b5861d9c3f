import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Browser, Locator, Page } from 'playwright-core';
import { SERVICE_ADMIN_EMAIL, ServiceBuild, type ServiceProcess } from '../harness/service-process.js';
import { waitFor } from '../harness/wait-for.js';
import {
  ARTIFACTS,
  axeViolations,
  buildServiceWithDashboard,
  embeddedBrokerUrl,
  freePort,
  openPage,
  signInAsAdmin,
  tearDown,
  UI_TIMEOUT_MS,
  LIVE_BOUND_MS,
} from './page-checks.js';

/**
 * The dashboard's experiments view in Chromium against the service started like `npm start`
 * (embedded PostgreSQL and broker, the page built by Vite and served at `/`): PV charts fed
 * live over MQTT, the set-point form publishing on the set topic, the user's threshold
 * subscriptions. Screenshots go to test/artifacts/dashboard (git-ignored).
 */
const EXPERIMENT = 'E2E';
const MEASURED = `${EXPERIMENT}:Oven:Temperature`;
const WRITABLE = `${EXPERIMENT}:Oven:SetPoint`;
const TEXT_PV = `${EXPERIMENT}:Oven:Mode`;
/** PROTOCOLS.md A: values come in on plant/pv/{name with ':' → '/'}, sets go out on plant/pv-set/…. */
const valueTopic = (pv: string) => `plant/pv/${pv.replace(/:/g, '/')}`;
const setTopic = (pv: string) => `plant/pv-set/${pv.replace(/:/g, '/')}`;

describe('the dashboard: experiments', () => {
  let build: ServiceBuild;
  let service: ServiceProcess;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let device: MqttClient;
  let base: string;
  const requested: string[] = [];
  const pageErrors: string[] = [];
  const sets: Array<{ topic: string; payload: string; at: number }> = [];

  const pvPanel = (name: string) => page.locator(`section.pv[data-pv="${name}"]`);
  const shoot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const points = async (chart: Locator) => Number((await chart.getAttribute('data-points')) ?? 0);
  const gql = async (query: string, variables: Record<string, unknown>) => {
    const answer = await service.graphql(query, variables, await service.login());
    expect(answer.errors).toBeUndefined();
    return answer.data!;
  };

  beforeAll(async () => {
    build = await buildServiceWithDashboard();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-dashboard-experiments-'));
    service = await build.start({ EMBEDDED_PG_DIR: dataDir, PORT: String(await freePort()) });
    base = service.baseUrl;

    const broker = embeddedBrokerUrl(service);
    device = await connectAsync(broker, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });
    // The device end of the set-point: the service publishes the value there as plain text.
    device.on('message', (topic, payload) => void sets.push({ topic, payload: payload.toString(), at: Date.now() }));
    await device.subscribeAsync(setTopic(WRITABLE), { qos: 1 });

    const create = 'mutation($i: CreatePvInput!) { createPv(input: $i) { name } }';
    await gql(create, {
      i: { name: MEASURED, displayName: 'Oven temperature', unit: '°C', thresholdMin: 10, thresholdMax: 90 },
    });
    await gql(create, { i: { name: WRITABLE, unit: '°C', writable: true, setMin: 0, setMax: 100 } });
    await gql(create, { i: { name: TEXT_PV, type: 'TEXT', writable: true } });
    // A value already stored: the chart's first paint comes from history.
    await device.publishAsync(valueTopic(MEASURED), JSON.stringify({ ts: Date.now() - 60_000, value: 20 }), { qos: 1 });
    await service.waitFor(
      async () =>
        (
          await service.graphql(
            'query($n: [String!]!) { latestPvValues(pvNames: $n) { value } }',
            { n: [MEASURED] },
            await service.login(),
          )
        ).data?.latestPvValues.length === 1,
      { timeoutMs: UI_TIMEOUT_MS, what: 'the first PV value to be stored' },
    );

    ({ browser, page } = await openPage(requested, pageErrors));
  }, 180_000);

  afterAll(() => tearDown({ device, browser, build, dataDir }), 60_000);

  it('logs in as admin and opens the experiment from the navigation, history in the chart', async () => {
    await signInAsAdmin(page, base);
    await page.getByRole('navigation', { name: 'Views' }).getByRole('link', { name: 'Experiments' }).click();
    await page.getByRole('heading', { level: 1, name: 'Experiments' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByRole('link', { name: EXPERIMENT, exact: true }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByTestId('link-state').filter({ hasText: 'Live' }).waitFor({ timeout: UI_TIMEOUT_MS });

    await pvPanel(MEASURED).getByTestId('pv-value').filter({ hasText: '20 °C' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const chart = pvPanel(MEASURED).locator('[data-points]');
    await waitFor(async () => (await points(chart)) >= 1, {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the stored value charted',
    });
    // A TEXT PV shows its text, with no chart; both writable PVs have the form.
    await expect(pvPanel(TEXT_PV).locator('figure.chart').count()).resolves.toBe(0);
    for (const pv of [WRITABLE, TEXT_PV])
      await expect(pvPanel(pv).getByRole('button', { name: 'Set' }).count()).resolves.toBe(1);
    await expect(pvPanel(MEASURED).getByRole('button', { name: 'Set' }).count()).resolves.toBe(0);
  });

  it("charts a value published over MQTT within 2 s, appended to the PV's chart", async () => {
    const chart = pvPanel(MEASURED).locator('[data-points]');
    const readout = pvPanel(MEASURED).getByTestId('pv-value');
    // The view's subscription is in place once a value published now arrives (no time bound on this one).
    await device.publishAsync(valueTopic(MEASURED), '21.5', { qos: 1 });
    await readout.filter({ hasText: '21.5 °C' }).waitFor({ timeout: UI_TIMEOUT_MS });
    const charted = () => pvPanel(MEASURED).getAttribute('data-charted');
    await waitFor(async () => (await charted()) === '21.5', { timeoutMs: UI_TIMEOUT_MS, what: 'the value charted' });
    const before = await points(chart);

    const published = Date.now();
    await device.publishAsync(valueTopic(MEASURED), JSON.stringify({ value: 42.25 }), { qos: 1 });
    await readout.filter({ hasText: '42.25 °C' }).waitFor({ timeout: UI_TIMEOUT_MS });
    // Its own bucket, or the bucket of 21.5 when both fell in the same one (the bucket's average).
    await waitFor(async () => ['42.25', '31.875'].includes((await charted()) ?? ''), {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the published value in the chart',
    });
    const valueToChart = Date.now() - published;
    process.stdout.write(`dashboard: PV value to chart in ${valueToChart} ms\n`);
    expect(valueToChart).toBeLessThan(LIVE_BOUND_MS);
    expect(await points(chart)).toBeGreaterThanOrEqual(before);
  });

  it('sets a writable PV through the form: the device receives the plain-text value; a refused value shows its code', async () => {
    const form = pvPanel(WRITABLE).getByRole('form', { name: `Set-point of ${WRITABLE}` });
    await form.getByLabel('Set-point (°C)').fill('55.5');
    await form.getByRole('button', { name: 'Set' }).click();
    await waitFor(() => sets.find((s) => s.topic === setTopic(WRITABLE)), {
      timeoutMs: UI_TIMEOUT_MS,
      what: `the value on ${setTopic(WRITABLE)}`,
    });
    expect(sets).toEqual([{ topic: setTopic(WRITABLE), payload: '55.5', at: expect.any(Number) }]);
    await form.getByRole('status').filter({ hasText: 'Set to 55.5' }).waitFor({ timeout: UI_TIMEOUT_MS });

    // Out of the set range: refused by the API, nothing published, the code shown in words too.
    await form.getByLabel('Set-point (°C)').fill('150');
    await form.getByRole('button', { name: 'Set' }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await alert.textContent()).toMatch(/Refused — BAD_USER_INPUT \(OUT_OF_RANGE\): .*must be at most 100/);
    await expect(form.getByLabel('Set-point (°C)').getAttribute('aria-invalid')).resolves.toBe('true');
    expect(sets).toHaveLength(1);
    await shoot('experiments');
    expect(await axeViolations(page)).toEqual([]);
  });

  it("lists, creates and deletes the user's threshold subscriptions, the band drawn on the chart", async () => {
    const section = page.locator('section.thresholds');
    await section.getByText("None on this experiment's PVs.").waitFor({ timeout: UI_TIMEOUT_MS });
    await section.getByLabel('PV').selectOption(MEASURED);
    await section.getByLabel('Min').fill('15');
    await section.getByLabel('Max').fill('40');
    await section.getByRole('button', { name: 'Subscribe' }).click();
    const row = section.locator(`tr[data-subscription="${MEASURED}"]`);
    await row.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await row.locator('td').allTextContents()).toEqual([
      MEASURED,
      '15 … 40',
      SERVICE_ADMIN_EMAIL,
      'Inside or unknown',
      expect.any(String),
      'Delete',
    ]);
    await pvPanel(MEASURED).getByText('Your max 40').waitFor({ timeout: UI_TIMEOUT_MS });
    const stored = await gql('{ myPvThresholdSubscriptions { items { pvName min max } } }', {});
    expect(stored.myPvThresholdSubscriptions.items).toEqual([{ pvName: MEASURED, min: 15, max: 40 }]);

    // A band the API refuses (max below min): its code, and nothing stored.
    await section.getByLabel('PV').selectOption(WRITABLE);
    await section.getByLabel('Min').fill('50');
    await section.getByLabel('Max').fill('5');
    await section.getByRole('button', { name: 'Subscribe' }).click();
    const refused = section.getByRole('alert').filter({ hasText: 'BAD_USER_INPUT' });
    await refused.waitFor({ timeout: UI_TIMEOUT_MS });
    // The field and its problem, from extensions.fields.
    expect(await refused.textContent()).toMatch(/ — max \S/);
    await shoot('experiments-thresholds');
    expect(await axeViolations(page)).toEqual([]);

    await row.getByRole('button', { name: `Delete the subscription on ${MEASURED}` }).click();
    await row.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    await section
      .getByRole('status')
      .filter({ hasText: `Unsubscribed from ${MEASURED}` })
      .waitFor();
    const left = await gql('{ myPvThresholdSubscriptions { items { pvName } } }', {});
    expect(left.myPvThresholdSubscriptions.items).toEqual([]);
  });

  it('is usable from the keyboard and fits a tablet width without scrolling sideways', async () => {
    const input = pvPanel(WRITABLE).getByLabel('Set-point (°C)');
    await input.focus();
    await input.fill('');
    await page.keyboard.type('12');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).resolves.toBe('Set');
    await page.keyboard.press('Enter');
    await waitFor(() => sets.find((s) => s.payload === '12'), {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the set from the keyboard',
    });

    await page.setViewportSize({ width: 820, height: 1180 });
    await pvPanel(MEASURED).locator('figure.chart').waitFor();
    await shoot('experiments-tablet');
    expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      820,
    );
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('shows a user with experiments:read alone their experiment without the set-point form', async () => {
    const token = await service.login();
    await gql('mutation($i: CreateRoleInput!) { createRole(input: $i) { name } }', {
      i: { name: 'lab-viewer', permissions: ['experiments:read'] },
    });
    const viewer = { email: 'lab-viewer@plantgraph.test', password: 'lab-viewer-password-1' };
    const created = await service.graphql(
      'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
      { i: { ...viewer, displayName: 'Lab viewer', roles: ['lab-viewer'] } },
      token,
    );
    expect(created.errors).toBeUndefined();
    await gql(
      'mutation($e: String!, $u: String!) { assignUserToExperiment(experimentName: $e, userId: $u) { name } }',
      {
        e: EXPERIMENT,
        u: created.data!.createUser.id,
      },
    );

    const other = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      const viewerPage = await other.newPage();
      viewerPage.on('pageerror', (error) => void pageErrors.push(String(error)));
      await viewerPage.goto(`${base}/`);
      await viewerPage.getByLabel('E-mail').fill(viewer.email);
      await viewerPage.getByLabel('Password').fill(viewer.password);
      await viewerPage.getByRole('button', { name: 'Sign in' }).click();
      const panel = viewerPage.locator(`section.pv[data-pv="${WRITABLE}"]`);
      await panel.waitFor({ timeout: UI_TIMEOUT_MS });
      const nav = viewerPage.getByRole('navigation', { name: 'Views' });
      expect(await nav.getByRole('link').allTextContents()).toEqual(['Experiments']);
      await panel.getByText('Setting values needs the experiments:operate permission.').waitFor();
      expect(await panel.getByRole('button', { name: 'Set' }).count()).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('sent no request beyond this machine and raised no page error', () => {
    const external = requested.filter((url) => !['127.0.0.1', 'localhost'].includes(new URL(url).hostname));
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
