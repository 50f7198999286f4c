// Real-server browser tests: our contract served by a real Node HTTP server (api-server.mjs), the
// keeper bundled from src/ into a page on another origin, both on 127.0.0.1, driven in Debian's
// Chromium by playwright-core. Writes .artifacts/browser-real.json (counts, and what each
// scenario measured). Usage: node test/integration/browser/run.mjs [name filter]
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { findChromium, openBrowser } from '../../e2e/browser.mjs'
import { startApiServer } from './api-server.mjs'
import { buildPage, servePage } from './harness.mjs'
import { lockScenarios } from './locks.mjs'
import { scenarios as serverScenarios } from './scenarios.mjs'

const scenarios = { ...serverScenarios, ...lockScenarios }

const root = resolve(import.meta.dirname, '../../..')
mkdirSync(resolve(root, '.artifacts'), { recursive: true })

const only = process.argv[2]
const results = []
let page
try {
  const chromiumPath = findChromium()
  buildPage()
  page = await servePage()
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !name.includes(only)) continue
    const browser = await openBrowser(chromiumPath)
    const apis = []
    const startApi = async (options) => {
      const api = await startApiServer({ pageOrigin: page.origin('localhost'), ...options })
      apis.push(api)
      return api
    }
    const t0 = Date.now()
    try {
      const measured = await run({ context: browser.context, page, startApi })
      results.push({ name, status: 'passed', ms: Date.now() - t0, measured })
      console.log(
        `  ✓ ${name} (${Date.now() - t0} ms)${measured ? ' ' + JSON.stringify(measured) : ''}`,
      )
    } catch (error) {
      const text = String(error?.stack ?? error)
      results.push({ name, status: 'failed', ms: Date.now() - t0, error: text })
      console.log(`  ✗ ${name}\n${text.replace(/^/gm, '      ')}`)
    } finally {
      await browser.close()
      await Promise.all(apis.map((api) => api.close()))
    }
  }
} catch (error) {
  results.push({
    name: 'browser-real setup',
    status: 'failed',
    error: String(error?.stack ?? error),
  })
  console.log(`  ✗ browser-real setup\n${String(error?.stack ?? error)}`)
} finally {
  await page?.close()
}

const passed = results.filter((r) => r.status === 'passed').length
const failed = results.length - passed
writeFileSync(
  resolve(root, '.artifacts/browser-real.json'),
  JSON.stringify(
    { numPassedTests: passed, numFailedTests: failed, numPendingTests: 0, results },
    null,
    2,
  ),
)
console.log(`browser-real: ${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
