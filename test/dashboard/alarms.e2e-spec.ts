import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { ServiceBuild, type ServiceProcess } from '../harness/service-process.js';
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
 * The dashboard's alarms in Chromium against the service started like `npm start` (embedded
 * PostgreSQL and broker, the page built by Vite and served at `/`). The alarms come from
 * outside, as in the plant: a device publishes a PV value outside the band of a threshold
 * subscription, and the PV alarm source raises PV_OUT_OF_BAND. The header badge counts it, the
 * alarms view lists it, acknowledges and shelves it. Screenshots go to test/artifacts/dashboard
 * (git-ignored).
 */
const EXPERIMENT = 'ALM';
/** Raised first, with no time bound: once the badge shows it, its subscription is surely in place. */
const WARMUP = `${EXPERIMENT}:Kiln:Temperature`;
const MEASURED = `${EXPERIMENT}:Oven:Temperature`;
const TYPE = 'PV_OUT_OF_BAND';
/** PROTOCOLS.md A: values come in on plant/pv/{name with ':' → '/'}. */
const valueTopic = (pv: string) => `plant/pv/${pv.replace(/:/g, '/')}`;

describe('the dashboard: alarms', () => {
  let build: ServiceBuild;
  let service: ServiceProcess;
  let dataDir: string;
  let browser: Browser;
  let page: Page;
  let device: MqttClient;
  let base: string;
  let alarmId: string;
  const requested: string[] = [];
  const pageErrors: string[] = [];

  const badge = () => page.getByTestId('alarm-badge');
  const badgeCount = async (attribute: 'data-open' | 'data-unacknowledged') =>
    Number((await badge().getAttribute(attribute)) ?? Number.NaN);
  const row = () => page.locator(`tr[data-alarm="${alarmId}"]`);
  const shoot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const gql = async (query: string, variables: Record<string, unknown> = {}) => {
    const answer = await service.graphql(query, variables, await service.login());
    expect(answer.errors).toBeUndefined();
    return answer.data!;
  };
  const publish = (pv: string, value: number) =>
    device.publishAsync(valueTopic(pv), JSON.stringify({ ts: Date.now(), value }), { qos: 1 });
  const alarmOf = async (pv: string) => {
    const { alarms } = await gql(
      'query($f: AlarmListFilterInput) { alarms(filter: $f) { items { id state source { name } } } }',
      { f: { sourceKinds: ['PV'], types: [TYPE] } },
    );
    return (alarms.items as Array<{ id: string; state: string; source: { name: string } }>).find(
      (a) => a.source.name === pv,
    );
  };

  beforeAll(async () => {
    build = await buildServiceWithDashboard();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'plantgraph-dashboard-alarms-'));
    service = await build.start({ EMBEDDED_PG_DIR: dataDir, PORT: String(await freePort()) });
    base = service.baseUrl;

    const broker = embeddedBrokerUrl(service);
    device = await connectAsync(broker, { protocolVersion: 4, clean: true, reconnectPeriod: 0 });

    await gql('mutation($i: CreateExperimentInput!) { createExperiment(input: $i) { name } }', {
      i: { name: EXPERIMENT },
    });
    for (const pv of [WARMUP, MEASURED]) {
      await gql('mutation($i: CreatePvInput!) { createPv(input: $i) { name } }', {
        i: { name: pv, unit: '°C', thresholdMin: 10, thresholdMax: 90 },
      });
      // The PV's band is a threshold subscription's (PV_OUT_OF_BAND follows its episodes).
      await gql('mutation($n: String!) { subscribePvThreshold(pvName: $n) { id } }', { n: pv });
      await publish(pv, 50);
    }

    ({ browser, page } = await openPage(requested, pageErrors));
  }, 180_000);

  afterAll(() => tearDown({ device, browser, build, dataDir }), 60_000);

  it('logs in as admin: the header badge counts an alarm a device raises within 2 s, on any view', async () => {
    await signInAsAdmin(page, base);
    await page.getByTestId('link-state').filter({ hasText: 'Live' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('[data-testid="alarm-badge"][data-open]').waitFor({ timeout: UI_TIMEOUT_MS });
    // The page opened on another view (the overview): the badge is in the header of every view.
    expect(page.url()).not.toContain('#/alarms');

    let open = await badgeCount('data-open');
    await publish(WARMUP, 95);
    await waitFor(async () => (await badgeCount('data-open')) === open + 1, {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the badge to count the warm-up alarm',
    });

    open = await badgeCount('data-open');
    const published = Date.now();
    await publish(MEASURED, 95.5);
    await waitFor(async () => (await badgeCount('data-open')) >= open + 1, {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the badge to count the new alarm',
    });
    const publishToBadge = Date.now() - published;
    process.stdout.write(`dashboard: device publish to alarm badge in ${publishToBadge} ms\n`);
    expect(publishToBadge).toBeLessThan(LIVE_BOUND_MS);

    alarmId = (await alarmOf(MEASURED))!.id;
    const { alarmSummary } = await gql('{ alarmSummary { open } }');
    expect(await badgeCount('data-open')).toBe(alarmSummary.open);
    // In words (the severity named), not by colour alone.
    expect(await badge().textContent()).toMatch(/Alarms: \d+ open · , \d+ unacknowledged · , \d+ minor$/);
  });

  it('opens the alarms view from the badge: the alarm in words, its state and severity', async () => {
    await badge().click();
    await page.getByRole('heading', { level: 1, name: 'Alarms' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await row().waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await badge().getAttribute('aria-current')).toBe('page');
    const cells = await row().locator('td').allTextContents();
    expect(cells.slice(0, 7)).toEqual([
      '● Active, unacknowledged',
      '◆ Minor',
      `PV ${MEASURED} (${EXPERIMENT})`,
      TYPE,
      expect.stringContaining(MEASURED),
      '1',
      '95.5',
    ]);
    expect(cells[10]).toBe('–');
    await expect(page.locator(`tr[data-alarm="${(await alarmOf(WARMUP))!.id}"]`).count()).resolves.toBe(1);
  });

  it('acknowledges the alarm with a note from the keyboard: the row and the badge change', async () => {
    const unacknowledged = await badgeCount('data-unacknowledged');
    await row()
      .getByRole('button', { name: `Acknowledge ${TYPE} on ${MEASURED}` })
      .click();
    const form = page.getByRole('form', { name: `Acknowledge alarm ${alarmId}` });
    const note = form.getByLabel('Note (optional)');
    await note.waitFor();
    // The form takes the focus: type the note and press Enter.
    await waitFor(async () => await note.evaluate((el) => el === (globalThis as any).document.activeElement), {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the note field to take the focus',
    });
    await page.keyboard.type('Oven door was open');
    await page.keyboard.press('Enter');

    await page
      .locator(`tr[data-alarm="${alarmId}"][data-state="ACTIVE_ACKNOWLEDGED"]`)
      .waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await row().locator('td').first().textContent()).toBe('◉ Active, acknowledged');
    await expect(
      row()
        .getByRole('button', { name: /^Acknowledge/ })
        .count(),
    ).resolves.toBe(0);
    await waitFor(async () => (await badgeCount('data-unacknowledged')) === unacknowledged - 1, {
      timeoutMs: UI_TIMEOUT_MS,
      what: 'the badge to count one unacknowledged alarm fewer',
    });
    await page
      .getByTestId('alarm-notice')
      .filter({ hasText: `Alarm ${alarmId}` })
      .waitFor();
    expect(await page.getByTestId('alarm-notice').textContent()).toContain('acknowledged');

    // The row's history, on demand: the acknowledgement with its note, by whom.
    await row()
      .getByRole('button', { name: `History of ${TYPE} on ${MEASURED}` })
      .click();
    const history = page.getByRole('region', { name: `History of alarm ${alarmId}: ${TYPE} on ${MEASURED}` });
    const acknowledged = history.locator('tr[data-transition="ACKNOWLEDGED"]');
    await acknowledged.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await acknowledged.locator('td').allTextContents()).toEqual([
      expect.any(String),
      'Acknowledged',
      expect.any(String),
      'Oven door was open',
      '◉ Active, acknowledged',
      '◆ Minor',
    ]);
    await expect(history.locator('tr[data-transition="RAISED"]').count()).resolves.toBe(1);
    await shoot('alarms');
    expect(await axeViolations(page)).toEqual([]);
  });

  it('shelves the alarm with a note; a shelf the API refuses shows its code and field', async () => {
    await row()
      .getByRole('button', { name: `Shelve ${TYPE} on ${MEASURED}` })
      .click();
    const form = page.getByRole('form', { name: `Shelve alarm ${alarmId}` });
    const until = form.getByLabel('Shelved until');
    const local = (ms: number) => {
      const d = new Date(ms);
      return new Date(ms - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
    };
    // 40 days ahead: BAD_USER_INPUT naming `until`, shown in words with an icon; nothing shelved.
    await until.fill(local(Date.now() + 40 * 86_400_000));
    await form.getByLabel('Why (required)').fill('Sensor being recalibrated');
    await form.getByRole('button', { name: 'Shelve', exact: true }).click();
    const alert = form.getByRole('alert');
    await alert.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await alert.textContent()).toMatch(/Refused — BAD_USER_INPUT\b.*until must be at most 30 days ahead/);
    await expect(until.getAttribute('aria-invalid')).resolves.toBe('true');
    await shoot('alarms-shelve-refused');
    expect(await axeViolations(page)).toEqual([]);

    const shelfEnd = Date.now() + 2 * 3_600_000;
    await until.fill(local(shelfEnd));
    await form.getByRole('button', { name: 'Shelve', exact: true }).click();
    const shelf = row().getByTestId('alarm-shelf');
    await shelf.filter({ hasText: 'Sensor being recalibrated' }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('[data-testid="alarm-badge"][data-suppressed="1"]').waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await badge().textContent()).toContain(', 1 shelved');
    const { alarm } = await gql('query($id: ID!) { alarm(id: $id) { suppression shelvedUntil shelveNote } }', {
      id: alarmId,
    });
    expect(alarm).toEqual({
      suppression: 'SHELVED',
      shelvedUntil: expect.any(String),
      shelveNote: 'Sensor being recalibrated',
    });
    // The minute the form was given (datetime-local has no seconds).
    expect(Math.abs(Date.parse(alarm.shelvedUntil) - shelfEnd)).toBeLessThan(60_000);
    await shoot('alarms-shelved');

    await row()
      .getByRole('button', { name: `Un-shelve ${TYPE} on ${MEASURED}` })
      .click();
    await shelf.filter({ hasText: /^–$/ }).waitFor({ timeout: UI_TIMEOUT_MS });
    await page.locator('[data-testid="alarm-badge"][data-suppressed="0"]').waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it('filters by state and severity, and follows live changes within the filter', async () => {
    const warmupId = (await alarmOf(WARMUP))!.id;
    await page.getByLabel('State', { exact: true }).selectOption('ACTIVE_UNACKNOWLEDGED');
    await row().waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    const warmup = page.locator(`tr[data-alarm="${warmupId}"]`);
    await warmup.waitFor({ timeout: UI_TIMEOUT_MS });
    // The condition ends: RETURNED_UNACKNOWLEDGED leaves an "active, unacknowledged" list live.
    await publish(WARMUP, 50);
    await warmup.waitFor({ state: 'detached', timeout: UI_TIMEOUT_MS });
    await page.getByLabel('State', { exact: true }).selectOption('RETURNED_UNACKNOWLEDGED');
    await page.locator(`tr[data-alarm="${warmupId}"][data-state="RETURNED_UNACKNOWLEDGED"]`).waitFor({
      timeout: UI_TIMEOUT_MS,
    });
    await page.getByLabel('Severity', { exact: true }).selectOption('CRITICAL');
    await page.getByText('No open alarm matches.').waitFor({ timeout: UI_TIMEOUT_MS });
    await page.getByLabel('State', { exact: true }).selectOption('');
    await page.getByLabel('Severity', { exact: true }).selectOption('');
    await row().waitFor({ timeout: UI_TIMEOUT_MS });
  });

  it('fits 1280×720 and a tablet width without scrolling sideways, every action in view', async () => {
    const list = page.locator('.alarms .table-scroll');
    const hidden = () => list.evaluate((el) => el.scrollWidth - el.clientWidth);
    // Polled: the page may be laying out a live update, or the switch to cards, as it is measured.
    const settles = (what: string, fits: () => Promise<boolean>) => waitFor(fits, { timeoutMs: UI_TIMEOUT_MS, what });
    await settles('the list to fit 1280 px', async () => (await hidden()) <= 0);
    await page.setViewportSize({ width: 820, height: 1180 });
    await row().waitFor();
    await settles(
      'the page to fit 820 px',
      async () => (await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)) <= 820,
    );
    // A card per alarm: nothing is off to the side of the list either.
    await settles('the cards to fit 820 px', async () => (await hidden()) <= 0);
    const history = row().getByRole('button', { name: /^History/ });
    await settles('the History button to be in view', async () => {
      const box = await history.boundingBox();
      return !!box && box.x + box.width <= 820;
    });
    await shoot('alarms-tablet');
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 1280, height: 720 });
  });

  it('shows a user with alarms:read alone the badge and the list, without acknowledge or shelve', async () => {
    await gql('mutation($i: CreateRoleInput!) { createRole(input: $i) { name } }', {
      i: { name: 'alarm-viewer', permissions: ['alarms:read'] },
    });
    const viewer = { email: 'alarm-viewer@plantgraph.test', password: 'alarm-viewer-password-1' };
    await gql('mutation($i: CreateUserInput!) { createUser(input: $i) { id } }', {
      i: { ...viewer, displayName: 'Alarm viewer', roles: ['alarm-viewer'] },
    });

    const other = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      const viewerPage = await other.newPage();
      viewerPage.on('pageerror', (error) => void pageErrors.push(String(error)));
      await viewerPage.goto(`${base}/`);
      await viewerPage.getByLabel('E-mail').fill(viewer.email);
      await viewerPage.getByLabel('Password').fill(viewer.password);
      await viewerPage.getByRole('button', { name: 'Sign in' }).click();
      // Alarms are the only view this user may see: it opens on them.
      const viewerRow = viewerPage.locator(`tr[data-alarm="${alarmId}"]`);
      await viewerRow.waitFor({ timeout: UI_TIMEOUT_MS });
      await viewerPage.locator('[data-testid="alarm-badge"][data-open]').waitFor();
      await viewerPage.getByText('Acknowledging and shelving need the alarms:operate permission.').waitFor();
      await expect(viewerRow.getByRole('button', { name: /^(Acknowledge|Shelve|Un-shelve)/ }).count()).resolves.toBe(0);
      await expect(viewerRow.getByRole('button', { name: /^History/ }).count()).resolves.toBe(1);
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
