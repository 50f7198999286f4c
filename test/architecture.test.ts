// The house (DESIGN.md): data flows one way, react → keeper → session → leaves → core. This reads
// the import graph of src/ and fails on an import that runs up a floor or sideways between
// leaves, and on any cycle, so the layering cannot erode unnoticed.
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const src = resolve(import.meta.dirname, '../src')

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : /\.tsx?$/.test(e.name) ? [join(dir, e.name)] : [],
  )
}

/** The folder a file lives in (its floor), or `root` for src/keeper.ts and src/index.ts. */
const floorOf = (file: string) => {
  const rel = relative(src, file)
  return rel.includes('/') ? rel.split('/')[0]! : 'root'
}

const LEAVES = ['storage', 'sync', 'http', 'activity', 'backends']
/** Which floors each floor may import from (its own always). */
const ALLOWED: Record<string, string[]> = {
  core: [],
  ...Object.fromEntries(LEAVES.map((leaf) => [leaf, ['core']])),
  session: ['core', ...LEAVES],
  root: ['core', 'session', ...LEAVES],
  react: ['core'],
  testing: ['core'],
}

const graph = new Map<string, string[]>()
for (const file of files(src)) {
  const code = readFileSync(file, 'utf8')
  const specifiers = [...code.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1]!,
  )
  graph.set(
    file,
    specifiers.map((s) => {
      const base = resolve(dirname(file), s).replace(/\.js$/, '')
      return [`${base}.ts`, `${base}.tsx`].find(existsSync) ?? base
    }),
  )
}

describe('the house', () => {
  it('has the floors DESIGN.md names', () => {
    const floors = new Set([...graph.keys()].map(floorOf))
    for (const floor of ['core', 'session', 'root', ...LEAVES, 'react', 'testing'])
      expect(floors).toContain(floor)
  })

  it('no import runs up a floor or sideways between leaves', () => {
    const wrong: string[] = []
    for (const [file, imports] of graph)
      for (const target of imports) {
        const from = floorOf(file)
        const to = floorOf(target)
        if (from !== to && !ALLOWED[from]!.includes(to))
          wrong.push(`${relative(src, file)} → ${relative(src, target)}`)
      }
    expect(wrong).toEqual([])
  })

  it('has no import cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>()
    const cycles: string[] = []
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'visiting') {
        cycles.push(
          [...path.slice(path.indexOf(file)), file].map((f) => relative(src, f)).join(' → '),
        )
        return
      }
      state.set(file, 'visiting')
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
      state.set(file, 'done')
    }
    for (const file of graph.keys()) visit(file, [])
    expect(cycles).toEqual([])
  })

  it('nothing outside src/react imports React, and nothing in src imports the testing kit', () => {
    const wrong = [...graph.keys()].filter((file) => {
      const code = readFileSync(file, 'utf8')
      const floor = floorOf(file)
      return (
        (floor !== 'react' && floor !== 'testing' && /from 'react(-dom)?(\/[^']*)?'/.test(code)) ||
        (floor !== 'testing' && (graph.get(file) ?? []).some((t) => floorOf(t) === 'testing'))
      )
    })
    expect(wrong).toEqual([])
  })
})
