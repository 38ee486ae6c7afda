/// <reference lib="dom" />
import type { Browser, Page } from 'puppeteer-core';

/** A tab and what it saw that should never happen: dialogs of the browser's own, script errors, CSP violations. */
export type WatchedTab = { page: Page; problems: () => Promise<string[]> };

export const openWatchedTab = async (browser: Browser): Promise<WatchedTab> => {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 860 });
  const seen: string[] = [];
  page.on('dialog', (dialog) => {
    seen.push(`dialog: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on('pageerror', (error) => seen.push(`page error: ${String(error)}`));
  await page.evaluateOnNewDocument(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      const violations = ((window as unknown as { __csp?: string[] }).__csp ??= []);
      violations.push(`CSP: ${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  return {
    page,
    problems: async () => [...seen, ...(await page.evaluate(() => (window as unknown as { __csp?: string[] }).__csp ?? []))],
  };
};

/** Signs in with `key` on the dashboard at `url` and opens `hash`. */
export const signInTo = async (page: Page, url: string, key: string, hash: string) => {
  await page.goto(`${url}/${hash}`);
  await page.waitForSelector('#api-key');
  await page.type('#api-key', key);
  await page.keyboard.press('Enter');
  await page.waitForSelector('header.top');
};

/** How long the page may take to show what a poll or a rollout brings, however busy the machine. */
export const SHOWS_MS = 60_000;

export const waitForText = (page: Page, text: string, timeout = SHOWS_MS) =>
  page.waitForFunction((wanted: string) => document.body.innerText.includes(wanted), { timeout, polling: 100 }, text);

export const textIn = (page: Page, selector = 'body') => page.$eval(selector, (element) => (element as HTMLElement).innerText);
