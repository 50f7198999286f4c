import { resolve } from 'node:path'
import { defineConfig } from 'vite'

// The test page: the keeper bundled from this checkout's sources (the package name points at src/),
// built by the runner before Chromium starts, never inside vitest (TOOLCHAIN.md, pitfall 5).
export default defineConfig({
  root: resolve(import.meta.dirname, 'page'),
  resolve: {
    alias: [
      {
        find: /^session-keeper$/,
        replacement: resolve(import.meta.dirname, '../../../src/index.ts'),
      },
    ],
  },
  build: {
    outDir: resolve(import.meta.dirname, '../../../.artifacts/browser-real-page'),
    emptyOutDir: true,
    target: 'es2022',
    minify: false,
  },
})
