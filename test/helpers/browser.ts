/**
 * Headless Chromium for tests that must see what a person sees: the HTML reports (and later the
 * live dashboard) rendered by a real browser engine, not a DOM emulation. Debian's `chromium`
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
