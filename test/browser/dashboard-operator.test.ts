/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDLE_POLL_MS } from '../../web/src/poll';
import { launchBrowser } from '../support/browser';
import { expectNothingBad, openTab, SHOWS_MS, signIn as signInAt, textIn, waitForText } from '../support/dashboard-tabs';
import { startReceiver, waitFor } from '../support/hook-receiver';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * The dashboard as an operator meets it when things went wrong: a failed release, a rollback that must be
 * forced, an app nobody checks, a hook whose receiver fails, an app that does not exist; and every view on a
 * phone and a desktop, light and dark. Screenshots land in test/screenshots/ (ignored by git).
 */
const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

type Release = { id: string; version: number; status: string; slug: { id: string }; trigger: string; rollout: { message: string | null } | null };

let slipway: TestSlipway;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let operator: string;
let developer: string;

const settled = async (app: string, id: string) => {
  await slipway.rollouts?.stepFunctions.finished(id);
  return (await slipway.call<Release>('GET', `/apps/${app}/releases/${id}`)).body;
};

const deploy = async (app: string, image: string) => {
  const build = await slipway.call<{ id: string }>('POST', `/apps/${app}/builds`, { body: { image, sha: 'abcdef1' } });
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug: build.body.id, description: `Deploy ${image}` } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return settled(app, created.body.id);
};

beforeAll(async () => {
  slipway = await startTestSlipway({
    rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5 } },
    hooks: { retry: { baseDelayMs: 40, maxDelayMs: 200 } },
  });
  ({ browser, close: closeBrowser } = await launchBrowser());
  mkdirSync(SCREENSHOTS, { recursive: true });
  // The receiver takes every event but a failed release's, which it answers 500 (and Slipway retries).
  receiver = await startReceiver((request) => ({ status: request.body.includes('"type":"release.failed"') ? 500 : 200 }));

  await seedApp(slipway, 'shop', 0);
  expect((await slipway.call('POST', '/apps/shop/hooks', { body: { url: `${receiver.url}/slipway` } })).status).toBe(201);
  expect((await deploy('shop', 'registry.local/shop:v1')).status).toBe('succeeded');
  expect((await deploy('shop', 'registry.local/shop:v2-unhealthy')).status).toBe('failed');
  expect((await deploy('shop', 'registry.local/shop:v3')).status).toBe('succeeded');

  await seedApp(slipway, 'quiet', 0);
  await seedApp(slipway, 'shop-prod', 0);
  await slipway.call('POST', '/pipelines', { body: { name: 'line', description: 'The shop, from development to production' } });
  for (const [app, stage] of [
    ['shop', 'development'],
    ['shop-prod', 'production'],
  ]) {
    expect((await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'line', app, stage, required_status_checks: { contexts: [] } } })).status).toBe(201);
  }
  operator = await slipway.keyFor('operator', ['shop', 'quiet', 'shop-prod']);
  developer = await slipway.keyFor('developer', ['shop']);
});

afterAll(async () => {
  await closeBrowser?.();
  await receiver?.close();
  await slipway?.close();
});

const signIn = (page: Page, key: string, hash: string) => signInAt(page, slipway.url, key, hash);
const screenshot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
const buttonsOf = (page: Page, version: number) =>
  page.$$eval(`li[data-version="${version}"] .actions button`, (buttons) => buttons.map((button) => button.textContent ?? ''));

describe('rolling back', () => {
  it('is offered only to an earlier release that succeeded; a failed one says why it failed and is forced only through its own confirmation', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, operator, '#/apps/shop');
    await page.waitForSelector('li[data-version="2"] .reason');
    const v2 = (await slipway.call<Release>('GET', '/apps/shop/releases/2')).body;
    expect(v2.rollout?.message).toBeTruthy();
    expect(await textIn(page, 'li[data-version="2"] .reason')).toBe(`Failed: ${v2.rollout?.message}`);
    expect(await page.$('li[data-version="1"] .reason')).toBeNull();
    expect(await buttonsOf(page, 3)).toEqual(['Show checks of v3']);
    expect(await buttonsOf(page, 2)).toEqual(['Show checks of v2', 'Force a rollback to v2…']);
    expect(await buttonsOf(page, 1)).toEqual(['Show checks of v1', 'Roll back to v1']);

    const force = async () => {
      const button = await page.waitForSelector('xpath/.//li[@data-version="2"]//button[normalize-space()="Force a rollback to v2…"]');
      await button?.click();
      await page.waitForSelector('dialog[open]');
    };
    await force();
    expect(await textIn(page, 'dialog[open]')).toContain(`v2 never succeeded (failed): ${v2.rollout?.message}`);
    expect(await page.$eval('dialog[open] button.primary', (button) => (button as HTMLButtonElement).disabled)).toBe(true);
    await screenshot(page, 'app-force-rollback-confirm');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { hidden: true });
    expect((await slipway.call<Release[]>('GET', '/apps/shop/releases?limit=100')).body).toHaveLength(3);

    await force();
    await page.click('dialog[open] .understood input');
    expect(await page.$eval('dialog[open] button.primary', (button) => (button as HTMLButtonElement).disabled)).toBe(false);
    await page.click('dialog[open] button.primary');
    await waitForText(page, "Rolling back: v4 releases v2's build.");
    const v4 = (await slipway.call<Release>('GET', '/apps/shop/releases/4')).body;
    expect(v4).toMatchObject({ trigger: 'rollback', slug: v2.slug });
    // v4 runs v2's unhealthy build again, and fails as it did; v3 stays current.
    expect((await settled('shop', v4.id)).status).toBe('failed');
    await page.waitForSelector('li[data-version="4"] .reason', { timeout: SHOWS_MS });
    await expectNothingBad(tab);
    await page.close();
  });

  it("shows a failed release on its own page with its reason, its checks and the forced rollback, and a developer neither button", async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, operator, '#/apps/shop/releases/2');
    await page.waitForSelector('li[data-version="2"] .reason');
    await waitForText(page, 'No status checks reported.');
    expect(await buttonsOf(page, 2)).toEqual(['Hide checks of v2', 'Force a rollback to v2…']);
    await screenshot(page, 'release-failed');

    const seen = await openTab(browser);
    await signIn(seen.page, developer, '#/apps/shop');
    await seen.page.waitForSelector('li[data-version="2"] .reason');
    expect(await textIn(seen.page, 'main')).not.toMatch(/Roll back|Force a rollback/);
    await expectNothingBad(tab);
    await expectNothingBad(seen);
    await page.close();
    await seen.page.close();
  });
});

