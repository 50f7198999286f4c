// The deterministic part of the benchmarks, run by `npm test`: bundle sizes against the budget
// (the same budget `npm run bench` checks, see bench/size.mjs), vite and esbuild side by side,
// the larger of the two checked. The per-file breakdown is printed by `npm run bench` only.
import { checkSizes, measureSizes, sizeTable } from './size.mjs'

const failures = []
const rows = await measureSizes()
console.table(sizeTable(rows))
checkSizes(rows, (name, ok, value) => {
  console.log(`size budget: ${name}: ${value} ${ok ? 'ok' : 'OVER'}`)
  if (!ok) failures.push(name)
})
process.exit(failures.length ? 1 : 0)
