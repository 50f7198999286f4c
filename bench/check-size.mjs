// The deterministic part of the benchmarks, run by `npm test`: bundle sizes against the ceiling
// (a ratchet at today's size; issue 9's smaller budget is checked by `npm run bench`).
import { CEILING, checkSizes, measureSizes, sizeTable } from './size.mjs'

const failures = []
const rows = await measureSizes()
console.table(sizeTable(rows))
checkSizes(
  rows,
  (name, ok, value) => {
    console.log(`size ceiling: ${name}: ${value} ${ok ? 'ok' : 'OVER'}`)
    if (!ok) failures.push(name)
  },
  CEILING,
)
process.exit(failures.length ? 1 : 0)
