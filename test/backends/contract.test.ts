import { describe, expect, it } from 'vitest'
import { contract } from '../../src/backends/index.js'
import { defaultEndpoints } from '../../src/index.js'

describe('contract()', () => {
  const b = contract()

  it('builds the backend contract requests at the default paths', () => {
    expect(b.login({ email: 'a@b.c', password: 'pw' })).toEqual({
      url: defaultEndpoints.login,
      body: { email: 'a@b.c', password: 'pw' },
    })
    expect(b.register!({ email: 'a@b.c' })).toEqual({
      url: defaultEndpoints.register,
      body: { email: 'a@b.c' },
    })
    expect(b.refresh('r1')).toEqual({
      url: defaultEndpoints.refresh,
      body: { refresh_token: 'r1' },
    })
    expect(b.logout!({ accessToken: 'a1', refreshToken: 'r1' })).toEqual({
      url: defaultEndpoints.logout,
      bearer: 'a1',
    })
    expect(b.user!('a1')).toEqual({ url: defaultEndpoints.verify, method: 'GET', bearer: 'a1' })
    expect(b.health!('a1')).toEqual({ url: defaultEndpoints.health, method: 'GET', bearer: 'a1' })
  })

  it('cookie mode: the refresh body is empty and sign-out sends no bearer it does not have', () => {
    expect(b.refresh(null)).toEqual({ url: defaultEndpoints.refresh, body: {} })
    expect(b.logout!({ accessToken: null, refreshToken: null })).toEqual({
      url: defaultEndpoints.logout,
      bearer: null,
    })
  })

  it('moves paths with endpoints and reads answers with mapAuthResponse', () => {
    const custom = contract<{ id: number }>({
      endpoints: { login: '/auth/in', refresh: 'https://auth.example.com/renew' },
      mapAuthResponse: (body) => ({ accessToken: (body as { jwt: string }).jwt, user: { id: 7 } }),
    })
    expect(custom.login({}).url).toBe('/auth/in')
    expect(custom.refresh('r').url).toBe('https://auth.example.com/renew')
    expect(custom.user!('a').url).toBe(defaultEndpoints.verify)
    expect(custom.readTokens({ jwt: 'x' })).toEqual({ accessToken: 'x', user: { id: 7 } })
    expect(contract({ mapAuthResponse: () => null }).readTokens({ access_token: 'a' })).toBeNull()
  })

  it('reads tokens with the default mapper, and verify answers', () => {
    // the contract's answer carries the user: none in it is `null`, not "ask the server"
    expect(b.readTokens({ access_token: 'a', refresh_token: 'r', expires_in: 60 })).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 60,
      user: null,
    })
    expect(b.readTokens({ access_token: 'a', user: { id: 1 } })?.user).toEqual({ id: 1 })
    expect(b.readTokens({ error: 'nope' })).toBeNull()
    expect(b.readUser!({ valid: false })).toBeNull()
    expect(b.readUser!({ valid: true, user: { id: 1 } })).toEqual({ user: { id: 1 } })
    expect(b.readUser!({ valid: true })).toEqual({ user: null })
  })

  it('classifies 401/400 as refused, 408/429/5xx/network as transient', () => {
    const kind = (status: number | undefined) => b.classify!('login', { status, body: null })
    expect([401, 400, 403].map(kind)).toEqual(['refused', 'refused', 'refused'])
    expect([408, 429, 500, 503, undefined].map(kind)).toEqual(Array(5).fill('transient'))
  })
})
