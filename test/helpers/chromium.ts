import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium, driven by playwright-core (never a downloaded browser). The flags keep it
 * headless and quiet: no GPU, no sandbox (containers), no background traffic to Google.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}
