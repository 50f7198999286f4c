import { setupServer } from 'msw/node'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSessionKeeper } from '../../src/index.js'
import { createMockAuthApi } from '../../src/testing/index.js'

// The testing kit as the README tells users to use it: in their own vitest, Node environment,
// with MSW's setupServer.
describe('createMockAuthApi under msw/node', () => {
  afterEach(() => {
    vi.unstubAllGlobals()
  })

  it('works in Node 25+, whose global localStorage has no getItem/setItem without --localstorage-file', async () => {
    // Node 25 defines `localStorage` by default; without --localstorage-file it is an empty object.
    vi.stubGlobal('localStorage', {})
    const api = createMockAuthApi({ baseURL: 'https://api.example.com', accessTtlMs: 60_000 })
    const server = setupServer(...api.handlers)
    server.listen({ onUnhandledRequest: 'error' })
    const keeper = createSessionKeeper({
      baseURL: 'https://api.example.com',
      storage: 'memory',
      crossTab: false,
      environment: { window: null, document: null, openChannel: null, locks: null },
    })
    try {
      keeper.start()
      await keeper.login({ username: 'ada', password: 'lovelace' })
      expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated' })
      expect(api.counts.login).toBe(1)
    } finally {
      keeper.destroy()
      server.close()
    }
  })
})
