import { describe, expect, it } from 'vitest'
import { simpleJwt } from '../../src/backends/index.js'
import { jwt } from './jwt.js'

describe('simpleJwt()', () => {
  it("builds SimpleJWT's requests under the prefix, with Django's trailing slashes", () => {
    const b = simpleJwt({ prefix: '/auth/jwt/' })
    expect(b.login({ username: 'ann', password: 'pw' })).toEqual({
      url: '/auth/jwt/',
      body: { username: 'ann', password: 'pw' },
    })
    expect(b.refresh('r1')).toEqual({ url: '/auth/jwt/refresh/', body: { refresh: 'r1' } })
    expect(b.refresh(null)).toEqual({ url: '/auth/jwt/refresh/', body: {} })
    expect(simpleJwt().login({}).url).toBe('/api/token/')
  })

  it('has no health call, no register, and signs out only with blacklist', () => {
    const plain = simpleJwt()
    expect(plain.health).toBeUndefined()
    expect(plain.register).toBeUndefined()
    expect(plain.logout!({ accessToken: 'a', refreshToken: 'r' })).toBeNull()
    const bl = simpleJwt({ blacklist: true })
    expect(bl.logout!({ accessToken: 'a', refreshToken: 'r' })).toEqual({
      url: '/api/token/blacklist/',
      body: { refresh: 'r' },
    })
    expect(bl.logout!({ accessToken: 'a', refreshToken: null })).toBeNull()
  })

  it('follows rotation: a new refresh replaces the kept one, none keeps it', () => {
    const b = simpleJwt()
    const access = jwt({ user_id: 1, iat: 100, exp: 104 })
    expect(b.readTokens({ access, refresh: 'r2' })?.refreshToken).toBe('r2')
    const kept = b.readTokens({ access })!
    expect('refreshToken' in kept).toBe(false)
    expect(b.readTokens({ refresh: 'r' })).toBeNull()
    expect(b.readTokens({ access: '' })).toBeNull()
  })

  it("reads the lifetime as exp minus the same answer's refresh iat, not the access iat", () => {
    const b = simpleJwt()
    // SimpleJWT 5.2 after a refresh: the access token carries the old refresh token's iat (100)
    const access = jwt({ user_id: 1, iat: 100, exp: 107, token_type: 'access' })
    const refresh = jwt({ user_id: 1, iat: 103, exp: 200, token_type: 'refresh' })
    expect(b.readTokens({ access, refresh })?.expiresIn).toBe(4)
    // rotation off: the lifetime learned from the last pair is reused
    expect(b.readTokens({ access: jwt({ iat: 100, exp: 111 }) })?.expiresIn).toBe(4)
    // nothing learned: left to the token's claims
    expect(simpleJwt().readTokens({ access })).not.toHaveProperty('expiresIn')
  })

  it("without userPath the user is the access token's claims, and there is no user call", () => {
    const b = simpleJwt()
    const access = jwt({ user_id: 42, iat: 1, exp: 5 })
    expect(b.readTokens({ access, refresh: 'opaque' })?.user).toEqual({
      user_id: 42,
      iat: 1,
      exp: 5,
    })
    expect(b.user).toBeUndefined()
  })

  it('with userPath: GET it with the bearer, the body is the user, tokens carry none', () => {
    const b = simpleJwt({ userPath: '/api/me/' })
    expect(b.user!('a1')).toEqual({ url: '/api/me/', method: 'GET', bearer: 'a1' })
    expect(b.readUser!({ id: 1, username: 'ann' })).toEqual({ user: { id: 1, username: 'ann' } })
    expect(b.readTokens({ access: jwt({ iat: 1, exp: 5 }) })).not.toHaveProperty('user')
  })

  it('classifies 401 as refused, a 400 naming fields as config, 5xx/network as transient', () => {
    const c = simpleJwt().classify!
    const noAccount = { detail: 'No active account found with the given credentials' }
    expect(c('login', { status: 401, body: noAccount })).toBe('refused')
    const notValid = { detail: 'Token is blacklisted', code: 'token_not_valid' }
    expect(c('refresh', { status: 401, body: notValid })).toBe('refused')
    expect(c('refresh', { status: 400, body: { refresh: ['This field is required.'] } })).toBe(
      'config',
    )
    expect(c('login', { status: 400, body: { username: ['This field is required.'] } })).toBe(
      'config',
    )
    expect(c('login', { status: 400, body: { detail: 'Bad' } })).toBe('refused')
    expect(c('refresh', { status: 502, body: '<html>' })).toBe('transient')
    expect(c('refresh', { status: undefined, body: undefined })).toBe('transient')
  })
})
