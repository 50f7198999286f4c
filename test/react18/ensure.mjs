// The React tests run twice: against React 19 (the dev dependency) and React 18, installed from
// its own lock file into test/react18 so the two never mix in one tree.
//
// Run by the root `prepare` script, so `npm ci` (and `npm install`) at the root installs it too and
// `npm test` needs no network. `--check` (run by `npm run test:unit`) only says what is missing.
// `npm pack` / `npm publish` also run `prepare`: nothing to do for them.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { resolve } from 'node:path'

const dir = import.meta.dirname
const want = JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')).dependencies
const installed = (name) => {
  const file = resolve(dir, 'node_modules', name, 'package.json')
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')).version : null
}
const ready = () => Object.entries(want).every(([name, version]) => installed(name) === version)

if (['pack', 'publish'].includes(process.env.npm_command ?? '')) process.exit(0)
if (ready()) process.exit(0)
if (process.argv.includes('--check')) {
  console.error(
    'React 18 for the react18 test project is not installed: run `npm ci` (or `node test/react18/ensure.mjs`).',
  )
  process.exit(1)
}
execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', dir], { stdio: 'inherit' })
if (!ready()) throw new Error('test/react18: React 18 did not install')
