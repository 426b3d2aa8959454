import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real sockets and TLS handshakes: give slow CI machines room, but never hang forever.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores here; more forks only fight over them.
    maxWorkers: 2,
    allowOnly: false,
  },
});
