// Extracts the README's code samples into test/docs/samples/, so that `npm run typecheck`
// compiles every ts/tsx block and test/docs/readme.test.ts runs the ts ones against the mock API.
// The docs cannot drift from the code unnoticed.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')
export const samplesDir = resolve(root, 'test/docs/samples')

export function extractSamples() {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/^```(ts|tsx)\n([\s\S]*?)^```$/gm)]
  rmSync(samplesDir, { recursive: true, force: true })
  mkdirSync(samplesDir, { recursive: true })
  return blocks.map(([, lang, code], i) => {
    const file = `sample-${String(i + 1).padStart(2, '0')}.${lang}`
    // each sample is its own module; `export {}` keeps a sample without imports a module too
    writeFileSync(resolve(samplesDir, file), `${code}\nexport {}\n`)
    return { file, lang, code }
  })
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const samples = extractSamples()
  console.log(`readme: ${samples.length} samples extracted to test/docs/samples`)
}
