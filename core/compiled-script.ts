/**
 * Worker and thread entries are compiled scripts beside the module that starts them (dist/…/x.js,
 * found with `new URL('./x.js', import.meta.url)`). Running from .ts sources (tests, `tsx`) there
 * is none: callers fall back, or refuse with a message that says how to get one.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from './errors.js';

/** Whether `script` is a file that exists (false when running from .ts sources). */
export function compiledScriptExists(script: URL): boolean {
  return script.protocol === 'file:' && existsSync(fileURLToPath(script));
}

/** Refuses a missing `script`: `what` names it, `otherwise` is the way to go without it. */
export function assertCompiledScript(script: URL, what: string, otherwise?: string): void {
  if (!compiledScriptExists(script)) throw new InvalidArgumentError(`${what} ${script.href} does not exist (running from .ts sources?): build with \`npm run build\`${otherwise === undefined ? '' : `, or ${otherwise}`}`);
}
