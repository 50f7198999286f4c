// Prints the one line CI counts ("N passed, N failed") from the JSON reports the test runs left
// in .artifacts/. A missing report counts as a failure: a suite that did not run did not pass.
import { existsSync, readFileSync } from 'node:fs'

const reports = [
  ['unit', '.artifacts/vitest.json'],
  ['browser', '.artifacts/e2e.json'],
  ['browser against a real server', '.artifacts/browser-real.json'],
]
let passed = 0
let failed = 0
for (const [name, file] of reports) {
  if (!existsSync(file)) {
    console.log(`summary: the ${name} tests left no report (${file})`)
    failed += 1
    continue
  }
  const r = JSON.parse(readFileSync(file, 'utf8'))
  passed += r.numPassedTests
  failed += r.numFailedTests + (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0)
  console.log(`summary: ${name}: ${r.numPassedTests} passed, ${r.numFailedTests} failed`)
}
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 ? 1 : 0)
