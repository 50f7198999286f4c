// Real-server browser tests: our contract served by a real Node HTTP server (api-server.mjs), the
// keeper bundled from src/ into a page on another origin, both on 127.0.0.1, driven in Debian's
// Chromium by playwright-core. Writes .artifacts/browser-real.json (counts, and what each
// scenario measured). Usage: node test/integration/browser/run.mjs [name filter]
import { runScenarios } from '../../e2e/browser.mjs'
import { startApiServer } from './api-server.mjs'
import { buildPage, servePage } from './harness.mjs'
import { lockScenarios } from './locks.mjs'
import { scenarios as serverScenarios } from './scenarios.mjs'

await runScenarios(
  'browser-real',
  { ...serverScenarios, ...lockScenarios },
  {
    only: process.argv[2],
    async setup() {
      buildPage()
      const page = await servePage()
      return {
        args(context) {
          const apis = []
          const startApi = async (options) => {
            const api = await startApiServer({ pageOrigin: page.origin('localhost'), ...options })
            apis.push(api)
            return api
          }
          return {
            context,
            page,
            startApi,
            release: () => Promise.all(apis.map((api) => api.close())),
          }
        },
        close: () => page.close(),
      }
    },
  },
)
