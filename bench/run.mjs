// `npm run bench`: builds the library, then measures it. Prints every figure with its method and
// exits non-zero when a budget is missed. Not part of the unit tests (timings are noisy); the
// deterministic size budget is also checked by `npm test`.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runActivity } from './activity.mjs'
import { runHotPath } from './hotpath.mjs'
import { checkSizes, measureBreakdown, measureSizes, printBreakdown, sizeTable } from './size.mjs'
import { runStampede } from './stampede.mjs'
import { runStartup } from './startup.mjs'

const root = resolve(import.meta.dirname, '..')
execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' })
const lib = await import(pathToFileURL(resolve(root, 'dist/index.js')).href)

const failures = []
const check = (name, ok, value) => {
  if (!ok) failures.push(`${name} (got ${value})`)
}

const only = process.argv[2]
const suites = {
  async size() {
    const rows = await measureSizes()
    console.log(
      '\nBundle size: each entry bundled and fully minified, "vite / esbuild" (rolldown + oxc, and esbuild,',
    )
    console.log(
      'both targeting baseline-widely-available), axios, react and msw external; "own code" leaves crypto-js',
    )
    console.log(
      'out too. gzip level 9, brotli default. The last two rows are, for scale, a hand-built stack with',
    )
    console.log(
      'no cross-tab lock, health check or tamper detection. The budget holds for the larger.',
    )
    console.table(sizeTable(rows))
    printBreakdown(await measureBreakdown())
    checkSizes(rows, check)
  },
  hotpath: () => runHotPath(lib, check),
  startup: () => runStartup(lib, check),
  activity: () => runActivity(lib, check),
  stampede: () => runStampede(lib, check),
}
for (const [name, run] of Object.entries(suites)) if (!only || only === name) await run()

if (failures.length) {
  console.error(`\nBudgets missed:\n- ${failures.join('\n- ')}`)
  process.exit(1)
}
console.log('\nAll budgets met.')
