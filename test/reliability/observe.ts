// What the reliability tests watch from outside the keepers: the tokens the mock server hands out,
// the server's own view of its sessions (rotation, reuse, revocation), and token text where none
// may be (storage writes, cross-tab messages).
import type { SetupServer } from 'msw/node'
import { decodeJwt } from '../../src/index.js'
import type { MockServerState } from '../../src/testing/server.js'
import type { StorageLike } from '../../src/index.js'

/** Collects every token the mock server issues (response bodies and Set-Cookie) until `stop()`. */
export function watchTokens(server: SetupServer) {
  const tokens = new Set<string>()
  const pending: Array<Promise<unknown>> = []
  const listener = ({ response }: { response: Response }) => {
    const m = response.headers.get('set-cookie')?.match(/sk_refresh=([^;]+)/)
    if (m?.[1]) tokens.add(m[1])
    pending.push(
      response
        .clone()
        .json()
        .then((body: Record<string, unknown>) => {
          for (const k of ['access_token', 'refresh_token'])
            if (typeof body?.[k] === 'string') tokens.add(body[k] as string)
        })
        .catch(() => {}),
    )
  }
  server.events.on('response:mocked', listener)
  return {
    tokens,
    /** Waits until every body seen so far has been read. */
    drain: () => Promise.all(pending.splice(0)),
    stop: () => server.events.removeListener('response:mocked', listener),
  }
}

/**
 * Which of `texts` hold a token or a recognisable part of one (a JWT's payload or signature; the
 * header is shared by every token and would say nothing). Returns the offending labels.
 */
export function tokenText(tokens: Iterable<string>, texts: Array<[string, string]>): string[] {
  const needles = [...tokens].flatMap((t) => [
    t,
    ...t
      .split('.')
      .slice(1)
      .filter((p) => p.length >= 16),
  ])
  return texts.filter(([, text]) => needles.some((n) => text.includes(n))).map(([label]) => label)
}

/** The mock server's state, kept in `storage` under `key` (`persist` option of the mock API). */
export function serverState(storage: StorageLike, key: string): MockServerState {
  return JSON.parse(storage.getItem(key) ?? 'null') as MockServerState
}

/** The server session (`sid` claim) a token belongs to, or null for an opaque token. */
export const sidOf = (token: string | null | undefined): string | null => {
  const sid = token ? decodeJwt(token)?.sid : null
  return typeof sid === 'string' ? sid : null
}

/**
 * Why the mock server refused a refresh token, judged from its state: `ended` (signed out, or
 * ended by a timeout: the session is gone), `revoked` (revoked while its token was current:
 * revokeAll, listed in `revokedByTest`), `reused` (the token had been rotated already, so the
 * server took it for theft and revoked the session), or `other`.
 */
export function refusal(
  state: MockServerState,
  token: string | null,
  revokedByTest: Set<string>,
): 'ended' | 'revoked' | 'reused' | 'other' {
  const claims = token ? decodeJwt(token) : null
  const session = claims ? state.sessions[claims.sid as string] : undefined
  if (!claims || !session) return claims ? 'ended' : 'other'
  if (revokedByTest.has(claims.sid as string)) return 'revoked'
  if (claims.jti !== session.jti || session.revoked) return 'reused'
  return 'other'
}
