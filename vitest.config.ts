import { defineConfig } from 'vitest/config';

const jsonReport = process.env['VITEST_JSON_REPORT'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets and TLS handshakes: give slow CI machines room, but never hang forever.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores here; more forks only fight over them.
    maxWorkers: 2,
    allowOnly: false,
    // .ci/run reads the pass/fail counts from this file for its closing summary line.
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
