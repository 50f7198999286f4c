import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'vite'

const src = (p: string) => resolve(import.meta.dirname, '../src', p)

// The demo imports the package by its public names; here they point at the sources, so the demo
// always shows the code in this checkout.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  resolve: {
    alias: [
      { find: /^session-keeper\/react$/, replacement: src('react/index.ts') },
      { find: /^session-keeper\/testing$/, replacement: src('testing/index.ts') },
      { find: /^session-keeper$/, replacement: src('index.ts') },
    ],
  },
  server: { port: 5173, host: 'localhost' },
  preview: { host: 'localhost' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 1500, // the demo bundles msw's browser build on purpose
    rolldownOptions: {
      input: {
        main: resolve(import.meta.dirname, 'index.html'),
        payment: resolve(import.meta.dirname, 'payment.html'),
        kit: resolve(import.meta.dirname, 'kit.html'),
      },
    },
  },
})
