/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../support/browser';
import { expectNothingBad, openTab, SHOWS_MS, signIn, textIn, waitForText } from '../support/dashboard-tabs';
import { rolloutsOf, startSlipwayWithEcs, type SlipwayWithEcs } from '../support/local-slipway';
import { until } from '../support/until';

/**
 * The app view of a release rolling out as a gated canary, in a real headless Chromium against a local Slipway
 * whose ECS simulator counts a minute as 300 ms: the traffic split, the phase, the gate, and the operator's buttons.
 */
const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));

type Release = { id: string; version: number; status: string; rollout: { phase: string | null; approved_by: { actor: string } | null } | null };

let slipway: SlipwayWithEcs;
let browser: Browser;
let closeBrowser: () => Promise<void>;
let gated: Release;

const releaseOf = async (app: string, image: string) => {
  const build = await slipway.call<{ id: string }>('POST', `/apps/${app}/builds`, { body: { image } });
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body: { slug: build.body.id } });
  expect(created.status).toBe(201);
  return created.body;
};

beforeAll(async () => {
  slipway = await startSlipwayWithEcs({ minuteMs: 300 });
  ({ browser, close: closeBrowser } = await launchBrowser());
  mkdirSync(SCREENSHOTS, { recursive: true });
  expect((await slipway.call('POST', '/apps', { body: { name: 'shop', cluster: 'local', service: 'shop' } })).status).toBe(201);
  await rolloutsOf(slipway).stepFunctions.finished((await releaseOf('shop', 'registry.local/shop:v1')).id);
  const deployment = { strategy: 'canary', canary_percent: 10, canary_bake_minutes: 1, gate: { approval: true, timeout_minutes: 600 } };
  expect((await slipway.call('PATCH', '/apps/shop', { body: { deployment } })).status).toBe(200);
  gated = await releaseOf('shop', 'registry.local/shop:v2');
  await until('v2 at its gate', async () => {
    const release = (await slipway.call<Release>('GET', `/apps/shop/releases/${gated.id}`)).body;
    return release.rollout?.phase === 'awaiting_approval' ? release : undefined;
  });
});

afterAll(async () => {
  await closeBrowser?.();
  await slipway?.close();
});

describe('a gated canary in the app view', () => {
  it('shows a developer the 90/10 split and what the gate waits for, and no buttons', async () => {
    const tab = await openTab(browser);
    await signIn(tab.page, slipway.url, await slipway.keyFor('developer', ['shop']), '#/apps/shop');
    await waitForText(tab.page, 'waiting for approval');
    const panel = await textIn(tab.page, 'section.traffic');
    expect(panel).toContain('Rolling out v2: canary');
    expect(panel).toMatch(/v1 90%\s+v2 10%/);
    expect(panel).toMatch(/Phase: at the gate\n/);
    expect(panel).toMatch(/Gate: waiting for approval until [^,\n]+, then it rolls back/);
    expect(await tab.page.$eval('section.traffic [role=img]', (bar) => bar.getAttribute('aria-label'))).toBe('Production traffic: v1 90%, v2 10%');
    expect(await tab.page.$$('section.traffic button')).toHaveLength(0);
    await expectNothingBad(tab);
    await tab.page.close();
  });

  it('lets an operator approve after a confirmation naming the version, and the release completes', async () => {
    const tab = await openTab(browser);
    const { page } = tab;
    await signIn(page, slipway.url, await slipway.keyFor('operator', ['shop']), '#/apps/shop');
    await waitForText(page, 'waiting for approval');
    const buttons = await page.$$eval('section.traffic button', (all) => all.map((button) => button.textContent));
    expect(buttons).toEqual(['Approve v2', 'Promote v2', 'Abort v2']);
    await page.screenshot({ path: `${SCREENSHOTS}app-canary-gate.png`, fullPage: true });
    await page.setViewport({ width: 390, height: 844 });
    expect(await page.$eval('section.traffic', (panel) => panel.scrollWidth <= panel.clientWidth)).toBe(true);
    await page.screenshot({ path: `${SCREENSHOTS}app-canary-gate-390.png`, fullPage: true });
    await page.setViewport({ width: 1280, height: 860 });

    const [, , abort] = await page.$$('section.traffic button');
    await abort?.click();
    await page.waitForSelector('dialog[open]');
    expect(await textIn(page, 'dialog[open] h2')).toBe('Abort v2 of shop?');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { hidden: true });

    const [approve] = await page.$$('section.traffic button');
    await approve?.click();
    await page.waitForSelector('dialog[open]');
    expect(await textIn(page, 'dialog[open] h2')).toBe('Approve v2 of shop?');
    await page.screenshot({ path: `${SCREENSHOTS}app-canary-approve-confirm.png`, fullPage: true });
    await page.click('dialog[open] button.primary');
    await waitForText(page, 'v2 of shop approved');
    await waitForText(page, 'Current release: v2', SHOWS_MS);
    await page.waitForSelector('section.traffic', { hidden: true, timeout: SHOWS_MS });

    const release = (await slipway.call<Release>('GET', `/apps/shop/releases/${gated.id}`)).body;
    expect(release).toMatchObject({ status: 'succeeded', rollout: { phase: 'completed', approved_by: { actor: expect.any(String) } } });
    await expectNothingBad(tab);
    await page.close();
  });
});
