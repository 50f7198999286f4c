// `npm run bench`: builds the library, then measures it. Prints every figure with its method and
// exits non-zero when a budget is missed. Not part of the unit tests (timings are noisy); the
// deterministic size budget is also checked by `npm test`.
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { runStampede } from './stampede.mjs'

const root = resolve(import.meta.dirname, '..')
execFileSync('npx', ['vite', 'build', '--logLevel', 'error'], { cwd: root, stdio: 'inherit' })
const lib = await import(pathToFileURL(resolve(root, 'dist/index.js')).href)

const failures = []
const check = (name, ok, value) => {
  if (!ok) failures.push(`${name} (got ${value})`)
}

const only = process.argv[2]
if (!only || only === 'stampede') await runStampede(lib, check)

if (failures.length) {
  console.error(`\nBudgets missed:\n- ${failures.join('\n- ')}`)
  process.exit(1)
}
console.log('\nAll budgets met.')
