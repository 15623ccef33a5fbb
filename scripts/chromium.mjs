// Debian's chromium driven by playwright-core (never a downloaded browser), for the console's
// tests (test/helpers/chromium.ts) and `npm run screenshots`. The flags keep it headless and
// quiet: no GPU, no sandbox (containers), no background traffic.
import { chromium } from 'playwright-core';

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

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}
