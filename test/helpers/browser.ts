/**
 * Headless Chromium for tests that must see what a person sees: the HTML reports and the
 * live dashboard rendered by a real browser engine, not a DOM emulation. Debian's `chromium`
 * package (`apt-get install chromium`; .ci/run installs it), driven by playwright-core over the
 * DevTools protocol. PUSHSIM_CHROMIUM names another executable.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

const candidates = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/** The browser to drive; a clear failure (not a skip) when there is none. */
export function chromiumPath(): string {
  const chosen = process.env['PUSHSIM_CHROMIUM'] ?? candidates.find((path) => existsSync(path));
  if (chosen === undefined || !existsSync(chosen)) {
    throw new Error(`no Chromium found (looked for ${process.env['PUSHSIM_CHROMIUM'] ?? candidates.join(', ')}): install it with \`apt-get install chromium\` or set PUSHSIM_CHROMIUM to its path`);
  }
  return chosen;
}

export async function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI containers run as root, where Chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-gpu'], timeout: 60_000 });
}

/** Console errors and uncaught exceptions of a page, collected from before its first script runs. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

/**
 * Page code (for `page.evaluate(`(${inspectCanvas})('#chart canvas')`)`): how wide the canvas is,
 * how many of its pixels are painted at all, and how many have the colour a phase band
 * (rgba(211, 84, 0, 0.10), drawn into the canvas itself) has over the white page: about (251, 238, 229).
 */
export const inspectCanvas = `(selector) => {
  const canvas = document.querySelector(selector);
  if (!canvas) return { width: 0, painted: 0, band: 0 };
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0, band = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0) painted++;
    if (data[i + 3] > 0 && data[i + 3] < 60 && data[i] > 180 && data[i + 1] < 120) band++;
  }
  return { width: canvas.width, painted, band };
}`;
