import { describe, expect, it } from 'vitest'
import { oauth2 } from '../../src/backends/index.js'

const base = { tokenPath: 'https://id.example.com/token', clientId: 'spa' }

describe('oauth2()', () => {
  it('signs in with the form-encoded password grant, scope only when set', () => {
    expect(oauth2(base).login({ username: 'ann', password: 'pw' })).toEqual({
      url: 'https://id.example.com/token',
      form: true,
      body: { grant_type: 'password', username: 'ann', password: 'pw', client_id: 'spa' },
    })
    expect(
      oauth2({ ...base, scope: 'openid api' }).login({ username: 'a', password: 'p' }).body,
    ).toEqual({
      grant_type: 'password',
      username: 'a',
      password: 'p',
      client_id: 'spa',
      scope: 'openid api',
    })
  })

  it('refreshes with the refresh_token grant and client_id', () => {
    expect(oauth2(base).refresh('r1')).toEqual({
      url: 'https://id.example.com/token',
      form: true,
      body: { grant_type: 'refresh_token', refresh_token: 'r1', client_id: 'spa' },
    })
  })

  it('revokes the refresh token (RFC 7009) only with revokePath', () => {
    expect(oauth2(base).logout).toBeUndefined()
    const b = oauth2({ ...base, revokePath: '/revoke' })
    expect(b.logout!({ accessToken: 'a', refreshToken: 'r' })).toEqual({
      url: '/revoke',
      form: true,
      body: { token: 'r', token_type_hint: 'refresh_token', client_id: 'spa' },
    })
    expect(b.logout!({ accessToken: 'a', refreshToken: null })?.body).toEqual({
      token: 'a',
      token_type_hint: 'access_token',
      client_id: 'spa',
    })
    expect(b.logout!({ accessToken: null, refreshToken: null })).toBeNull()
  })

  it('reads access_token, refresh_token (rotation) and expires_in', () => {
    const b = oauth2(base)
    expect(
      b.readTokens({ access_token: 'a', refresh_token: 'r2', expires_in: 3, token_type: 'Bearer' }),
    ).toEqual({ accessToken: 'a', refreshToken: 'r2', expiresIn: 3 })
    expect(b.readTokens({ access_token: 'a', expires_in: '3600' })).toEqual({
      accessToken: 'a',
      expiresIn: 3600,
    })
    expect(b.readTokens({ access: 'a', refresh: 'r' })).toBeNull()
    expect(b.readTokens('access_token=a')).toBeNull()
  })

  it('gets the user from userinfoPath with the bearer, none without it', () => {
    expect(oauth2(base).user).toBeUndefined()
    const b = oauth2({ ...base, userinfoPath: '/userinfo' })
    expect(b.user!('a')).toEqual({ url: '/userinfo', method: 'GET', bearer: 'a' })
    expect(b.readUser!({ sub: '1', name: 'Ann' })).toEqual({ user: { sub: '1', name: 'Ann' } })
    expect(b.health).toBeUndefined()
  })

  it('classifies RFC 6749 §5.2 errors: invalid_grant refused, malformed requests config', () => {
    const c = oauth2(base).classify!
    const err = (error: string, status = 400) => ({ status, body: { error } })
    expect(c('login', err('invalid_grant'))).toBe('refused')
    expect(c('refresh', err('invalid_grant'))).toBe('refused')
    for (const e of [
      'invalid_request',
      'unsupported_grant_type',
      'invalid_client',
      'unauthorized_client',
      'invalid_scope',
    ])
      expect([e, c('login', err(e))]).toEqual([e, 'config'])
    expect(c('login', err('invalid_client', 401))).toBe('config')
    expect(c('refresh', err('server_error', 500))).toBe('transient')
    expect(c('refresh', err('temporarily_unavailable', 400))).toBe('transient')
    expect(c('refresh', { status: 429, body: null })).toBe('transient')
    expect(c('refresh', { status: undefined, body: undefined })).toBe('transient')
    expect(c('user', { status: 401, body: '' })).toBe('refused')
  })

  it('a token endpoint that answers its own failure as 400 server_error (Spring Authorization Server does) keeps the session: retried, not a refused refresh', () => {
    const c = oauth2(base).classify!
    expect(c('refresh', { status: 400, body: { error: 'server_error' } })).toBe('transient')
  })
})
