import { sidOf, type Session } from '../core/tokens.js'
import type { EndReason } from '../core/types.js'

/** The session as this tab knows it. Replaced, never mutated: one transition, one new object. */
export interface SessionState<User> {
  readonly status: 'loading' | 'authenticated' | 'unauthenticated'
  readonly session: Session<User> | null
  /** Why the last session ended (`null` while signed in, or if there never was one). */
  readonly reason: EndReason | null
  /** While the idle warning is on: when it began. */
  readonly warningAt: number | null
}

/**
 * What can happen to the session. `committed` is made here (`cause` says how); `restored` and
 * `adopted` come from the slot (this page's start, another tab's write).
 */
export type Action<User> =
  | { type: 'restored'; session: Session<User> }
  | { type: 'adopted'; session: Session<User> }
  | {
      type: 'committed'
      session: Session<User>
      cause: 'sign-in' | 'refresh' | 'update' | 'boot' | 'boot-other-tab'
      /** The session already has the slot's revision (a page joining the stored timeline). */
      keepRev?: boolean
      /** Written only if the slot still holds this revision (else the update is dropped). */
      base?: number
    }
  | {
      type: 'ended'
      reason: EndReason
      by: 'here' | 'other-tab'
      /** The stored sign-in that ends when this tab holds none yet (a sign-out before start). */
      stored?: Session<User>
    }
  | { type: 'settled'; reason: EndReason | null }
  | { type: 'warned'; at: number; logoutAt: number }
  | { type: 'active'; at: number }

export const initialState: SessionState<never> = Object.freeze({
  status: 'loading',
  session: null,
  reason: null,
  warningAt: null,
})

const signedOut = (reason: EndReason | null): SessionState<never> => ({
  status: 'unauthenticated',
  session: null,
  reason,
  warningAt: null,
})

/**
 * The session's one transition function: pure, so every rule of the timeline reads in one place
 * and is tested alone. Returns `state` itself when nothing changes.
 */
export function transition<User>(
  state: SessionState<User>,
  action: Action<User>,
): SessionState<User> {
  const { session } = state
  switch (action.type) {
    case 'restored':
    case 'adopted':
    case 'committed':
      return {
        status: 'authenticated',
        session: action.session,
        reason: null,
        // A refresh or an update (here, or adopted from another tab with no newer activity)
        // keeps a warning that is on; another session does not.
        warningAt:
          session &&
          (action.type === 'adopted'
            ? sidOf(action.session) === sidOf(session) &&
              action.session.lastActivity <= session.lastActivity
            : action.type === 'committed' && action.cause !== 'sign-in')
            ? state.warningAt
            : null,
      }
    case 'ended':
      return state.status === 'unauthenticated' ? state : signedOut(action.reason)
    case 'settled':
      return session || state.status === 'unauthenticated' ? state : signedOut(action.reason)
    case 'warned':
      return session && state.warningAt === null ? { ...state, warningAt: action.at } : state
    case 'active':
      return session && action.at > session.lastActivity
        ? { ...state, session: { ...session, lastActivity: action.at }, warningAt: null }
        : state
  }
}
