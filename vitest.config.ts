import { defineConfig } from 'vitest/config'

// Core tests run in Node; React tests in jsdom. Browser (e2e) tests have their own runner,
// test/e2e/run.mjs, because they need the demo built first.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'core',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/react/**', 'test/e2e/**', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'react',
          environment: 'jsdom',
          include: ['test/react/**/*.test.tsx'],
        },
      },
    ],
  },
})
