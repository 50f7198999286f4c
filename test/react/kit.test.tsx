import { describe, expect, it, vi } from 'vitest'
import { createSessionKeeper } from '../../src/index.js'
import { API, ADA, SECRET, handKeptTokens, useMockApi } from '../harness.js'

// The testing kit as a browser app uses it (jsdom here: it has localStorage). A page load is a fresh
// module instance of the kit, as after a reload or in a new tab.
const { server } = useMockApi({}, { dom: true })

async function freshPage() {
  vi.resetModules()
  return (await import('../../src/testing/index.js')).createMockAuthApi
}

const keeperOf = () =>
  createSessionKeeper({
    baseURL: API,
    secret: SECRET,
    storage: 'local',
    crossTab: false,
    healthInterval: false,
  })

describe('createMockAuthApi in the browser', () => {
  it('remembers its server across a reload by default: the restored session is still good', async () => {
    const first = (await freshPage())({ baseURL: API })
    server.use(...first.handlers)
    const before = keeperOf()
    before.start()
    await before.login(ADA)
    before.destroy()

    const second = (await freshPage())({ baseURL: API }) // the page reloaded
    server.resetHandlers(...second.handlers)
    const after = keeperOf()
    after.start() // restores, then asks verify
    await vi.waitFor(() => expect(second.counts.verify).toBe(1))
    await after.refresh()
    expect(after.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada' },
    })
    expect(second.counts.login).toBe(1) // the same server: it counted the first page's sign-in
    after.destroy()
  })

  it('with persist: false, a reload meets a new server and the restored session ends', async () => {
    const first = (await freshPage())({ baseURL: API, persist: false })
    server.use(...first.handlers)
    const before = keeperOf()
    before.start()
    await before.login(ADA)
    before.destroy()
    expect(Object.keys(localStorage)).toEqual(['session-keeper']) // only the keeper's own slot

    const second = (await freshPage())({ baseURL: API, persist: false })
    server.resetHandlers(...second.handlers)
    const after = keeperOf()
    after.start()
    await vi.waitFor(() => expect(after.getSnapshot().status).toBe('unauthenticated'))
    after.destroy()
  })

  it('a second mock made in the same page is a new server (a fresh mock per test)', async () => {
    const create = await freshPage()
    const one = create({ baseURL: API })
    server.use(...one.handlers)
    const { accessToken } = await handKeptTokens()
    const request = new Request(`${API}/api/orders`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
    expect(one.authorize(request)?.username.toUpperCase()).toBe('ADA') // typed: username is a string
    const two = create({ baseURL: API })
    expect(two.counts.login).toBe(0)
    expect(two.authorize(request)).toBeNull()
  })
})

describe('rotation grace window (default 5 s)', () => {
  const refresh = (token: string) =>
    fetch(`${API}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    })

  it('accepts a just-replaced refresh token for a few seconds, then treats reuse as theft', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const { refreshToken } = await handKeptTokens()
    const rotated = (await (await refresh(refreshToken)).json()) as { refresh_token: string }
    vi.setSystemTime(Date.now() + 4_000)
    expect((await refresh(refreshToken)).status).toBe(200) // a second tab that raced: fine
    vi.setSystemTime(Date.now() + 2_000)
    expect((await refresh(refreshToken)).status).toBe(401) // reused after the window: revoked
    expect((await refresh(rotated.refresh_token)).status).toBe(401) // the whole session
  })

  it('reuseGraceMs: 0 makes any reuse revoke the session', async () => {
    const create = await freshPage()
    server.resetHandlers(...create({ baseURL: API, reuseGraceMs: 0, persist: false }).handlers)
    const { refreshToken } = await handKeptTokens()
    expect((await refresh(refreshToken)).status).toBe(200)
    expect((await refresh(refreshToken)).status).toBe(401)
  })
})
