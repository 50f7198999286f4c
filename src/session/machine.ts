import { createEmitter, createSnapshotStore } from '../core/emitter.js'
import type { Environment } from '../core/environment.js'
import type { ResolvedOptions } from '../core/options.js'
import { olderCopy, sidOf, type Session } from '../core/tokens.js'
import type { SessionEvent, SessionSnapshot } from '../core/types.js'
import { createShared } from './shared.js'
import { createSlot } from './slot.js'
import { initialState, transition, type Action, type SessionState } from './transition.js'

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
 * event and tells the other tabs. The keeper hears each change through `onChange`, its one
 * subscription.
 */
export function createMachine<User>(
  o: ResolvedOptions<User>,
  env: () => Environment,
  onChange?: (prev: SessionState<User>, action: Action<User>) => void,
) {
  const cookieMode = o.credentials === 'cookie'
  const emitter = createEmitter<User>()
  const snapshot = createSnapshotStore<SessionSnapshot<User>>({ status: 'loading' })
  const shared = createShared<User>(o, env, () =>
    emitter.emit({ type: 'storageError', reason: 'unavailable' }),
  )
  const { post } = shared
  let state: SessionState<User> = initialState
  let disposed = false
  /** Writing a refresh answered after `destroy()` (see `keepLate`). */
  let late = false
  const slot = createSlot<User>({
    shared,
    clock: o.clock,
    random: () => env().random(),
    cookieMode,
    session: () => state.session,
    end: (reason) =>
      dispatch(
        state.session ? { type: 'ended', reason, by: 'other-tab' } : { type: 'settled', reason },
      ),
    report: (reason) => emitter.emit({ type: 'storageError', reason }),
    disposed: () => disposed && !late,
  })

  function dispatch(action: Action<User>): void {
    if (disposed) return // a destroyed keeper (a closed page) changes nothing, timers or not
    if (action.type === 'committed') {
      const written = slot.persist(action.session, !action.keepRev, action.base)
      // An update based on a revision the slot no longer holds (another tab refreshed meanwhile)
      // would write old tokens over new ones, and an ended sign-in must not come back: dropped.
      if (written === false) return
      action = { ...action, session: written ?? action.session }
    }
    const prev = state
    state = transition(prev, action)
    if (state === prev) return
    if (action.type === 'ended') {
      const over = prev.session ?? action.stored
      if (over) slot.ended(over, action.reason, action.by === 'here')
    }
    if (state.session) slot.known.noteRev(state.session.rev)
    // A sign-in that replaced another (an account switch, here or adopted) leaves the old one over.
    const replaced =
      prev.session && state.session && sidOf(prev.session) !== sidOf(state.session)
        ? sidOf(prev.session)
        : undefined
    if (replaced !== undefined) slot.known.noteReplaced(replaced, sidOf(state.session!))
    snapshot.set(snapshotOf(state))
    const event = eventOf(action, prev)
    if (event) emitter.emit(event)
    // Cookie-mode pages ask the server themselves: their start-up check is not news to others.
    // (a committed state holds the action's session)
    if (action.type === 'committed' && !action.cause.startsWith('boot'))
      post({
        kind: 'session',
        rev: action.session.rev,
        ...(replaced === undefined ? {} : { replaced }),
      })
    onChange?.(prev, action)
  }

  return {
    get state() {
      return state
    },
    get session() {
      return state.session
    },
    /** The keeper was destroyed (a closed page): it sends nothing more. */
    get disposed() {
      return disposed
    },
    dispatch,
    /**
     * A refresh answered after `destroy()` on a page still open (a provider remounted with a new
     * keeper, a hot reload): the refresh token it sent is spent, so its tokens go to the slot while
     * that holds an older copy of the sign-in, for the tabs and the next keeper on this page.
     * Nothing else changes here.
     */
    keepLate(s: Session<User>): void {
      late = !cookieMode // cookie mode stores no token: the slot stays shut
      const stored = slot.read(true)
      if (stored && olderCopy(stored, s)) slot.persist(s, true)
      late = false
    },
    emitter,
    snapshot,
    shared,
    post,
    /** What the slot holds now: a session, `null` (none, or one that has ended, unless `all`). */
    readSlot: slot.read,
    persist: slot.persist,
    /** The newest revision this tab has held or seen end. */
    get knownRev() {
      return slot.known.rev
    },
    /** Takes in an end another tab told of: that sign-in, and every one begun before it, is over. */
    noteEnded: slot.known.noteEnded,
    /** Another tab replaced sign-in `sid` with a new one: it is over, though not ended yet here. */
    noteReplaced: slot.known.noteReplaced,
    /** Whether a session's sign-in has ended or been replaced (here, or in a tab that said so). */
    hasEnded: slot.known.hasEnded,
    dispose(): void {
      disposed = true
      shared.close()
      emitter.clear()
      snapshot.clear()
    },
  }
}
