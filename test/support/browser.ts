import chromium from '@sparticuz/chromium';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Headless Chromium from the @sparticuz/chromium package (its binary ships inside it and is unpacked to
 * /tmp on first use), with a throwaway profile and nothing that reaches beyond loopback. Its language is `en-US`
 * whatever the machine's locale, so screenshots read alike; with `cLocale` it is what Chromium makes of
 * `LC_ALL=C`: `en-US@posix`, a name Intl refuses.
 */
export const launchBrowser = async ({ cLocale = false } = {}): Promise<{ browser: Browser; close: () => Promise<void> }> => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'slipway-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    userDataDir,
    env: cLocale ? { ...process.env, LC_ALL: 'C' } : { ...process.env, LANG: 'en_US.UTF-8' },
    args: [
      ...(cLocale ? [] : ['--lang=en-US']),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
};
