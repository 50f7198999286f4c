// Browser tests: the demo, built and served on localhost, driven in Debian's Chromium by
// playwright-core. Time is moved with Playwright's clock, never waited for. Writes
// .artifacts/e2e.json (counts) and .artifacts/screenshots/*.png (the main states).
import { mkdirSync } from 'node:fs'
import { resolve } from 'node:path'
import { buildDemo, runScenarios, serveDemo, serveDemoDev } from './browser.mjs'
import { crossTabScenarios } from './cross-tab.mjs'
import { demoScenarios } from './demo.mjs'
import { kitScenarios } from './kit.mjs'
import { scenarios as demoFlows } from './scenarios.mjs'

const shots = resolve(import.meta.dirname, '../../.artifacts/screenshots')
mkdirSync(shots, { recursive: true })

await runScenarios(
  'e2e',
  { ...demoFlows, ...demoScenarios, ...kitScenarios, ...crossTabScenarios },
  {
    only: process.argv[2],
    async setup() {
      buildDemo()
      const server = await serveDemo()
      let devServer // started only when a scenario asks for it
      const dev = async () => (devServer ??= await serveDemoDev()).url
      return {
        args: (context) => ({
          context,
          url: server.url,
          dev,
          shot: (file, page, options) =>
            page.screenshot({ path: resolve(shots, file), ...options }),
        }),
        async close() {
          await server.close()
          await devServer?.close()
        },
      }
    },
  },
)
