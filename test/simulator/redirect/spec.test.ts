/** The PUSHSIM_REDIRECT table: parsing, printing, which rule a connection takes, what counts as loopback. */
import { describe, expect, it } from 'vitest';
import { findRedirect, formatRedirects, isLoopback, parseRedirects, redirectsTo } from '../../../simulator/redirect/spec.js';

describe('PUSHSIM_REDIRECT', () => {
  it('reads name[:port]=address:port entries, wildcards and bracketed IPv6, and prints them back the same', () => {
    const text = 'api.push.apple.com=127.0.0.1:8443,API.Sandbox.Push.Apple.com:2197=127.0.0.1:9000,*.notify.windows.com=[::1]:7000';
    const rules = parseRedirects(text);
    expect(rules).toEqual([
      { name: 'api.push.apple.com', port: undefined, target: { host: '127.0.0.1', port: 8443 } },
      { name: 'api.sandbox.push.apple.com', port: 2197, target: { host: '127.0.0.1', port: 9000 } },
      { name: '*.notify.windows.com', port: undefined, target: { host: '::1', port: 7000 } },
    ]);
    expect(parseRedirects(formatRedirects(rules))).toEqual(rules);
  });

  it('names every entry it cannot read, and how an entry looks', () => {
    expect(() => parseRedirects('api.push.apple.com,fcm.googleapis.com=127.0.0.1,ok.example=127.0.0.1:1,x=127.0.0.1:70000')).toThrow(
      /cannot read "api\.push\.apple\.com", "fcm\.googleapis\.com=127\.0\.0\.1", "x=127\.0\.0\.1:70000"; each entry is name\[:port\]=address:port/,
    );
  });

  it('takes the rule for the exact port first, then the one for any port; a wildcard stands for one label', () => {
    const rules = parseRedirects('api.push.apple.com=127.0.0.1:1,api.push.apple.com:2197=127.0.0.1:2,*.notify.windows.com=127.0.0.1:3');
    expect(findRedirect(rules, 'api.push.apple.com', 443)?.target.port).toBe(1);
    expect(findRedirect(rules, 'API.PUSH.APPLE.COM.', 2197)?.target.port).toBe(2);
    expect(findRedirect(rules, 'wns2-by3p.notify.windows.com', 443)?.target.port).toBe(3);
    expect(findRedirect(rules, 'a.b.notify.windows.com', 443)).toBeUndefined();
    expect(findRedirect(rules, 'notify.windows.com', 443)).toBeUndefined();
    expect(findRedirect(rules, 'fcm.googleapis.com', 443)).toBeUndefined();
  });

  it('redirectsTo sends names to a mock url; loopback is localhost, 127/8 and ::1 only', () => {
    expect(formatRedirects(redirectsTo(['fcm.googleapis.com', 'oauth2.googleapis.com'], 'https://127.0.0.1:4443'))).toBe('fcm.googleapis.com=127.0.0.1:4443,oauth2.googleapis.com=127.0.0.1:4443');
    expect(formatRedirects(redirectsTo(['x.example'], 'https://[::1]:4443'))).toBe('x.example=[::1]:4443');
    for (const host of ['localhost', 'a.localhost', '127.0.0.1', '127.9.9.9', '::1', '[::1]', '::ffff:127.0.0.1']) expect(isLoopback(host), host).toBe(true);
    for (const host of ['10.0.0.1', '0.0.0.0', '::', 'example.com', '169.254.169.254', 'localhost.example.com']) expect(isLoopback(host), host).toBe(false);
  });
});
