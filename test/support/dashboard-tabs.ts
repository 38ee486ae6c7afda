/// <reference lib="dom" />
import type { Browser, Page } from 'puppeteer-core';
import { expect } from 'vitest';

export type Watched = { page: Page; problems: string[] };

/** How long the page may take to show what a poll or a rollout brings, however busy the machine. */
export const SHOWS_MS = 60_000;

/** A fresh tab that records anything that should never happen: dialogs, script errors, CSP violations. */
export const openTab = async (on: Browser): Promise<Watched> => {
  const page = await on.newPage();
  await page.setViewport({ width: 1280, height: 860 });
  const problems: string[] = [];
  page.on('dialog', (dialog) => {
    problems.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const seen = ((window as unknown as { __csp?: string[] }).__csp ??= []);
      seen.push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return { page, problems };
};

export const textIn = (page: Page, selector = 'body') => page.$eval(selector, (element) => (element as HTMLElement).innerText);

export const waitForText = (page: Page, text: string, timeout = SHOWS_MS) =>
  page.waitForFunction((wanted: string) => document.body.innerText.includes(wanted), { timeout, polling: 100 }, text);

/** Opens the dashboard at `hash` on `url` and signs in with `key`. */
export const signIn = async (page: Page, url: string, key: string, hash = '#/apps') => {
  await page.goto(`${url}/${hash}`);
  await page.waitForSelector('#api-key');
  await page.type('#api-key', key);
  await page.keyboard.press('Enter');
  await page.waitForSelector('header.top');
};

const cspViolations = (page: Page) => page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []);

export const expectNothingBad = async ({ page, problems }: Watched) => {
  expect(problems).toEqual([]);
  expect(await cspViolations(page)).toEqual([]);
};
