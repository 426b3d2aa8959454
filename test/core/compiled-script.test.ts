import { describe, expect, it } from 'vitest';
import { assertCompiledScript, compiledScriptExists } from '../../core/compiled-script.js';
import { InvalidArgumentError } from '../../core/errors.js';

const here = new URL(import.meta.url);
const missing = new URL('./no-such-script.js', import.meta.url);

describe('compiledScriptExists', () => {
  it('is true for a file that exists and false for a missing one or a URL that is not a file', () => {
    expect(compiledScriptExists(here)).toBe(true);
    expect(compiledScriptExists(missing)).toBe(false);
    expect(compiledScriptExists(new URL('data:text/javascript,0'))).toBe(false);
  });
});

describe('assertCompiledScript', () => {
  it('passes an existing script and refuses a missing one, saying how to build it and what to do instead', () => {
    expect(() => assertCompiledScript(here, 'the thread script')).not.toThrow();
    expect(() => assertCompiledScript(missing, 'the thread script', 'use one thread')).toThrow(InvalidArgumentError);
    expect(() => assertCompiledScript(missing, 'the thread script', 'use one thread')).toThrow(/^the thread script file:.*no-such-script\.js does not exist \(running from \.ts sources\?\): build with `npm run build`, or use one thread$/);
    expect(() => assertCompiledScript(missing, 'worker script')).toThrow(/does not exist \(running from \.ts sources\?\): build with `npm run build`$/);
  });
});
