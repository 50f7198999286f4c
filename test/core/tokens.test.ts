import { describe, expect, it } from 'vitest'
import { decodeJwt, defaultMapAuthResponse } from '../../src/index.js'
import { expiryOf } from '../../src/core/tokens.js'

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const jwt = (claims: object) => `${b64url({ alg: 'none' })}.${b64url(claims)}.sig`

describe('token parsing', () => {
  it('decodes unpadded base64url with UTF-8 claims', () => {
    const token = jwt({ name: 'Zoë Ångström 名前 🚀', exp: 2 })
    expect(token.split('.')[1]).not.toMatch(/[=+/]/)
    expect(decodeJwt(token)).toEqual({ name: 'Zoë Ångström 名前 🚀', exp: 2 })
  })

  it.each([
    'opaque-token',
    'a.b',
    'a.!!!.c',
    `${b64url({})}.${b64url('string')}.x`,
    'x.bm90IGpzb24.y',
    '',
  ])('treats %j as opaque', (token) => {
    expect(decodeJwt(token)).toBeNull()
    expect(expiryOf(token, undefined, 1000)).toBeNull()
  })

  it('reads the common field names', () => {
    expect(
      defaultMapAuthResponse({
        access_token: 'a',
        refresh_token: 'r',
        expires_in: 60,
        user: { id: 1 },
      }),
    ).toEqual({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 60,
      user: { id: 1 },
    })
    expect(
      defaultMapAuthResponse({ accessToken: 'a', refreshToken: 'r', expiresIn: '90' }),
    ).toMatchObject({
      accessToken: 'a',
      refreshToken: 'r',
      expiresIn: 90,
    })
    expect(defaultMapAuthResponse({ token: 'a' })).toMatchObject({
      accessToken: 'a',
      refreshToken: null,
      expiresIn: null,
    })
  })

  it.each([null, 'text', 42, {}, { access_token: '' }, { access_token: 5 }])(
    'finds no token in %j',
    (body) => {
      expect(defaultMapAuthResponse(body)).toBeNull()
    },
  )

  it('counts expires_in (number or numeric string) from receipt, whatever the client clock', () => {
    expect(expiryOf('opaque', 60, 1_000)).toBe(61_000)
    expect(expiryOf('opaque', '60' as never, 1_000)).toBe(61_000)
    expect(expiryOf('opaque', 'soon' as never, 1_000)).toBeNull()
  })

  it('uses a JWT lifetime (exp - iat) from receipt, so a skewed client clock changes nothing', () => {
    const serverNow = 1_700_000_000
    const token = jwt({ iat: serverNow, exp: serverNow + 300 })
    const clientAnHourAhead = (serverNow + 3600) * 1000
    expect(expiryOf(token, undefined, clientAnHourAhead)).toBe(clientAnHourAhead + 300_000)
    const clientAnHourBehind = (serverNow - 3600) * 1000
    expect(expiryOf(token, undefined, clientAnHourBehind)).toBe(clientAnHourBehind + 300_000)
  })

  it('trusts a bare exp only when it lies ahead of the client clock', () => {
    expect(expiryOf(jwt({ exp: 2_000 }), undefined, 1_000_000)).toBe(2_000_000)
    expect(expiryOf(jwt({ exp: 2_000 }), undefined, 3_000_000)).toBeNull()
  })
})
