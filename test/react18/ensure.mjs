// The React tests run twice: against React 19 (the dev dependency) and React 18, installed from
// its own lock file into test/react18 so the two never mix in one tree.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'

const dir = import.meta.dirname
if (!existsSync(resolve(dir, 'node_modules/react-dom/package.json'))) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--prefix', dir], { stdio: 'inherit' })
}
