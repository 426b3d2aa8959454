import { readFileSync } from 'node:fs';

/** pushsim's version, read from the package.json above this file (works from sources and from dist/). */
export function pushsimVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'pushsim' && pkg.version) return pkg.version;
    } catch {
      // not at this level; try the next one up
    }
  }
  return '0.0.0-unknown';
}
