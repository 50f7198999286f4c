import { http as mswHttp, HttpResponse } from 'msw'
import { describe, expect, it, vi } from 'vitest'
import { simpleJwt } from '../../src/backends/index.js'
import { SessionError } from '../../src/index.js'
import { jwt } from '../backends/jwt.js'
import {
  API,
  MemoryStorage,
  SECRET,
  handKeptTokens,
  pass,
  recordEvents,
  recordResponses,
  settle,
  useMockApi,
} from '../harness.js'

const { api, server, makeKeeper } = useMockApi()
const ada = { username: 'ada', password: 'lovelace' }

describe('login, reload, logout', () => {
  it('restores the session in a new keeper over the same storage, with no network call', async () => {
    const storage = new MemoryStorage()
    const first = makeKeeper({ storage })
    first.start()
    const user = await first.login(ada)
    expect(user).toMatchObject({ username: 'ada', name: 'Ada Lovelace' })
    expect(first.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada' },
    })

    const before = { ...api().counts }
    const reloaded = makeKeeper({ storage, verifyOnRestore: true })
    expect(reloaded.getSnapshot().status).toBe('loading')
    reloaded.start()
    // authenticated the moment start() returns: nothing awaited
    expect(reloaded.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada', name: 'Ada Lovelace' },
    })
    expect(api().counts.login).toBe(before.login)
    expect(api().counts.refresh).toBe(before.refresh)
  })

  it('starts unauthenticated with no reason when nothing is stored', () => {
    const keeper = makeKeeper()
    keeper.start()
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
  })

  it('logout clears the slot at once and tells the server', async () => {
    const storage = new MemoryStorage()
    const keeper = makeKeeper({ storage })
    keeper.start()
    const events = recordEvents(keeper)
    await keeper.login(ada)
    expect(storage.getItem('session-keeper')).not.toBeNull()
    const done = keeper.logout()
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    expect(storage.getItem('session-keeper')).toBeNull()
    await done
    expect(api().counts.logout).toBe(1)
    expect(events.map((e) => e.type)).toEqual(['loggedIn', 'loggedOut'])
    expect(events[1]).toEqual({ type: 'loggedOut', reason: 'logout' })
  })

  it('logout() before start() (a /logout route loader runs before the provider mounts) stays signed out, and tells the server', async () => {
    const storage = new MemoryStorage()
    const first = makeKeeper({ storage })
    first.start()
    await first.login(ada)
    first.destroy() // the page closes
    const reloaded = makeKeeper({ storage })
    await reloaded.logout()
    expect(reloaded.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    reloaded.start()
    // the stored session must not come back: the user asked to sign out
    expect(reloaded.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
    expect(storage.getItem('session-keeper')).toBeNull()
    expect(api().counts.logout).toBe(1)
  })

  it.each([500, 'network'] as const)(
    'logs out locally when the server logout fails (%s)',
    async (failure) => {
      const keeper = makeKeeper()
      keeper.start()
      await keeper.login(ada)
      api().failNext('logout', failure)
      await expect(keeper.logout()).resolves.toBeUndefined()
      expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'logout' })
      expect(api().counts.logout).toBe(1)
    },
  )

  it('a sign-out the server did not hear is said again even when someone signs in meanwhile (account switch)', async () => {
    const adas = await handKeptTokens()
    vi.useFakeTimers()
    const keeper = makeKeeper()
    keeper.start()
    keeper.setSession({ ...adas, user: { username: 'ada' } })
    api().failNext('logout', 503)
    await settle(keeper.logout()) // not heard: Ada's refresh token still lives on the server
    await settle(keeper.login({ username: 'grace', password: 'hopper' }))
    await pass(10_000)
    expect(api().counts.logout).toBe(2)
    const refresh = await fetch(`${API}/api/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: adas.refreshToken }),
    })
    expect(refresh.status).toBe(401) // Ada's session is over on the server
    expect(keeper.getSnapshot()).toMatchObject({ user: { username: 'grace' } })
  })

  it('rejects a wrong password with invalid_credentials and keeps the state', async () => {
    const keeper = makeKeeper()
    keeper.start()
    const error = await keeper.login({ username: 'ada', password: 'wrong' }).catch((e) => e)
    expect(error).toBeInstanceOf(SessionError)
    expect(error).toMatchObject({ code: 'invalid_credentials', status: 401 })
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
  })

  it.each([503, 'network'] as const)(
    'reports a login that met %s as unavailable',
    async (failure) => {
      const keeper = makeKeeper()
      api().failNext('login', failure)
      await expect(keeper.login(ada)).rejects.toMatchObject({
        name: 'SessionError',
        code: 'unavailable',
      })
    },
  )

  it('treats a 201 from register as success and signs in', async () => {
    const keeper = makeKeeper()
    keeper.start()
    const events = recordEvents(keeper)
    const user = await keeper.register({ username: 'linus', password: 'kernel', name: 'Linus' })
    expect(user).toMatchObject({ username: 'linus', name: 'Linus' })
    expect(keeper.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'linus' },
    })
    expect(events[0]).toMatchObject({ type: 'loggedIn', user: { username: 'linus' } })
    const { data } = await keeper.http.get('/api/data')
    expect(data.user).toBe('linus')
  })

  it('a registration that signs nobody in yet (email confirmation) resolves, still signed out', async () => {
    server.use(
      mswHttp.post(`${API}/api/auth/register`, () =>
        HttpResponse.json({ user: { username: 'linus' } }, { status: 201 }),
      ),
    )
    const storage = new MemoryStorage()
    const keeper = makeKeeper({ storage })
    keeper.start()
    const events = recordEvents(keeper)
    const user = await keeper.register({ username: 'linus', password: 'kernel' })
    expect(user).toEqual({ username: 'linus' })
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
    expect(events).toEqual([])
    expect(storage.getItem('session-keeper')).toBeNull()
  })

  it('a login answered 200 with no token is unavailable, and signs nobody in', async () => {
    server.use(
      mswHttp.post(`${API}/api/auth/login`, () => HttpResponse.json({ user: { username: 'ada' } })),
    )
    const keeper = makeKeeper()
    keeper.start()
    await expect(keeper.login(ada)).rejects.toMatchObject({ code: 'unavailable' })
    expect(keeper.getSnapshot()).toEqual({ status: 'unauthenticated', reason: null })
  })

  it('a refused registration is invalid_credentials with its status', async () => {
    const keeper = makeKeeper()
    await expect(keeper.register({ username: 'ada', password: 'whatever' })).rejects.toMatchObject({
      code: 'invalid_credentials',
      status: 409,
    })
  })

  it('sends the bearer token to the API once started', async () => {
    const keeper = makeKeeper()
    keeper.start()
    await keeper.login(ada)
    const { data } = await keeper.http.get('/api/data')
    expect(data).toMatchObject({ user: 'ada' })
  })

  it('stores no token text: the slot holds only the sealed envelope', async () => {
    const storage = new MemoryStorage()
    const keeper = makeKeeper({ storage })
    let tokens: string[] = []
    keeper.http.interceptors.response.use((r) => {
      if (r.data?.access_token) tokens = [r.data.access_token, r.data.refresh_token]
      return r
    })
    await keeper.login(ada)
    const raw = storage.getItem('session-keeper')!
    expect(tokens).toHaveLength(2)
    for (const t of tokens) {
      expect(raw).not.toContain(t)
      for (const part of t.split('.')) expect(raw).not.toContain(part)
    }
    // No plaintext JSON (base64 and hex never hold a quote) and no user name. Short markers such as
    // 'eyJ' or 'ada' would turn up in random ciphertext now and then.
    expect(raw).not.toMatch(/"|Lovelace/)
    expect(raw.startsWith('sk1.')).toBe(true)
  })

  it('exposes the logged-in user only through the snapshot and events, never a token', async () => {
    const keeper = makeKeeper()
    keeper.start()
    const events = recordEvents(keeper)
    await keeper.login(ada)
    await keeper.logout()
    const text = JSON.stringify([keeper.getSnapshot(), events])
    expect(text).not.toMatch(/eyJ/)
  })

  it('start() is reference-counted and destroy() ejects the interceptors', async () => {
    const keeper = makeKeeper()
    const count = () =>
      (keeper.http.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(
        Boolean,
      ).length
    const stop1 = keeper.start()
    const stop2 = keeper.start()
    expect(count()).toBe(1)
    stop1()
    stop1()
    expect(count()).toBe(1)
    stop2()
    expect(count()).toBe(0)
    keeper.start()
    keeper.destroy()
    expect(count()).toBe(0)
  })

  it('uses an axios instance handed in', async () => {
    const axios = (await import('axios')).default
    const http = axios.create({ baseURL: API })
    const keeper = makeKeeper({ http })
    expect(keeper.http).toBe(http)
    keeper.start()
    await keeper.login(ada)
    expect((await http.get('/api/data')).data.user).toBe('ada')
  })

  it('a second secret cannot read the first one’s session', async () => {
    const storage = new MemoryStorage()
    await makeKeeper({ storage }).login(ada)
    const other = makeKeeper({ storage, secret: SECRET + '-other' })
    const events = recordEvents(other)
    other.start()
    expect(other.getSnapshot()).toEqual({ status: 'unauthenticated', reason: 'tampered' })
    expect(events).toEqual([{ type: 'storageError', reason: 'tampered' }])
  })
})

describe('setSession: moving off tokens kept by hand', () => {
  /** The raw tokens an app kept, with the mock's counts forgotten. */
  async function handKept() {
    const tokens = await handKeptTokens()
    api().resetCounts()
    return tokens
  }

  /** Those tokens a minute past their `exp` (the mock's access tokens last 15 minutes), and a started keeper. */
  async function heldPastExp() {
    const tokens = await handKept()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 900_000 + 60_000)
    const keeper = makeKeeper()
    keeper.start()
    return { tokens, keeper }
  }

  it('signs in with them, no login call, fetches the user, and a reload restores the session', async () => {
    const tokens = await handKept()
    const storage = new MemoryStorage()
    const keeper = makeKeeper({ storage })
    keeper.start()
    const events = recordEvents(keeper)
    const named = new Promise((resolve) =>
      keeper.subscribe(() => {
        const s = keeper.getSnapshot()
        if (s.status === 'authenticated' && s.user) resolve(s.user)
      }),
    )
    keeper.setSession(tokens)
    expect(keeper.getSnapshot()).toMatchObject({ status: 'authenticated', user: null })
    expect(events[0]).toEqual({ type: 'loggedIn', user: null })
    const { data } = await keeper.http.get('/api/data')
    expect(data.user).toBe('ada')
    expect(await named).toMatchObject({ name: 'Ada Lovelace' }) // from the background verify
    expect(api().counts).toMatchObject({ login: 0, refresh: 0, verify: 1 })
    const blob = storage.getItem('session-keeper')!
    expect(blob).not.toContain(tokens.refreshToken)
    const reloaded = makeKeeper({ storage })
    reloaded.start()
    expect(reloaded.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada' },
    })
  })

  it('held tokens past their exp are refreshed once before the first request: N requests, N+1 hits', async () => {
    const { tokens, keeper } = await heldPastExp()
    const responses = recordResponses(server)
    keeper.setSession({ ...tokens, user: { username: 'ada' } })
    // the snapshot claims no validity the token lacks
    const snap = keeper.getSnapshot()
    expect(snap.status === 'authenticated' && snap.expiresAt! <= Date.now()).toBe(true)
    const results = await Promise.all(Array.from({ length: 5 }, () => keeper.http.get('/api/data')))
    expect(results.map((r) => r.data.user)).toEqual(['ada', 'ada', 'ada', 'ada', 'ada'])
    expect(api().counts).toMatchObject({ refresh: 1, data: 5, verify: 0 })
    expect(responses.seen.filter((r) => r.status === 401)).toEqual([])
    responses.stop()
  })

  it('held tokens past their exp, with no user: the user is fetched after the refresh they need', async () => {
    const { tokens, keeper } = await heldPastExp()
    const named = new Promise((resolve) =>
      keeper.subscribe(() => {
        const s = keeper.getSnapshot()
        if (s.status === 'authenticated' && s.user) resolve(s.user)
      }),
    )
    keeper.setSession(tokens)
    // the background verify waits for the refresh, then asks with the new token
    await keeper.http.get('/api/data')
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(api().counts).toMatchObject({ refresh: 1, verify: 1 })
    expect(keeper.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { username: 'ada', name: 'Ada Lovelace' },
    })
    expect(await named).toMatchObject({ username: 'ada' })
  })

  it('simpleJwt() without userPath: hand-kept tokens show the user from the access token’s claims at once', () => {
    const keeper = makeKeeper({ backend: simpleJwt() })
    keeper.start()
    const now = Math.floor(Date.now() / 1000)
    const access = jwt({
      user_id: 7,
      username: 'ada',
      token_type: 'access',
      iat: now,
      exp: now + 300,
    })
    keeper.setSession({ accessToken: access, refreshToken: 'r1' })
    // as a sign-in with the same tokens would show it (the user is the claims), not null until the
    // first refresh five minutes later
    expect(keeper.getSnapshot()).toMatchObject({
      status: 'authenticated',
      user: { user_id: 7, username: 'ada' },
    })
  })

  it('held tokens still valid are used as they are, timed by their own exp', async () => {
    const tokens = await handKept()
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 600_000) // 10 of the token's 15 minutes have passed
    const keeper = makeKeeper()
    keeper.start()
    keeper.setSession({ ...tokens, user: { username: 'ada' } })
    const snap = keeper.getSnapshot()
    expect(snap.status === 'authenticated' && snap.expiresAt! - Date.now()).toBeLessThanOrEqual(
      300_000,
    )
    await keeper.http.get('/api/data')
    expect(api().counts).toMatchObject({ refresh: 0, data: 1 })
  })

  it.each([
    ['an empty access token', { accessToken: '' }],
    ['no access token', {}],
    ['a refresh token that is not a string', { accessToken: 'x', refreshToken: 42 }],
    ['nothing', null],
  ])('%s is refused with invalid_credentials, and the session stays', async (_, tokens) => {
    const keeper = makeKeeper()
    keeper.start()
    await keeper.login(ada)
    const before = keeper.getSnapshot()
    let error: unknown
    try {
      keeper.setSession(tokens as never)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(SessionError)
    expect(error).toMatchObject({ code: 'invalid_credentials' })
    expect(keeper.getSnapshot()).toBe(before)
  })
})
