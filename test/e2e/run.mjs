// Browser tests: the demo, built and served on localhost, driven in Debian's Chromium by
// playwright-core. Time is moved with Playwright's clock, never waited for. Writes
// .artifacts/e2e.json (counts) and .artifacts/screenshots/*.png (the main states).
import { mkdirSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { buildDemo, findChromium, openBrowser, serveDemo, serveDemoDev } from './browser.mjs'
import { crossTabScenarios } from './cross-tab.mjs'
import { demoScenarios } from './demo.mjs'
import { kitScenarios } from './kit.mjs'
import { scenarios as demoFlows } from './scenarios.mjs'

const scenarios = { ...demoFlows, ...demoScenarios, ...kitScenarios, ...crossTabScenarios }

const root = resolve(import.meta.dirname, '../..')
const shots = resolve(root, '.artifacts/screenshots')
mkdirSync(shots, { recursive: true })

const only = process.argv[2]
const results = []
let server
let devServer // started only when a scenario asks for it
const dev = async () => (devServer ??= await serveDemoDev()).url
try {
  const chromiumPath = findChromium()
  buildDemo()
  server = await serveDemo()
  for (const [name, run] of Object.entries(scenarios)) {
    if (only && !name.includes(only)) continue
    const browser = await openBrowser(chromiumPath)
    const t0 = Date.now()
    try {
      await run({
        context: browser.context,
        url: server.url,
        dev,
        shot: (file, page, options) => page.screenshot({ path: resolve(shots, file), ...options }),
      })
      results.push({ name, status: 'passed', ms: Date.now() - t0 })
      console.log(`  ✓ ${name} (${Date.now() - t0} ms)`)
    } catch (error) {
      results.push({
        name,
        status: 'failed',
        ms: Date.now() - t0,
        error: String(error?.stack ?? error),
      })
      console.log(
        `  ✗ ${name} (${Date.now() - t0} ms)\n${String(error?.stack ?? error).replace(/^/gm, '      ')}`,
      )
    } finally {
      await browser.close()
    }
  }
} catch (error) {
  results.push({
    name: 'browser test setup',
    status: 'failed',
    error: String(error?.stack ?? error),
  })
  console.log(`  ✗ browser test setup\n${String(error?.stack ?? error)}`)
} finally {
  await server?.close()
  await devServer?.close()
}

const passed = results.filter((r) => r.status === 'passed').length
const failed = results.length - passed
writeFileSync(
  resolve(root, '.artifacts/e2e.json'),
  JSON.stringify(
    { numPassedTests: passed, numFailedTests: failed, numPendingTests: 0, results },
    null,
    2,
  ),
)
console.log(`e2e: ${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
