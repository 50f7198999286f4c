// The deterministic part of the benchmarks, run by `npm test`: bundle sizes against their budget.
import { checkSizes, measureSizes, sizeTable } from './size.mjs'

const failures = []
const rows = await measureSizes()
console.table(sizeTable(rows))
checkSizes(rows, (name, ok, value) => {
  console.log(`size: ${name}: ${value} ${ok ? 'ok' : 'OVER BUDGET'}`)
  if (!ok) failures.push(name)
})
process.exit(failures.length ? 1 : 0)
