import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'

const react18 = (name: string) => resolve(import.meta.dirname, 'test/react18/node_modules', name)

// The README samples import the package by name: point the names at the sources (as the demo
// does), so tests never depend on a build being present.
const self = [
  {
    find: /^session-keeper\/react$/,
    replacement: resolve(import.meta.dirname, 'src/react/index.ts'),
  },
  {
    find: /^session-keeper\/backends$/,
    replacement: resolve(import.meta.dirname, 'src/backends/index.ts'),
  },
  {
    find: /^session-keeper\/testing$/,
    replacement: resolve(import.meta.dirname, 'src/testing/index.ts'),
  },
  { find: /^session-keeper$/, replacement: resolve(import.meta.dirname, 'src/index.ts') },
]

// Core tests run in Node; React tests in jsdom, twice: React 19 and React 18 (aliased from
// test/react18, with Testing Library and react-router inlined so their own imports of react resolve
// to 18 too).
// Browser (e2e) tests have their own runner, test/e2e/run.mjs: they need the demo built first.
export default defineConfig({
  test: {
    projects: [
      {
        resolve: { alias: self },
        test: {
          name: 'core',
          environment: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/react/**', 'test/e2e/**', 'test/integration/**', '**/node_modules/**'],
        },
      },
      {
        // Against real servers (Django + SimpleJWT, an OAuth 2.0 server) started by the tests on
        // 127.0.0.1: real timers, bounded waits. `npm run test:integration` runs only these.
        resolve: { alias: self },
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/browser/**', '**/node_modules/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        resolve: { alias: self },
        test: {
          name: 'react19',
          environment: 'jsdom',
          include: ['test/react/**/*.test.tsx'],
          provide: { reactMajor: '19' },
        },
      },
      {
        resolve: {
          alias: [
            ...self,
            // Testing Library's ESM build, so its own react imports go through these aliases too
            {
              find: /^@testing-library\/react$/,
              replacement: resolve(
                import.meta.dirname,
                'node_modules/@testing-library/react/dist/@testing-library/react.esm.js',
              ),
            },
            // react-router's ESM build likewise (its `node` condition picks the CommonJS one)
            {
              find: /^react-router$/,
              replacement: resolve(
                import.meta.dirname,
                'node_modules/react-router/dist/development/index.mjs',
              ),
            },
            { find: /^react-dom(\/.*)?$/, replacement: `${react18('react-dom')}$1` },
            { find: /^react(\/.*)?$/, replacement: `${react18('react')}$1` },
          ],
        },
        test: {
          name: 'react18',
          environment: 'jsdom',
          provide: { reactMajor: '18' },
          include: ['test/react/**/*.test.tsx'],
          server: { deps: { inline: [/@testing-library[\\/]react/, /[\\/]react-router[\\/]/] } },
        },
      },
    ],
  },
})
