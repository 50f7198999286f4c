import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { extractSamples, samplesDir } from './samples.mjs'
import { createMockAuthApi } from '../../src/testing/index.js'

// The README's TypeScript samples, run as written against the mock API on the origin they use.
// (tsx samples are type-checked by `npm run typecheck`; they need a DOM and a React root.)
const samples = extractSamples()

afterEach(() => vi.restoreAllMocks())

describe('README samples', () => {
  it('has samples to check', () => {
    expect(samples.filter((s) => s.lang === 'ts').length).toBeGreaterThanOrEqual(6)
    expect(samples.filter((s) => s.lang === 'tsx').length).toBeGreaterThanOrEqual(1)
  })

  for (const sample of samples.filter((s) => s.lang === 'ts')) {
    it(`runs ${sample.file}: ${sample.code.split('\n').find((l) => l.startsWith('//') || l.startsWith('const')) ?? ''}`, async () => {
      const logs: unknown[][] = []
      vi.spyOn(console, 'log').mockImplementation((...args) => void logs.push(args))
      // samples that set up their own mock server do so; the others get one
      const own = sample.code.includes('setupServer')
      const server = own
        ? null
        : setupServer(...createMockAuthApi({ baseURL: 'https://api.example.com' }).handlers)
      server?.listen({ onUnhandledRequest: 'error' })
      try {
        await import(/* @vite-ignore */ `${samplesDir}/${sample.file}`)
      } finally {
        server?.close()
      }
      // what the samples say they print, they print
      if (sample.code.includes("console.log(data.user) // 'ada'"))
        expect(logs).toContainEqual(['ada'])
      if (sample.code.includes('console.log(api.counts.health) // 1')) {
        expect(logs).toContainEqual([false, { status: 'unauthenticated', reason: 'incompatible' }])
        expect(logs).toContainEqual([1])
      }
    })
  }
})
