// A session as the session's parts hold it, for the tests that build those parts alone.
import type { Session } from '../../src/core/tokens.js'

export type U = { name: string }

/** A signed-in session (Ada, revision 1), with `over` applied. */
export const session = (over: Partial<Session<U>> = {}): Session<U> => ({
  accessToken: 'a1',
  refreshToken: 'r1',
  expiresAt: 100_000,
  issuedAt: 0,
  user: { name: 'ada' },
  startedAt: 0,
  lastActivity: 0,
  rev: 1,
  ...over,
})
