/**
 * The redirect table of `node --import pushsim/redirect`, from the environment:
 *
 *   PUSHSIM_REDIRECT="api.push.apple.com=127.0.0.1:8443,fcm.googleapis.com=127.0.0.1:9443"
 *
 * Each entry is `name[:port]=address:port`: connections to `name` (on `port` only, when given) go to
 * `address:port` instead. `name` may start with `*.` for one label of any value
 * (`*.notify.windows.com`). IPv6 addresses are bracketed: `[::1]:8443`. Pure: no I/O, so the CLI
 * can print a table and tests can check one.
 */
import { isIP } from 'node:net';

export interface RedirectRule {
  /** Host name as written (lower case), `*.` wildcard allowed. */
  readonly name: string;
  /** Only connections to this port; undefined = any port. */
  readonly port: number | undefined;
  readonly target: { readonly host: string; readonly port: number };
}

export const redirectEnv = 'PUSHSIM_REDIRECT';

const namePattern = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses the table; throws an Error that says which entry is wrong and how an entry looks. */
export function parseRedirects(text: string): RedirectRule[] {
  const rules: RedirectRule[] = [];
  const problems: string[] = [];
  for (const raw of text.split(/[,\s]+/).filter((entry) => entry !== '')) {
    const at = raw.indexOf('=');
    const from = at < 0 ? undefined : splitHostPort(raw.slice(0, at).toLowerCase());
    const to = at < 0 ? undefined : splitHostPort(raw.slice(at + 1));
    if (from === undefined || to === undefined || !namePattern.test(from.host) || to.port === undefined || to.host === '') {
      problems.push(`"${raw}"`);
      continue;
    }
    rules.push({ name: from.host, port: from.port, target: { host: to.host, port: to.port } });
  }
  if (problems.length > 0) {
    throw new Error(`${redirectEnv}: cannot read ${problems.join(', ')}; each entry is name[:port]=address:port, e.g. api.push.apple.com=127.0.0.1:8443`);
  }
  return rules;
}

/** `name=address:port,…` for the rules (what the CLI prints). */
export function formatRedirects(rules: readonly RedirectRule[]): string {
  return rules.map((r) => `${r.name}${r.port === undefined ? '' : `:${r.port}`}=${isIP(r.target.host) === 6 ? `[${r.target.host}]` : r.target.host}:${r.target.port}`).join(',');
}

/** Rules sending each of `names` to the origin of `url` (a mock's url). */
export function redirectsTo(names: readonly string[], url: string): RedirectRule[] {
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[|\]$/g, '');
  return names.map((name) => ({ name: name.toLowerCase(), port: undefined, target: { host, port: Number(port) } }));
}

/** The rule for a connection to `host:port`: a rule with that port first, then one for any port. */
export function findRedirect(rules: readonly RedirectRule[], host: string, port: number): RedirectRule | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  const matching = rules.filter((rule) => nameMatches(rule.name, name));
  return matching.find((rule) => rule.port === port) ?? matching.find((rule) => rule.port === undefined);
}

/** True for an address or name that cannot leave this machine: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  const name = host.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  if (isIP(name) === 6) return name === '::1' || /^::ffff:127\./.test(name) || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(name);
  return false;
}

/** `*.` stands for exactly one leftmost label (RFC 6125 §6.4.3). */
function nameMatches(pattern: string, name: string): boolean {
  if (!pattern.startsWith('*.')) return pattern === name;
  const suffix = pattern.slice(1);
  return name.length > suffix.length && name.endsWith(suffix) && !name.slice(0, -suffix.length).includes('.');
}

function splitHostPort(text: string): { host: string; port: number | undefined } | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = bracketed === null ? /^([^:[\]]+)(?::(\d+))?$/.exec(text) : null;
  const match = bracketed ?? plain;
  if (match === null) return undefined;
  const port = match[2] === undefined ? undefined : Number(match[2]);
  if (port !== undefined && (port < 1 || port > 65_535)) return undefined;
  return { host: match[1] as string, port };
}
