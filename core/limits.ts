/**
 * Sizes of the files a user points pushsim at (docs/limits.md lists every limit). Checked before a
 * byte is read, so a file that is too large costs a stat() call, not a parser growing to gigabytes.
 */
import { KiB, MiB } from './files.js';

export const fileLimits = {
  /**
   * A scenario file (YAML or JSON); the largest example is under 2 KiB. Parsing cost grows with the
   * number of nodes, so the bound keeps the worst file to a second or two.
   */
  scenario: 256 * KiB,
  /** A fault spec (`--faults`, a scenario's `faults:` path): room for token lists of a few thousand. */
  faultSpec: 256 * KiB,
  /** The mock APNs' `--config` (device lists can be long: 4 MiB is ~50,000 tokens in YAML, more in JSON). */
  mockConfig: 4 * MiB,
  /** A key, certificate or CA bundle (PEM); real ones are a few KiB. */
  credential: 1 * MiB,
  /**
   * A result.json read by report, merge and compare: one with tokens.count at its limit and every
   * token dead is ~300 MB. Just under V8's largest string (~512 MiB).
   */
  result: 500 * MiB,
} as const;