describe('what the dashboard says', () => {
  it("of an app that does not exist: that no app matches, not that it is still loading", async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    for (const hash of ['#/apps/nowhere', '#/apps/nowhere/hooks', '#/apps/nowhere/releases/1']) {
      if (hash === '#/apps/nowhere') await signIn(page, operator, hash);
      else await page.evaluate((to: string) => (location.hash = to), hash);
      await waitForText(page, "No app matches 'nowhere'.");
      expect(await textIn(page, 'main'), hash).not.toContain('Loading');
    }
    // And still not after the next poll, which is refused alike.
    await page.waitForResponse((response) => response.url().includes('/apps/nowhere'), { timeout: IDLE_POLL_MS * 3 });
    expect(await textIn(page, 'main')).not.toContain('Loading');
    await expectNothingBad(tab);
    await page.close();
  });

  it('of a release nobody checked: no checks, never a pending badge; of checks posted, their state', async () => {
    const v1 = (await slipway.call<Release>('GET', '/apps/shop/releases/1')).body;
    await slipway.call('POST', `/apps/shop/releases/${v1.id}/statuses`, { body: { context: 'ci/unit', name: 'Unit tests', state: 'success' } });
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, operator, '#/apps');
    await page.waitForSelector('tr[data-app="shop"]');
    expect(await textIn(page, 'tr[data-app="shop"] td[data-label="Checks"]')).toBe('no checks');
    expect(await page.$('.badge-pending')).toBeNull();
    await page.evaluate(() => (location.hash = '#/apps/shop'));
    await page.waitForSelector('li[data-version="1"] .release-head .badge-success');
    expect(await page.$$eval('.release-head .checks-none', (quiet) => quiet.length)).toBeGreaterThanOrEqual(3);
    expect(await page.$('.badge-pending')).toBeNull();
    await page.evaluate(() => (location.hash = '#/pipelines/line'));
    await page.waitForSelector('li[data-app="shop"]');
    expect(await textIn(page, 'li[data-app="shop"]')).toContain('checks no checks');
    expect(await page.$('.badge-pending')).toBeNull();
    await expectNothingBad(tab);
    await page.close();
  });

  it('of an app with no deployment: no band for its deployment frequency, and days named by the date they start at midnight UTC', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, operator, '#/metrics/apps/quiet');
    await page.waitForSelector('dl.keys [data-key="deployment_frequency"]');
    expect(await textIn(page, 'dl.keys [data-key="deployment_frequency"] dd')).toContain('no band: nothing to measure');
    expect(await page.$('dl.keys .badge-low')).toBeNull();
    const days = await page.$$eval('table.series tbody th', (cells) => cells.map((cell) => cell.textContent ?? ''));
    const today = new Date().toISOString().slice(0, 10);
    expect(days[0]).toBe(today);
    expect(days).toHaveLength(30);
    expect(days.every((day) => /^\d{4}-\d\d-\d\d$/.test(day))).toBe(true);
    await expectNothingBad(tab);
    await page.close();
  });
});

