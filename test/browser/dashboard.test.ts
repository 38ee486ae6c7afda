/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedReleases } from '../../bench/deep-history';
import { advanceCurrentRelease } from '../../shared/store/apps-store';
import { getStore } from '../../shared/store/client';
import { IDLE_POLL_MS } from '../../web/src/poll';
import { launchBrowser } from '../support/browser';
import { expectNothingBad, openTab as openTabIn, SHOWS_MS, signIn as signInAt, textIn, waitForText } from '../support/dashboard-tabs';
import { seedApp, startTestSlipway, type TestSlipway } from '../support/local-slipway';

/**
 * The dashboard in a real headless Chromium against a real local Slipway (rollouts included), as people
 * use it: sign in with a key, watch a rollout, roll back, promote. Screenshots of each view land in
 * test/screenshots/ (ignored by git) for a reviewer to look at.
 */
const SCREENSHOTS = fileURLToPath(new URL('../screenshots/', import.meta.url));
const XSS = `<script>window.__pwned = 'script'</script><img src="x" onerror="window.__pwned = 'img'">`;

type Release = { id: string; version: number; status: string };

let slipway: TestSlipway;
let browser: Browser;
let closeBrowser: () => Promise<void>;
const builds: Record<string, string[]> = {};

const settled = async (app: string, id: string) => {
  await slipway.rollouts?.stepFunctions.finished(id);
  return (await slipway.call<Release>('GET', `/apps/${app}/releases/${id}`)).body;
};

const release = async (app: string, body: Record<string, unknown>, key?: string) => {
  const created = await slipway.call<Release>('POST', `/apps/${app}/releases`, { body, key });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
};

beforeAll(async () => {
  // Rollouts are quick, but one of a build whose image says `slow` goes in batches slow enough to outlast the
  // page's idle poll, so the page always sees that one in flight.
  slipway = await startTestSlipway({ rollouts: { timeScale: 0.002, ecs: { batchIntervalMs: 5, slowBatchIntervalMs: IDLE_POLL_MS * 0.8 } } });
  ({ browser, close: closeBrowser } = await launchBrowser());
  mkdirSync(SCREENSHOTS, { recursive: true });

  builds.web = (await seedApp(slipway, 'web', 1)).builds;
  await settled('web', (await release('web', { slug: builds.web[0], description: 'First release of the storefront' })).id);

  await slipway.call('POST', '/pipelines', { body: { name: 'shop', description: 'The shop, from development to production' } });
  builds['shop-dev'] = (await seedApp(slipway, 'shop-dev', 1)).builds;
  await seedApp(slipway, 'shop-stg', 0);
  for (const [app, stage, contexts] of [
    ['shop-dev', 'development', []],
    ['shop-stg', 'staging', ['ci/unit']],
  ] as const) {
    expect((await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'shop', app, stage, required_status_checks: { contexts } } })).status).toBe(201);
  }
  await settled('shop-dev', (await release('shop-dev', { slug: builds['shop-dev']![0] })).id);
});

afterAll(async () => {
  await closeBrowser?.();
  await slipway?.close();
});

const signIn = (page: Page, key: string, hash = '#/apps') => signInAt(page, slipway.url, key, hash);
const openTab = (on: Browser = browser) => openTabIn(on);

const screenshot = (page: Page, name: string) => page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });

describe('the dashboard page', () => {
  it('is served at / with a strict CSP, and its hashed assets with long caching', async () => {
    const page = await fetch(`${slipway.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    const html = await page.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(html).not.toMatch(/<script>|style=/);

    const asset = await fetch(`${slipway.url}${script}`);
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const missing = await fetch(`${slipway.url}/assets/nothing-here.js`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${slipway.url}/assets/..%2Fbuild.ts`)).status).toBe(404);
  });
});

