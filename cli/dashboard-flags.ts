/**
 * `pushsim run --dashboard[=PORT]`'s flags, apart from the server (cli/dashboard.ts) so the
 * command's definition loads without fastify.
 */
import { InvalidArgumentError } from 'commander';
import { port } from './options.js';

/** k6's web dashboard listens on 5665; a user of both finds it where they look. */
export const defaultDashboardPort = 5665;

export interface DashboardFlags {
  /** true: `--dashboard` alone (the default port); a number: `--dashboard=PORT` (0 picks a free one). */
  dashboard?: number | true;
  dashboardLinger?: boolean;
}

/**
 * `--dashboard`'s optional port. Commander gives an optional value the next word when it does not
 * start with "-", so `--dashboard brownout.yaml` would read the scenario as the port: the message says
 * how to write it.
 */
export function dashboardPort(value: string): number {
  try {
    return port(value);
  } catch (error) {
    throw new InvalidArgumentError(`${(error as Error).message}; write --dashboard=PORT, or put --dashboard after the scenario`);
  }
}

/** The port to listen on, or undefined without --dashboard (--dashboard-linger alone means the default port). */
export function dashboardPortOf(flags: DashboardFlags): number | undefined {
  if (flags.dashboard === undefined) return flags.dashboardLinger === true ? defaultDashboardPort : undefined;
  return flags.dashboard === true ? defaultDashboardPort : flags.dashboard;
}
