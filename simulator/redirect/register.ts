/**
 * `node --import pushsim/redirect app.js`: installs the redirect table of PUSHSIM_REDIRECT
 * (install.ts, spec.ts) before the app's own code runs. Without the variable, or with an entry it
 * cannot read, it says so and exits 2 (a bad command line) before the app starts.
 */
import { installRedirect } from './install.js';
import { parseRedirects, redirectEnv } from './spec.js';

const text = process.env[redirectEnv];
if (text === undefined) {
  process.stderr.write(`pushsim/redirect: ${redirectEnv} is not set. Set it to the line \`pushsim mock … --impersonate\` prints, e.g. ${redirectEnv}=api.push.apple.com=127.0.0.1:8443\n`);
  process.exit(2);
}
try {
  installRedirect(parseRedirects(text));
} catch (error) {
  process.stderr.write(`pushsim/redirect: ${(error as Error).message}\n`);
  process.exit(2);
}