describe('signing in', () => {
  it('refuses a wrong key, keeps a good one for the tab only, signs out, and drops a key revoked meanwhile', async () => {
    const tab = await openTab();
    const { page } = tab;
    await page.goto(`${slipway.url}/`);
    await page.waitForSelector('#api-key');
    await screenshot(page, 'sign-in');
    await page.type('#api-key', 'slw_not-a-key');
    await page.click('button[type=submit]');
    await waitForText(page, 'Slipway did not accept that key');

    await page.$eval('#api-key', (input) => ((input as HTMLInputElement).value = ''));
    await page.type('#api-key', slipway.adminKey);
    await page.keyboard.press('Enter');
    await waitForText(page, 'admin key');
    expect(page.url()).not.toContain(slipway.adminKey);
    const storage = await page.evaluate(() => ({ session: Object.values(sessionStorage), local: localStorage.length, cookies: document.cookie }));
    expect(storage).toEqual({ session: [slipway.adminKey], local: 0, cookies: '' });

    await page.reload();
    await waitForText(page, 'admin key');
    await page.click('header button');
    await page.waitForSelector('#api-key');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);

    const created = await slipway.call('POST', '/api-keys', { body: { role: 'operator' } });
    await signIn(page, created.body.key);
    await page.waitForSelector('tr[data-app="web"]');
    await slipway.call('DELETE', `/api-keys/${created.body.id}`);
    await page.waitForSelector('#api-key', { timeout: IDLE_POLL_MS * 3 });
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('views', () => {
  it('lists the apps the key sees with their current release, image and checks', async () => {
    const tab = await openTab();
    await signIn(tab.page, slipway.adminKey);
    await tab.page.waitForSelector('tr[data-app="web"]');
    const row = await textIn(tab.page, 'tr[data-app="web"]');
    expect(row).toContain('v1');
    expect(row).toContain('registry.local/web:v1');
    expect(row).toContain('succeeded');
    const scoped = await openTab();
    await signIn(scoped.page, await slipway.keyFor('operator', ['web']));
    await scoped.page.waitForSelector('tr[data-app="web"]');
    expect(await scoped.page.$('tr[data-app="shop-dev"]')).toBeNull();
    await screenshot(tab.page, 'apps');
    await expectNothingBad(tab);
    await tab.page.close();
    await scoped.page.close();
  });

  it('follows a release made through the API to succeeded, without a reload, on the app and in the list of apps', async () => {
    const tab = await openTab();
    const { page } = tab;
    await signIn(page, slipway.adminKey, '#/apps/web');
    await page.waitForSelector('li[data-version="1"]');
    await page.evaluate(() => ((window as unknown as { __sameDocument?: boolean }).__sameDocument = true));
    const list = await openTab();
    await signIn(list.page, slipway.adminKey, '#/apps');
    await list.page.waitForSelector('tr[data-app="web"]');
    const rolloutInList = (version: number) => list.page.$(`tr[data-app="web"] .rollout[data-release="${version}"]`);

    const slow = await slipway.call<{ id: string }>('POST', '/apps/web/builds', { body: { image: 'registry.local/web:v2-slow', sha: 'bbbbbb2' } });
    const created = await release('web', { slug: slow.body.id, description: 'Second release' });
    const seen = new Set<string>();
    let sawProgress = false;
    let listedInFlight = false;
    const deadline = Date.now() + SHOWS_MS;
    while (!seen.has('succeeded') && Date.now() < deadline) {
      const state = await page.evaluate((version: number) => {
        const item = document.querySelector(`li[data-version="${version}"]`);
        return {
          status: item?.querySelector('.release-head .badge')?.textContent ?? null,
          progress: item?.querySelector('.rollout progress, .rollout') ? (item.querySelector('.rollout') as HTMLElement).innerText : null,
        };
      }, created.version);
      if (state.status) seen.add(state.status);
      if (state.progress) {
        sawProgress = true;
        if (state.progress.includes('new tasks running')) await screenshot(page, 'app-rollout-in-flight');
      }
      listedInFlight ||= (await rolloutInList(created.version)) !== null;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    expect([...seen]).toContain('succeeded');
    expect(seen.has('pending') || seen.has('queued'), `statuses seen: ${[...seen].join(', ')}`).toBe(true);
    expect(sawProgress).toBe(true);
    expect(await page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
    await waitForText(page, 'Current release: v2');
    expect(listedInFlight).toBe(true);
    await list.page.waitForFunction(() => document.querySelector('tr[data-app="web"] td')?.textContent === 'v2', { timeout: SHOWS_MS });
    expect(await textIn(list.page, 'tr[data-app="web"]')).toContain('registry.local/web:v2-slow');
    expect(await rolloutInList(created.version)).toBeNull();
    await expectNothingBad(tab);
    await expectNothingBad(list);
    await page.close();
    await list.page.close();
  });

  it('rolls back to a chosen earlier release only after a confirmation naming both versions, by keyboard', async () => {
    const tab = await openTab();
    const { page } = tab;
    await signIn(page, await slipway.keyFor('operator', ['web']), '#/apps/web');
    await waitForText(page, 'Roll back to v1');
    const button = (await page.$$('li[data-version="1"] button')).at(-1);
    await button?.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    const question = await textIn(page, 'dialog[open]');
    expect(question).toContain('v2');
    expect(question).toContain('v1');
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await screenshot(page, 'app-rollback-confirm');
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { hidden: true });
    expect((await slipway.call<Release[]>('GET', '/apps/web/releases?limit=100')).body).toHaveLength(2);

    await button?.focus();
    await page.keyboard.press('Enter');
    await page.waitForSelector('dialog[open]');
    await page.click('dialog[open] button.primary');
    await waitForText(page, "v3 releases v1's build");
    await waitForText(page, 'Current release: v3');
    expect(await textIn(page, 'li[data-version="3"]')).toContain('rollback');
    await screenshot(page, 'app');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await screenshot(page, 'app-dark');
    await expectNothingBad(tab);
    await page.close();
  });

  it('shows a developer key no rollback button, and the API refuses it anyway', async () => {
    const developer = await slipway.keyFor('developer', ['web']);
    const tab = await openTab();
    await signIn(tab.page, developer, '#/apps/web');
    await tab.page.waitForSelector('li[data-version="1"]');
    expect(await textIn(tab.page, 'main')).not.toContain('Roll back');
    expect(await textIn(tab.page, 'li[data-version="1"] .since')).toBe('No commits listed: the first release of the app.');
    const refused = await slipway.call('POST', '/apps/web/releases', { body: { release: (await slipway.call<Release>('GET', '/apps/web/releases/1')).body.id }, key: developer });
    expect(refused.status).toBe(403);
    await expectNothingBad(tab);
    await tab.page.close();
  });

  it('shows the pipeline by stage, refuses an unsafe promotion in plain words, then promotes', async () => {
    const tab = await openTab();
    const { page } = tab;
    await signIn(page, await slipway.keyFor('pipeline'), '#/pipelines/shop');
    await page.waitForSelector('section[data-stage="staging"] li[data-app="shop-stg"]');
    expect(await page.$$eval('section.stage h2', (headings) => headings.map((heading) => heading.textContent))).toEqual([
      'review',
      'development',
      'staging',
      'production',
    ]);
    const card = 'li[data-app="shop-dev"]';
    await waitForText(page, 'Not yet promoted to staging: v1');
    expect(await textIn(page, card)).toContain('ci/unit');
    expect(await page.$eval(`${card} input[type=checkbox]`, (box) => (box as HTMLInputElement).checked)).toBe(true);
    await page.click(`${card} button.primary`);
    await waitForText(page, 'Not promoted: the required checks have not all passed');
    await screenshot(page, 'pipeline-refused');

    const source = (await slipway.call<Release>('GET', '/apps/shop-dev/releases/1')).body;
    await slipway.call('POST', `/apps/shop-dev/releases/${source.id}/statuses`, { body: { context: 'ci/unit', name: 'Unit tests', state: 'success' } });
    await page.waitForFunction((selector: string) => document.querySelector(selector)?.querySelector('.checks .badge-success') !== null, { timeout: SHOWS_MS }, card);
    await page.click(`${card} button.primary`);
    await waitForText(page, 'Promoted v1');
    await page.waitForFunction(() => document.querySelector('li[data-app="shop-stg"]')?.textContent?.includes('v1') ?? false, { timeout: SHOWS_MS });
    await waitForText(page, 'Nothing waiting for staging');
    await screenshot(page, 'pipeline');
    // The promoted release ships shop-dev's build, which is not one of shop-stg's: its App view shows it without one.
    await page.evaluate(() => (location.hash = '#/apps/shop-stg'));
    await page.waitForSelector('li[data-version="1"]');
    expect(await page.$('li[data-version="1"] .commit')).toBeNull();
    expect(await page.$('.problem')).toBeNull();
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('release records', () => {
  const commit = (sha: string, message: string, author: string, minutesAgo: number) => ({
    sha,
    message,
    author,
    committed_at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  });

  it('shows each release\'s notes, metadata and the commits it ships, saying so when Slipway cannot tell', async () => {
    await seedApp(slipway, 'notes', 0);
    const first = commit('1111111aaaaaaa', 'Start the catalogue', 'Ada', 60);
    const builds = await Promise.all(
      [
        { image: 'registry.local/notes:v1', sha: first.sha, commits: [first] },
        {
          image: 'registry.local/notes:v2',
          sha: '3333333ccccccc',
          commits: [commit('3333333ccccccc', 'Show prices in euros\n\nThe long explanation.', 'Grace', 5), commit('2222222bbbbbbb', 'Fix the basket total', 'Linus', 20), first],
        },
        { image: 'registry.local/notes:v3' },
      ].map(async (body) => (await slipway.call<{ id: string }>('POST', '/apps/notes/builds', { body })).body.id),
    );
    await settled('notes', (await release('notes', { slug: builds[0], notes: 'The catalogue opens.' })).id);
    await settled('notes', (await release('notes', { slug: builds[1], notes: 'Prices in euros.\nBasket fixed.', metadata: { ticket: 'SHOP-42' } })).id);
    await settled('notes', (await release('notes', { slug: builds[2] })).id);

    const tab = await openTab();
    const { page } = tab;
    const releaseReads: string[] = [];
    page.on('request', (request) => {
      if (new URL(request.url()).pathname === '/apps/notes/releases') releaseReads.push(new URL(request.url()).search);
    });
    await signIn(page, await slipway.keyFor('developer', ['notes']), '#/apps/notes');
    await page.waitForSelector('li[data-version="3"]');
    // The newest page, newest first, in one request a poll.
    expect(releaseReads[0]).toBe('?order=desc&limit=50');
        expect(await textIn(page, 'main')).not.toContain('Load older releases');
    expect(await page.$$eval('li[data-version]', (items) => items.map((item) => item.getAttribute('data-version')))).toEqual(['3', '2', '1']);

    expect(await textIn(page, 'li[data-version="2"] .notes')).toBe('Prices in euros.\nBasket fixed.');
    expect(await page.$eval('li[data-version="2"] .notes', (notes) => notes.getAttribute('aria-label'))).toBe('Release notes of v2');
    const v2 = await textIn(page, 'li[data-version="2"]');
    expect(v2).toContain('2 commits since v1.');
    expect(v2).toMatch(/3333333 Show prices in euros — Grace\n2222222 Fix the basket total — Linus/);
    expect(v2).not.toContain('The long explanation');
    expect(v2).toMatch(/ticket\s+SHOP-42/);
    expect(await textIn(page, 'li[data-version="1"]')).toContain('1 commit: the first release of the app.');
    expect(await textIn(page, 'li[data-version="3"] .since')).toMatch(/^Not known what ships since v2: cannot tell: .+\.$/);
    expect(await textIn(page, 'main')).not.toContain('Roll back');
    await screenshot(page, 'app-release-records');
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('a release phase', () => {
  it("shows each release's release phase and, on demand, what it printed", async () => {
    expect((await slipway.call('POST', '/apps', { body: { name: 'migrating', cluster: 'local', service: 'migrating-svc', release_phase: { command: ['npm', 'run', 'migrate'] } } })).status).toBe(201);
    for (const image of ['registry.local/migrating:v1', 'registry.local/migrating:release-fails']) {
      const build = (await slipway.call<{ id: string }>('POST', '/apps/migrating/builds', { body: { image } })).body.id;
      await settled('migrating', (await release('migrating', { slug: build })).id);
    }
    const tab = await openTab();
    const { page } = tab;
    await signIn(page, await slipway.keyFor('developer', ['migrating']), '#/apps/migrating');
    await page.waitForSelector('li[data-version="2"] .release-phase');
    expect(await textIn(page, 'li[data-version="1"] .release-phase')).toMatch(/release phase\s+succeeded\s+exit code 0/);
    expect(await textIn(page, 'li[data-version="2"] .release-phase')).toMatch(/release phase\s+failed\s+exit code 1/);
    await page.click('li[data-version="2"] .release-phase button');
    await page.waitForSelector('li[data-version="2"] .release-phase-output');
    await waitForText(page, 'Error: the release phase failed');
    expect(await textIn(page, 'li[data-version="2"] .release-phase-output')).toBe(
      'Running npm run migrate in registry.local/migrating:release-fails\nStep 1 of 1 done\nError: the release phase failed',
    );
    expect(await page.$eval('li[data-version="2"] .release-phase button', (button) => button.getAttribute('aria-expanded'))).toBe('true');
    await screenshot(page, 'app-release-phase');
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('a long history', () => {
  it('arrives newest page first, and older pages only when asked for, by keyboard', async () => {
    const { app, builds: [build] } = await seedApp(slipway, 'deep', 1);
    await seedReleases(getStore(), { appName: 'deep', appId: app.id, slugId: build ?? '' }, 60, Date.now());
    const tab = await openTab();
    const { page } = tab;
    const releaseReads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/apps/deep/releases') releaseReads.push(url.search);
    });
    await signIn(page, slipway.adminKey, '#/apps/deep');
    await page.waitForSelector('li[data-version="60"]');
    const versions = () => page.$$eval('li[data-version]', (items) => items.map((item) => Number(item.getAttribute('data-version'))));
    expect(await versions()).toEqual(Array.from({ length: 50 }, (_, index) => 60 - index));

    const older = await page.waitForSelector('xpath/.//button[normalize-space()="Load older releases"]');
    await older?.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('li[data-version]').length === 60);
    expect(await versions()).toEqual(Array.from({ length: 60 }, (_, index) => 60 - index));
    expect(await textIn(page, 'main')).not.toContain('Load older releases');
    expect(releaseReads[0]).toBe('?order=desc&limit=50');
    expect(releaseReads.some((search) => /^\?order=desc&limit=50&cursor=[^&]+$/.test(search))).toBe(true);
    await expectNothingBad(tab);
    await page.close();
  });
  /** The API requests `page` makes from now on, in order, but the page's own and signing in's, with the app's name and ids made alike. */
  const apiReads = (page: Page, app: string) => {
    const reads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname === '/' || url.pathname === '/whoami' || url.pathname.startsWith('/assets/')) return;
      reads.push(decodeURIComponent(url.pathname + url.search).replaceAll(app, '{app}').replace(/[0-9a-f-]{36}/g, '{id}'));
    });
    return reads;
  };

  /**
   * The API requests one poll of a view makes, from signing in until `ready` shows (the view renders once a poll
   * has answered, and polls again only after an idle interval).
   */
  const requestsOfAPoll = async (key: string, hash: string, ready: string, app: string) => {
    const tab = await openTab();
    const { page } = tab;
    const reads = apiReads(page, app);
    await signIn(page, key, hash);
    await page.waitForSelector(ready);
    const card = await textIn(page, ready);
    await expectNothingBad(tab);
    await page.close();
    return { reads: reads.sort(), card };
  };

  it('costs the Apps and Pipeline views as many requests a poll with 1,001 releases as with 3', async () => {
    // More than the page of 1,000 the views once read whole histories with, so such a read would take two pages.
    const views = [];
    for (const [app, seeded] of [['short', 3], ['long', 1_001]] as const) {
      const { app: created, builds: [build = ''] } = await seedApp(slipway, app, 1);
      await seedReleases(getStore(), { appName: app, appId: created.id, slugId: build }, seeded, Date.now());
      await advanceCurrentRelease(app, { version: seeded, slug: { id: build } }, new Date().toISOString());
      await seedApp(slipway, `${app}-stg`, 0);
      await slipway.call('POST', '/pipelines', { body: { name: `${app}-line` } });
      for (const [coupled, stage] of [[app, 'development'], [`${app}-stg`, 'staging']]) {
        expect((await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: `${app}-line`, app: coupled, stage } })).status).toBe(201);
      }
      const key = await slipway.keyFor('pipeline', [app, `${app}-stg`]);
      views.push({
        apps: await requestsOfAPoll(key, '#/apps', `tr[data-app="${app}"]`, app),
        pipeline: await requestsOfAPoll(key, `#/pipelines/${app}-line`, `li[data-app="${app}"]`, app),
      });
    }
    const [short, long] = views;
    expect(short?.apps.card).toContain('v3');
    expect(long?.apps.card).toContain('v1001');
    expect(long?.apps.card).toContain('registry.local/long:v1');
    expect(short?.apps.reads).toEqual([
      '/apps',
      '/apps/{app}',
      '/apps/{app}-stg',
      '/apps/{app}-stg/releases?order=desc&limit=1',
      '/apps/{app}/releases?order=desc&limit=1',
    ]);
    expect(long?.apps.reads).toEqual(short?.apps.reads);
    expect(short?.pipeline.reads).toEqual([
      '/apps/{app}',
      '/apps/{app}-stg',
      '/apps/{app}-stg/releases?order=desc&limit=1&current=true',
      '/apps/{app}/releases/{id}/statuses',
      '/apps/{app}/releases?order=desc&limit=10&status[]=succeeded',
      '/pipelines/{app}-line/pipeline-couplings',
    ]);
    expect(long?.pipeline.reads).toEqual(short?.pipeline.reads);
    // Every tenth seeded release failed; the page of the newest ten succeeded ones is full, and says more wait.
    expect(short?.pipeline.card).toMatch(/^Not yet promoted to staging: v3, v2, v1$/m);
    expect(long?.pipeline.card).toContain('Not yet promoted to staging: v1001, v999, v998, v997, v996, v995, v994, v993, v992, v991 and earlier ones');
  });

  it('reads each build the App view shows once: a steady poll reads no build, a release of a new build one', async () => {
    const { builds: seeded } = await seedApp(slipway, 'gallery', 2);
    for (const slug of seeded) await settled('gallery', (await release('gallery', { slug })).id);
    const tab = await openTab();
    const { page } = tab;
    const reads = apiReads(page, 'gallery');
    const buildReads = () => reads.filter((read) => read.startsWith('/apps/{app}/builds'));
    /** Resolves as the next poll starts: each poll reads the newest releases first. */
    const nextPoll = async () => {
      await page.waitForRequest((request) => new URL(request.url()).pathname === '/apps/gallery/releases', { timeout: IDLE_POLL_MS * 3 });
      return reads.length - 1;
    };
    const imageOf = (version: number) => textIn(page, `li[data-version="${version}"] .commit`);
    await signIn(page, await slipway.keyFor('developer', ['gallery']), '#/apps/gallery');
    await page.waitForSelector('li[data-version="2"] .commit');
    expect(await imageOf(1)).toBe('registry.local/gallery:v1 @ aaaaaa1');
    expect(await imageOf(2)).toBe('registry.local/gallery:v2 @ aaaaaa2');
    expect(buildReads()).toEqual(['/apps/{app}/builds/{id}', '/apps/{app}/builds/{id}']);

    // A steady poll: from the start of one poll to the start of the next, which begins only once it has answered.
    const steady = await nextPoll();
    expect(reads.slice(steady, await nextPoll()).sort()).toEqual(['/apps/{app}', '/apps/{app}/releases?order=desc&limit=50']);

    const build = await slipway.call<{ id: string }>('POST', '/apps/gallery/builds', { body: { image: 'registry.local/gallery:v3-new', sha: 'ccccccc' } });
    const created = await release('gallery', { slug: build.body.id });
    await page.waitForSelector(`li[data-version="${created.version}"] .commit`, { timeout: IDLE_POLL_MS * 3 });
    expect(await imageOf(created.version)).toBe('registry.local/gallery:v3-new @ ccccccc');
    expect(buildReads()).toEqual(Array<string>(3).fill('/apps/{app}/builds/{id}'));
    await settled('gallery', created.id);
    // Two more polls begun, so one more answered in full: the new build is not read again.
    await nextPoll();
    await nextPoll();
    expect(buildReads()).toEqual(Array<string>(3).fill('/apps/{app}/builds/{id}'));
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('delivery metrics', () => {
  type Metrics = Record<'deployment_frequency' | 'lead_time' | 'change_failure_rate' | 'time_to_restore', { band: string | null }> & {
    deployment_frequency: { per_day: number };
    lead_time: { p50_seconds: number | null };
    change_failure_rate: { rate: number | null };
    time_to_restore: { p50_seconds: number | null };
    series: { from: string }[];
  };

  /** The four figures and bands the page shows, against those the API answers for the same scope and period. */
  const expectFiguresOf = async (page: Page, path: string) => {
    const api = (await slipway.call<Metrics>('GET', path)).body;
    const shown = await page.$$eval('dl.keys > div', (figures) =>
      figures.map((figure) => [figure.getAttribute('data-key'), figure.getAttribute('data-value'), figure.querySelector('.badge')?.textContent ?? null]),
    );
    expect(shown).toEqual([
      ['deployment_frequency', String(api.deployment_frequency.per_day), api.deployment_frequency.band],
      ['lead_time', String(api.lead_time.p50_seconds), api.lead_time.band],
      ['change_failure_rate', String(api.change_failure_rate.rate), api.change_failure_rate.band],
      ['time_to_restore', String(api.time_to_restore.p50_seconds), api.time_to_restore.band],
    ]);
    // The buckets end now, so their edges move between two reads; their number does not.
    expect(await page.$$eval('table.series tbody tr', (rows) => rows.length)).toBe(api.series.length);
    return api;
  };

  it("charts the four keys over time for an app and a pipeline's production stage, each with its band", async () => {
    await slipway.call('POST', '/pipelines', { body: { name: 'notes-line' } });
    expect((await slipway.call('POST', '/pipeline-couplings', { body: { pipeline: 'notes-line', app: 'notes', stage: 'production' } })).status).toBe(201);
    const tab = await openTab();
    const { page } = tab;
    const metricReads: string[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.pathname.endsWith('/metrics')) metricReads.push(url.pathname + url.search);
    });
    await signIn(page, slipway.adminKey, '#/apps/web');
    await page.waitForSelector('li[data-version="3"]');
    // By keyboard: a click could land where the link was before the line around it changed.
    await page.focus('a[href="#/metrics/apps/web"]');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('.key-chart canvas').length === 4 && document.querySelector('dl.keys') !== null);
    // web: v2 was rolled back by v3, so one failed change of two, restored.
    const web = await expectFiguresOf(page, '/apps/web/metrics?window=30d&step=1d');
    expect(web.change_failure_rate).toMatchObject({ rate: 0.5, band: 'low' });
    expect(web.time_to_restore.p50_seconds).not.toBeNull();
    expect(await page.$$eval('.key-chart figcaption', (captions) => captions.map((caption) => caption.textContent))).toEqual([
      'Deployment frequency (a day)',
      'Lead time for changes (median) (hours)',
      'Change failure rate (%)',
      'Time to restore (median) (hours)',
    ]);
    expect(metricReads).toEqual(['/apps/web/metrics?window=30d&step=1d']);
    await screenshot(page, 'metrics');

    await page.select('#metrics-scope', 'pipelines/notes-line');
    await waitForText(page, 'The production stage of notes-line: notes.');
    expect(page.url()).toContain('#/metrics/pipelines/notes-line');
    const line = await expectFiguresOf(page, '/pipelines/notes-line/metrics?window=30d&step=1d');
    // notes: three succeeded deployments today, v1's and v2's commits told.
    expect(line.deployment_frequency.per_day).toBe(3 / 30);
    expect(line.lead_time.p50_seconds).not.toBeNull();

    await page.select('#metrics-period', '24h');
    await page.waitForFunction(() => document.querySelectorAll('table.series tbody tr').length === 24);
    await expectFiguresOf(page, '/pipelines/notes-line/metrics?window=24h&step=1h');
    await screenshot(page, 'metrics-pipeline');
    await page.emulateMediaFeatures([{ name: 'prefers-color-scheme', value: 'dark' }]);
    await screenshot(page, 'metrics-dark');
    await expectNothingBad(tab);
    await page.close();
  });
});

describe('a browser language that Intl refuses', () => {
  it('renders every view all the same, dates and charts included, in the language it stands for', async () => {
    // Chromium under LC_ALL=C says `en-US@posix`: a POSIX locale name, on which Intl constructors throw a RangeError.
    const posix = await launchBrowser({ cLocale: true });
    try {
      const tab = await openTab(posix.browser);
      const { page } = tab;
      expect(await page.evaluate(() => navigator.languages)).toEqual(['en-US@posix']);
      await signIn(page, slipway.adminKey, '#/apps/web');
      const usDateTime = /^\d{1,2}\/\d{1,2}\/\d{4}, \d{1,2}:\d{2}:\d{2}\s[AP]M$/;
      await page.waitForSelector('li[data-version="1"] time');
      expect(await textIn(page, 'li[data-version="1"] time')).toMatch(usDateTime);
      await page.focus('a[href="#/metrics/apps/web"]');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => document.querySelectorAll('.key-chart canvas').length === 4 && document.querySelector('dl.keys') !== null);
      const period = /From (.+) to now;/.exec(await textIn(page, 'main'))?.[1];
      expect(period).toMatch(usDateTime);
      expect(await textIn(page, 'dl.keys [data-key="deployment_frequency"] dd')).toMatch(/^\d+\.\d\d a day/);
      await screenshot(page, 'metrics-posix-locale');
      await expectNothingBad(tab);
    } finally {
      await posix.close();
    }
  });
});

describe('user-written text', () => {
  it('is shown as text: markup in descriptions, notes, metadata, commit fields and checks never runs', async () => {
    await seedApp(slipway, 'xss', 0);
    const build = await slipway.call('POST', '/apps/xss/builds', {
      body: {
        image: 'registry.local/xss:v1',
        sha: 'abcdef1',
        message: XSS,
        author: XSS,
        branch: XSS,
        commits: [
          { sha: 'abcdef1', author: XSS, committed_at: new Date().toISOString(), message: XSS },
          ...Array.from({ length: 6 }, (_, index) => ({ sha: `00000${index}f`, committed_at: new Date().toISOString(), message: `Earlier change ${index}` })),
        ],
      },
    });
    const created = await release('xss', { slug: build.body.id, description: XSS, notes: XSS, metadata: { [XSS]: XSS } });
    await settled('xss', created.id);
    await slipway.call('POST', `/apps/xss/releases/${created.id}/statuses`, {
      body: { context: 'ci/xss', name: XSS, state: 'failure', description: XSS, target_url: 'https://ci.example/run/1' },
    });

    const tab = await openTab();
    const { page } = tab;
    await signIn(page, slipway.adminKey, '#/apps/xss');
    await page.waitForSelector('li[data-version="1"]');
    const listed = () => page.$$eval('li[data-version="1"] .commits li', (items) => items.length);
    expect(await listed()).toBe(5);
    const showAll = await page.waitForSelector('xpath/.//button[normalize-space()="Show all 7 commits of v1"]');
    await showAll?.focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelectorAll('li[data-version="1"] .commits li').length === 7);
    expect(await showAll?.evaluate((button) => button.getAttribute('aria-expanded'))).toBe('true');
    await page.click('li[data-version="1"] .actions button');
    await page.waitForSelector('li[data-version="1"] .checks');
    const text = await textIn(page, 'li[data-version="1"]');
    expect(text.split(XSS).length - 1).toBeGreaterThanOrEqual(7);
    expect(await textIn(page, 'li[data-version="1"] .notes')).toBe(XSS);
    expect(await page.$$('main script, main img')).toHaveLength(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: string }).__pwned)).toBeUndefined();
    await screenshot(page, 'app-user-text');
    await expectNothingBad(tab);
    await page.close();
  });
});
