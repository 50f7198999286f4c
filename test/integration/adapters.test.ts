// The adapters against the real servers, without the keeper: the requests they build are the
// ones the servers accept, and the servers' real refusals are classified as the adapters say.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { oauth2, simpleJwt } from '../../src/backends/index.js'
import { decodeJwt } from '../../src/index.js'
import { startDjango, startOAuth2, waitFor, type RunningServer } from './servers.js'
import { send } from './wire.js'

const ann = { username: 'ann', password: 'ann-password' }

describe('simpleJwt() against Django REST framework SimpleJWT', () => {
  let django: RunningServer
  beforeAll(async () => {
    django = await startDjango(3)
  }, 60_000)
  afterAll(() => django?.stop())

  const backend = simpleJwt({ blacklist: true })

  it('signs in, calls a protected view, follows rotation, and the rotated token is refused', async () => {
    const login = await send(django.origin, backend.login(ann))
    expect(login.status).toBe(200)
    const first = backend.readTokens(login.body)!
    expect(first.user).toMatchObject({ user_id: 1, token_type: 'access' })
    expect(first.expiresIn).toBe(3)
    const me = await send(django.origin, {
      url: '/api/me/',
      method: 'GET',
      bearer: first.accessToken,
    })
    expect(me).toEqual({ status: 200, body: { id: 1, username: 'ann' } })

    const refreshed = await send(django.origin, backend.refresh(first.refreshToken!))
    expect(refreshed.status).toBe(200)
    const second = backend.readTokens(refreshed.body)!
    expect(second.refreshToken).toBeTruthy()
    expect(second.refreshToken).not.toBe(first.refreshToken)

    const reused = await send(django.origin, backend.refresh(first.refreshToken!))
    expect(reused.status).toBe(401)
    expect(backend.classify!('refresh', reused)).toBe('refused')
  })

  it("measures SimpleJWT 5.2's refreshed-token iat: exp - iat overstates, the adapter does not", async () => {
    const first = backend.readTokens((await send(django.origin, backend.login(ann))).body)!
    const loginIat = decodeJwt(first.accessToken)!.iat as number
    // wait (bounded poll, no fixed sleep) until the server's clock has moved 2 s past sign-in
    await waitFor(
      'two seconds on the server clock',
      () => Date.now() / 1000 >= loginIat + 2.2,
      5_000,
    )
    const answer = (await send(django.origin, backend.refresh(first.refreshToken!))).body as {
      access: string
    }
    const claims = decodeJwt(answer.access)!
    const overstated = (claims.exp as number) - (claims.iat as number)
    console.info(
      `SimpleJWT refreshed access token: exp - iat = ${overstated} s for a 3 s token; adapter reads ${backend.readTokens(answer)!.expiresIn} s`,
    )
    expect(overstated).toBeGreaterThanOrEqual(5) // 3 s lifetime + the refresh token's age
    expect(backend.readTokens(answer)!.expiresIn).toBe(3)
  })

  it('sign-out blacklists the refresh token: refreshing with it afterwards is refused', async () => {
    const tokens = backend.readTokens((await send(django.origin, backend.login(ann))).body)!
    const out = await send(django.origin, backend.logout!(tokens as never)!)
    expect(out.status).toBe(200)
    const after = await send(django.origin, backend.refresh(tokens.refreshToken!))
    expect([after.status, backend.classify!('refresh', after)]).toEqual([401, 'refused'])
  })

  it('classifies bad credentials as refused and a body of the wrong shape as config', async () => {
    const wrong = await send(django.origin, backend.login({ username: 'ann', password: 'nope' }))
    expect([wrong.status, backend.classify!('login', wrong)]).toEqual([401, 'refused'])
    const shape = await send(
      django.origin,
      backend.login({ email: 'ann@example.com', password: 'x' }),
    )
    expect([shape.status, backend.classify!('login', shape)]).toEqual([400, 'config'])
    // today's contract body against SimpleJWT: the 400 {"refresh": ["This field is required."]}
    const legacy = await send(django.origin, {
      url: '/api/token/refresh/',
      body: { refresh_token: 'x' },
    })
    expect([legacy.status, backend.classify!('refresh', legacy)]).toEqual([400, 'config'])
  })
})

describe('oauth2() against @node-oauth/oauth2-server', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startOAuth2(3)
  }, 60_000)
  afterAll(() => server?.stop())

  const backend = oauth2({
    tokenPath: '/oauth/token',
    clientId: 'spa',
    revokePath: '/oauth/revoke',
    userinfoPath: '/oauth/userinfo',
  })

  it('signs in with the password grant, reads userinfo, rotates, refuses the rotated token', async () => {
    const login = await send(server.origin, backend.login(ann))
    expect(login.status).toBe(200)
    const first = backend.readTokens(login.body)!
    expect(first.expiresIn).toBe(3)
    const info = await send(server.origin, backend.user!(first.accessToken))
    expect(backend.readUser!(info.body)).toEqual({
      user: { sub: '1', preferred_username: 'ann', name: 'Ann' },
    })
    const second = backend.readTokens(
      (await send(server.origin, backend.refresh(first.refreshToken!))).body,
    )!
    expect(second.refreshToken).toBeTruthy()
    expect(second.refreshToken).not.toBe(first.refreshToken)
    const reused = await send(server.origin, backend.refresh(first.refreshToken!))
    expect([reused.status, (reused.body as { error: string }).error]).toEqual([
      400,
      'invalid_grant',
    ])
    expect(backend.classify!('refresh', reused)).toBe('refused')
  })

  it('revokes the refresh token (RFC 7009): refreshing with it afterwards is invalid_grant', async () => {
    const tokens = backend.readTokens((await send(server.origin, backend.login(ann))).body)!
    const out = await send(server.origin, backend.logout!(tokens as never)!)
    expect(out.status).toBe(200)
    const after = await send(server.origin, backend.refresh(tokens.refreshToken!))
    expect([after.status, backend.classify!('refresh', after)]).toEqual([400, 'refused'])
  })

  it('classifies a wrong password as refused, a wrong client or a JSON body as config', async () => {
    const wrong = await send(server.origin, backend.login({ username: 'ann', password: 'nope' }))
    expect([wrong.status, backend.classify!('login', wrong)]).toEqual([400, 'refused'])
    const badClient = oauth2({ tokenPath: '/oauth/token', clientId: 'not-registered' })
    const client = await send(server.origin, badClient.login(ann))
    expect([
      (client.body as { error: string }).error,
      badClient.classify!('login', client),
    ]).toEqual(['invalid_client', 'config'])
    // the case: a JSON sign-in (today's contract) is refused as a malformed request
    const json = await send(server.origin, { ...backend.login(ann), form: false })
    expect([(json.body as { error: string }).error, backend.classify!('login', json)]).toEqual([
      'invalid_request',
      'config',
    ])
  })
})