describe("the dashboard's script", () => {
  it('is one module and the chunk it shares, preloaded; the charts come in a chunk of their own when the metrics view opens', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });
    await signIn(page, operator, '#/apps');
    await page.waitForSelector('tr[data-app="shop"]');
    const html = await (await fetch(`${slipway.url}/`)).text();
    const preloaded = [...html.matchAll(/rel="modulepreload" href="([^"]+)"/g)].map((found) => found[1]);
    expect(preloaded.length).toBeGreaterThan(0);
    const atStart = [...new Set(scripts)].sort();
    expect(atStart).toEqual([/src="([^"]+)"/.exec(html)?.[1], ...preloaded].sort());
    const sizes = await Promise.all(atStart.map(async (path) => (await (await fetch(`${slipway.url}${path}`)).text()).length));
    // Well under the 90 KB the page once loaded at start, uPlot included.
    expect(sizes.reduce((total, size) => total + size, 0)).toBeLessThan(50_000);

    await page.focus('a[href="#/metrics"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.key-chart canvas').length === 4, { timeout: SHOWS_MS });
    expect([...new Set(scripts)].filter((path) => !atStart.includes(path))).toHaveLength(1);
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('the Hooks view', () => {
  type Delivery = { id: string; event: { type: string }; status_code: number | null };

  it("lists the app's hooks with their last deliveries and status codes, and lets an operator redeliver one", async () => {
    const [hook] = (await slipway.call<{ id: string }[]>('GET', '/apps/shop/hooks')).body;
    const deliveries = await waitFor(
      async () => (await slipway.call<Delivery[]>('GET', `/apps/shop/hooks/${hook?.id}/deliveries?limit=5`)).body,
      (found) => found.some((delivery) => delivery.status_code === 200) && found.every((delivery) => delivery.status_code !== null),
    );
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, operator, '#/apps/shop');
    await page.focus('a[href="#/apps/shop/hooks"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector(`li[data-hook="${hook?.id}"] tr[data-delivery]`);
    expect(await textIn(page, `li[data-hook="${hook?.id}"] h2`)).toBe(`${receiver.url}/slipway`);
    const rows = await page.$$eval('tr[data-delivery]', (found) =>
      found.map((row) => [row.getAttribute('data-delivery'), row.querySelector('.status-code')?.textContent]),
    );
    expect(rows).toEqual(deliveries.map((delivery) => [delivery.id, String(delivery.status_code)]));
    await screenshot(page, 'hooks');

    const succeeded = deliveries.find((delivery) => delivery.status_code === 200);
    const sent = () => receiver.received.filter((request) => request.headers['webhook-id'] === succeeded?.id).length;
    const before = sent();
    await page.click(`tr[data-delivery="${succeeded?.id}"] button`);
    await waitForText(page, `Redelivered ${succeeded?.event.type}: 200.`);
    expect(sent()).toBe(before + 1);
    await expectNothingBad(tab);
    await page.close();
  });

  it('shows a developer the hooks without the whole URL and without redelivery, as the API allows', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, developer, '#/apps/shop/hooks');
    await page.waitForSelector('tr[data-delivery]');
    expect(await textIn(page, 'li[data-hook] h2')).toBe(`${receiver.url}/…`);
    expect(await page.$('tr[data-delivery] button')).toBeNull();
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('on a phone and on a desktop, light and dark', () => {
  /** Each view, and what shows that it has loaded. */
  const VIEWS = [
    ['apps', '#/apps', 'tr[data-app="shop"]'],
    ['app', '#/apps/shop', 'li[data-version="3"] .commit'],
    ['release', '#/apps/shop/releases/2', 'li[data-version="2"] .reason'],
    ['hooks', '#/apps/shop/hooks', 'tr[data-delivery]'],
    ['pipelines', '#/pipelines', '.cards a'],
    ['pipeline', '#/pipelines/line', 'section[data-stage="production"] li[data-app="shop-prod"]'],
    ['metrics', '#/metrics/apps/shop', 'table.series tbody tr'],
  ] as const;
  const SCREENS = [
    ['phone', { width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 2 }],
    ['desktop', { width: 1280, height: 860 }],
  ] as const;

  it.each(SCREENS)('fits every view in the width of the %s screen, in both colour schemes', async (screen, viewport) => {
    const widths: Record<string, number> = {};
    for (const scheme of ['light', 'dark'] as const) {
      const tab = await openTab(browser);
      const { page } = tab;
      await page.setViewport(viewport);
      await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: scheme }]);
      await page.goto(`${slipway.url}/`);
      await page.waitForSelector('#api-key');
      widths[`sign-in ${scheme}`] = await page.evaluate(() => document.documentElement.scrollWidth);
      await screenshot(page, `sign-in-${screen}-${scheme}`);
      await signIn(page, operator, '#/apps');
      for (const [name, hash, ready] of VIEWS) {
        await page.evaluate((to: string) => (location.hash = to), hash);
        await page.waitForSelector(ready, { timeout: SHOWS_MS });
        if (name === 'metrics') await page.waitForFunction(() => document.querySelectorAll('.key-chart canvas').length === 4);
        widths[`${name} ${scheme}`] = await page.evaluate(() => document.documentElement.scrollWidth);
        await screenshot(page, `${name}-${screen}-${scheme}`);
      }
      await expectNothingBad(tab);
      await page.close();
    }
    expect(Object.entries(widths).filter(([, width]) => width > viewport.width)).toEqual([]);
  });
});
