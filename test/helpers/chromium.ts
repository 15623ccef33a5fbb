/** The console tests' browser: Debian's chromium via playwright-core (scripts/chromium.mjs). */
export { CHROMIUM_FLAGS, CHROMIUM_PATH, launchChromium } from '../../scripts/chromium.mjs';
