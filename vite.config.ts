import { resolve } from 'node:path'
import { defineConfig } from 'vite'
import dts from 'vite-plugin-dts'

// Library build: four entries, ESM + CJS + .d.ts/.d.cts. Peer dependencies stay external;
// crypto-js is a dependency, but it is external too so apps dedupe it (its submodules are tiny).
const external = [/^react($|\/)/, /^react-dom($|\/)/, /^axios($|\/)/, /^msw($|\/)/, /^crypto-js\//]

export default defineConfig({
  plugins: [
    dts({
      include: ['src'],
      exclude: ['test', 'demo', 'bench'],
      outDirs: ['dist', { dir: 'dist', moduleFormat: 'cjs' }],
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    minify: false,
    sourcemap: true,
    lib: {
      entry: {
        index: resolve(import.meta.dirname, 'src/index.ts'),
        react: resolve(import.meta.dirname, 'src/react/index.ts'),
        testing: resolve(import.meta.dirname, 'src/testing/index.ts'),
        backends: resolve(import.meta.dirname, 'src/backends/index.ts'),
      },
      formats: ['es', 'cjs'],
      fileName: (format, name) => `${name}.${format === 'es' ? 'js' : 'cjs'}`,
    },
    rolldownOptions: { external },
  },
})
