import chromium from '@sparticuz/chromium';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Headless Chromium from the @sparticuz/chromium package (its binary ships inside it and is unpacked to
 * /tmp on first use), with a throwaway profile and nothing that reaches beyond loopback.
 */
export const launchBrowser = async (): Promise<{ browser: Browser; close: () => Promise<void> }> => {
  const userDataDir = mkdtempSync(join(tmpdir(), 'slipway-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: await chromium.executablePath(),
    headless: true,
    userDataDir,
    // Under LANG=C Chromium reports the locale `en-US@posix`, which Intl (and so uPlot) refuses.
    env: { ...process.env, LANG: 'en_US.UTF-8' },
    args: [
      '--lang=en-US',
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
