import { createEmitter, createSnapshotStore } from '../core/emitter.js'
import type { Environment } from '../core/environment.js'
import type { ResolvedOptions } from '../core/options.js'
import { sidOf, type Session } from '../core/tokens.js'
import type { SessionEvent, SessionSnapshot, StorageErrorReason } from '../core/types.js'
import { createShared } from './shared.js'
import { initialState, transition, type Action, type SessionState } from './transition.js'

/** How long a tab following another tab's end waits for its view of storage to catch up. */
const FOLLOW_CLEAR_MS = 250

const snapshotOf = <User>(s: SessionState<User>): SessionSnapshot<User> =>
  s.status === 'authenticated' && s.session
    ? {
        status: s.status,
        user: s.session.user,
        expiresAt: s.session.expiresAt,
        idleWarningAt: s.warningAt,
      }
    : s.status === 'unauthenticated'
      ? { status: s.status, reason: s.reason }
      : { status: 'loading' }

/** What each transition says to the app. */
function eventOf<User>(a: Action<User>, prev: SessionState<User>): SessionEvent<User> | null {
  switch (a.type) {
    case 'restored':
      return { type: 'synced', from: 'storage' }
    case 'adopted':
      return { type: 'synced', from: 'other-tab' }
    case 'committed':
      return a.cause === 'sign-in'
        ? { type: 'loggedIn', user: a.session.user }
        : a.cause === 'refresh'
          ? { type: 'refreshed', expiresAt: a.session.expiresAt }
          : a.cause === 'update'
            ? null
            : { type: 'synced', from: a.cause === 'boot' ? 'storage' : 'other-tab' }
    case 'ended':
      return { type: 'loggedOut', reason: a.reason }
    case 'warned':
      return { type: 'idleWarning', logoutAt: a.logoutAt }
    case 'active':
      return prev.warningAt !== null ? { type: 'active' } : null
    default:
      return null
  }
}

/** The session machine of one tab. See {@link createMachine}. */
export type Machine<User> = ReturnType<typeof createMachine<User>>

/**
 * The session of one tab: its state, changed only through {@link transition}, then one step that
 * persists (every write conditional on what the slot holds now), publishes the snapshot, emits the
 * event and tells the other tabs. The keeper hears each change through one subscription.
 */
