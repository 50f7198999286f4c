// The session's one transition function, alone: every rule of the timeline in one place.
import { describe, expect, it } from 'vitest'
import { initialState, transition, type SessionState } from '../../src/session/transition.js'
import { session, type U } from './fixture.js'

const start = initialState as SessionState<U>
const signedIn = transition(start, { type: 'committed', session: session(), cause: 'sign-in' })
const warned = transition(signedIn, { type: 'warned', at: 500, logoutAt: 600 })

describe('transition', () => {
  it('signs in, restores and adopts to authenticated, with no reason', () => {
    for (const type of ['restored', 'adopted'] as const)
      expect(transition(start, { type, session: session() })).toEqual({
        status: 'authenticated',
        session: session(),
        reason: null,
        warningAt: null,
      })
    expect(signedIn.status).toBe('authenticated')
  })

  it('a refresh or a user update (here or adopted) keeps a warning that is on; a new sign-in, another tab’s sign-in or its newer activity does not', () => {
    expect(warned.warningAt).toBe(500)
    const next = session({ accessToken: 'b', rev: 2 })
    for (const cause of ['refresh', 'update'] as const)
      expect(transition(warned, { type: 'committed', session: next, cause }).warningAt).toBe(500)
    expect(
      transition(warned, { type: 'committed', session: next, cause: 'sign-in' }).warningAt,
    ).toBe(null)
    // another tab's refresh of this sign-in, no activity since: the warning stays on
    expect(transition(warned, { type: 'adopted', session: next }).warningAt).toBe(500)
    const other = session({ accessToken: 'c', rev: 3, startedAt: 2, sid: 3 })
    expect(transition(warned, { type: 'adopted', session: other }).warningAt).toBe(null)
    const activeThere = session({ accessToken: 'b', rev: 2, lastActivity: 450 })
    expect(transition(warned, { type: 'adopted', session: activeThere }).warningAt).toBe(null)
  })

  it('ends once: a second end, or an end while signed out, changes nothing', () => {
    const ended = transition(signedIn, { type: 'ended', reason: 'idle', by: 'here' })
    expect(ended).toEqual({
      status: 'unauthenticated',
      session: null,
      reason: 'idle',
      warningAt: null,
    })
    expect(transition(ended, { type: 'ended', reason: 'logout', by: 'other-tab' })).toBe(ended)
  })

  it('settles only out of loading, never over a session', () => {
    expect(transition(start, { type: 'settled', reason: null })).toEqual({
      status: 'unauthenticated',
      session: null,
      reason: null,
      warningAt: null,
    })
    expect(transition(signedIn, { type: 'settled', reason: 'tampered' })).toBe(signedIn)
  })

  it('warns once, and only with a session', () => {
    expect(transition(warned, { type: 'warned', at: 550, logoutAt: 650 })).toBe(warned)
    expect(transition(start, { type: 'warned', at: 1, logoutAt: 2 })).toBe(start)
  })

  it('activity moves lastActivity forward only, and ends a warning', () => {
    const active = transition(warned, { type: 'active', at: 700 })
    expect(active.session?.lastActivity).toBe(700)
    expect(active.warningAt).toBe(null)
    expect(transition(active, { type: 'active', at: 650 })).toBe(active) // older news
    expect(transition(start, { type: 'active', at: 1 })).toBe(start)
  })

  it('never mutates the state it is given', () => {
    const frozen = Object.freeze({ ...warned, session: Object.freeze({ ...warned.session! }) })
    expect(() => transition(frozen, { type: 'active', at: 900 })).not.toThrow()
    expect(frozen.session.lastActivity).toBe(0)
  })
})
