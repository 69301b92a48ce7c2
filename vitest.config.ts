import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    setupFiles: ['test/setup.ts'],
    // Child-process tests run the built CLI; they need a few seconds on a 2-core machine.
    testTimeout: 20_000,
    unstubEnvs: true,
  },
});