export function createMachine<User>(o: ResolvedOptions<User>, env: () => Environment) {
  const cookieMode = o.credentials === 'cookie'
  const emitter = createEmitter<User>()
  const snapshot = createSnapshotStore<SessionSnapshot<User>>({ status: 'loading' })
  const shared = createShared<User>(o, env, () =>
    emitter.emit({ type: 'storageError', reason: 'unavailable' }),
  )
  const { store, post } = shared
  let state: SessionState<User> = initialState
  let writeFailure: StorageErrorReason | null = null
  /** The newest revision this tab has held or seen end: nothing at or below it is adopted again. */
  let knownRev = 0
  /** Sign-ins this tab has seen end: none of their revisions is adopted again. */
  const ended = new Set<number>()
  /**
   * New sign-ins are numbered above this too: a tamper end covers every revision written until it
   * was found, so a sign-in made right after must be numbered above it.
   */
  let numberFloor = 0
  let disposed = false
  const changed = new Set<(prev: SessionState<User>, action: Action<User>) => void>()

  /**
   * What the slot holds now: a session (with the last activity any tab recorded), `null` for
   * nothing, `undefined` when it cannot be read.
   */
  function readSlot(): Session<User> | null | undefined {
    if (disposed) return undefined
    const read = store().read()
    if (!read.ok) {
      if (read.reason !== 'unavailable') tampered(read.reason)
      return undefined
    }
    const s = read.session
    const at = s && shared.activity.read()
    return s && at && at > s.lastActivity ? { ...s, lastActivity: at } : s
  }

  /**
   * The slot failed its check: cleared, reported, and the session ended in every tab: every session
   * written until now (revisions are time-based), not one signed in after it was found.
   */
  function tampered(why: StorageErrorReason): void {
    store().clear()
    emitter.emit({ type: 'storageError', reason: why })
    numberFloor = Math.max(knownRev, numberFloor, o.clock.now())
    post({ kind: 'end', reason: 'tampered', rev: numberFloor, sid: 0 })
    if (state.session) dispatch({ type: 'ended', reason: 'tampered', by: 'other-tab' })
    else dispatch({ type: 'settled', reason: 'tampered' })
  }

  /**
   * Writes `s` if the slot still holds what it was based on: a new session (`replace`) gets a
   * revision above whatever the slot holds, so revisions order writes across tabs; an update of the
   * same session is written only over that same revision, never over a newer session or into a
   * slot another tab cleared. In cookie mode only the timeline is written (no token, no user).
   */
  function persist(s: Session<User>, replace: boolean, base?: number): Session<User> | null {
    if (disposed) return null
    const stored = readSlot()
    if (base !== undefined && stored !== undefined && stored?.rev !== base) return null
    // Above the slot and above every revision this tab has held or seen end: a sign-in in the
    // millisecond of a sign-out must not take the ended session's number.
    if (replace) {
      const rev = Math.max(s.rev, (stored?.rev ?? 0) + 1, knownRev + 1, numberFloor + 1)
      // A new sign-in is named by its first revision, plus a random fraction so that two tabs
      // signing in within one millisecond never share a name.
      s = { ...s, rev, sid: s.sid ?? rev + env().random() }
    } else if (stored !== undefined && stored?.rev !== s.rev) return null
    knownRev = Math.max(knownRev, s.rev)
    const failure = store().write(
      cookieMode ? { ...s, accessToken: null, refreshToken: null, user: null, expiresAt: null } : s,
    )
    if (failure && failure !== writeFailure) emitter.emit({ type: 'storageError', reason: failure })
    writeFailure = failure
    return s
  }

  function dispatch(action: Action<User>): void {
    if (disposed) return // a destroyed keeper (a closed page) changes nothing, timers or not
    if (action.type === 'committed') {
      const written = persist(action.session, !action.keepRev, action.base)
      // An update based on a revision the slot no longer holds (another tab refreshed meanwhile)
      // would write old tokens over new ones: it is dropped.
      if (!written && action.base !== undefined) return
      action = { ...action, session: written ?? action.session }
    }
    const prev = state
    state = transition(prev, action)
    if (state === prev) return
    if (action.type === 'ended' && prev.session) {
      const { rev } = prev.session
      const sid = sidOf(prev.session)
      knownRev = Math.max(knownRev, rev)
      ended.add(sid)
      // The tab that ended the session clears the slot, unless it holds a newer one. The tabs that
      // follow clear it too if it still holds that sign-in once their view of storage has caught
      // up (one of them may have written a later revision of it, a user update, that reached
      // storage after the first clear); at once, a stale view could take a newer sign-in for it.
      const clearIf = (ours: (s: Session<User>) => boolean) => {
        const stored = readSlot()
        if (stored && ours(stored)) {
          store().clear()
          shared.activity.clear()
        }
      }
      if (action.by === 'here') {
        clearIf((s) => sidOf(s) === sid || s.rev <= rev)
        post({ kind: 'end', reason: action.reason, rev, sid })
      } else o.clock.schedule(() => disposed || clearIf((s) => sidOf(s) === sid), FOLLOW_CLEAR_MS)
    }
    if (state.session) knownRev = Math.max(knownRev, state.session.rev)
    // A sign-in that replaced another (an account switch, here or adopted) leaves the old one over.
    if (prev.session && state.session && sidOf(prev.session) !== sidOf(state.session))
      ended.add(sidOf(prev.session))
    snapshot.set(snapshotOf(state))
    const event = eventOf(action, prev)
    if (event) emitter.emit(event)
    // Cookie-mode pages ask the server themselves: their start-up check is not news to others.
    if (action.type === 'committed' && !action.cause.startsWith('boot')) {
      const replaced = prev.session && sidOf(prev.session) !== sidOf(action.session)
      post({
        kind: 'session',
        rev: action.session.rev,
        ...(replaced ? { replaced: sidOf(prev.session!) } : {}),
      })
    }
    for (const fn of changed) fn(prev, action)
  }

  return {
    get state() {
      return state
    },
    get session() {
      return state.session
    },
    dispatch,
    emitter,
    snapshot,
    shared,
    post,
    readSlot,
    persist,
    /** The newest revision this tab has held or seen end. */
    get knownRev() {
      return knownRev
    },
    /** Another tab ended sign-in `sid` at revision `rev`: none of it is adopted again. */
    noteEnded(rev: number, sid: number) {
      if (!sid) numberFloor = Math.max(numberFloor, rev)
      else {
        knownRev = Math.max(knownRev, rev)
        ended.add(sid)
      }
    },
    /** Another tab replaced sign-in `sid` with a new one: it is over, though not ended yet here. */
    noteReplaced(sid: number) {
      ended.add(sid)
    },
    /** Whether sign-in `sid` has ended or been replaced (here, or in a tab that said so). */
    hasEnded: (sid: number) => ended.has(sid),
    /** Calls `fn` after each change; returns the unsubscribe. */
    onChange(fn: (prev: SessionState<User>, action: Action<User>) => void): () => void {
      changed.add(fn)
      return () => void changed.delete(fn)
    },
    dispose(): void {
      disposed = true
      shared.close()
      emitter.clear()
      snapshot.clear()
      changed.clear()
    },
  }
}
