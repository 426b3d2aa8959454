/**
 * `pushsim proxy --listen PORT --upstream URL [--faults FILE]`: the fault proxy in front of any
 * HTTP/2 provider (the real APNs / FCM sandbox, or a mock), with an optional control API.
 * TLS towards the client uses a CA generated at start; its PEM is printed and written to a file so
 * the client can trust it. The client's `authorization` passes through untouched and is never printed.
 *
 * This file is the definition; what it does is in proxy-action.ts, imported when it runs.
 */
import type { Command } from 'commander';
import { nonNegativeInteger, port } from '../options.js';
import type { ProxyFlags } from './proxy-action.js';

export function registerProxy(program: Command): void {
  program
    .command('proxy')
    .description('fault proxy: apply a fault spec to HTTP/2 traffic in front of APNs, FCM or a mock, until Ctrl-C')
    .requiredOption('--listen <port>', 'port to listen on (0 picks a free one)', port)
    .requiredOption('--upstream <url>', 'HTTP/2 origin to forward to, e.g. https://api.sandbox.push.apple.com')
    .option('--host <address>', 'address to bind', '127.0.0.1')
    .option('--upstream-ca <file>', 'PEM CA to trust for the upstream (e.g. a mock\'s ca.pem); system CAs otherwise')
    .option('--faults <file>', 'fault spec, YAML or JSON (faults, phases, seed)')
    .option('--seed <n>', 'seed of the fault dice (overrides the spec\'s)', nonNegativeInteger)
    .option('--no-tls', 'serve cleartext h2c to the client instead of TLS with a generated CA')
    .option('--ca-dir <dir>', 'where to write proxy-ca.pem (default: a new temp dir)')
    .option('--impersonate', 'sign the certificate (valid for the upstream\'s name) with the CA in --ca-dir, made once (ca.pem, ca-key.pem), and print how to send an unmodified app here')
    .option('--control-port <n>', 'start the control API (HTTP/1.1 JSON + /metrics) on this port', port)
    .option('--control-host <address>', 'address for the control API; not loopback needs PUSHSIM_CONTROL_TOKEN', '127.0.0.1')
    .action(async (flags: ProxyFlags) => {
      const { proxyAction } = await import('./proxy-action.js');
      await proxyAction(flags);
    });
}
