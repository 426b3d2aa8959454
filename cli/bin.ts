#!/usr/bin/env node
import { ExitCode } from '../core/exit-codes.js';
import { describeError } from './exit.js';
import { ignoreClosedReader } from './output-streams.js';
import { main } from './pushsim.js';

ignoreClosedReader(process.stdout);
ignoreClosedReader(process.stderr);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(describeError(error) + '\n');
    process.exitCode = ExitCode.internal;
  },
);
