import type { TabMessage } from '../sync/channel.js'
import { createEmitter, createSnapshotStore } from './emitter.js'
import { createShared } from './shared.js'
import type { Environment, ResolvedOptions } from './options.js'
import { otherCredentials, type Session } from './tokens.js'
import type { EndReason, SessionSnapshot, StorageErrorReason, TokenHealth } from './types.js'

/** What the state tells the keeper. */
export interface StateHooks {
  /** Something changed that may move a deadline. */
  onChange(): void
  /** A session appeared that this tab did not have (login or restore elsewhere). */
  onAdopt(): void
  /** Another tab checked token health. */
  onHealth(at: number, health: TokenHealth): void
  /** Cookie mode: another tab signed in; this one must ask the server (nothing is stored). */
  onForeignSession(): void
  /** Another tab's refresh failed transiently: back off with it until `until`. */
  onBackoff(until: number): void
  /** The session was replaced or ended: drop refresh backoff. */
  onReset(): void
}

/** The session as this tab knows it. See {@link createSessionState}. */
export type SessionState<User> = ReturnType<typeof createSessionState<User>>

/**
 * The session as this tab knows it: the plain session in memory, the snapshot and events derived
 * from it, its persistence and what other tabs say about it.
 */
export function createSessionState<User>(
  o: ResolvedOptions<User>,
  env: () => Environment,
  hooks: StateHooks,
) {
  const cookieMode = o.credentials === 'cookie'
  const emitter = createEmitter<User>()
  const snapshot = createSnapshotStore<SessionSnapshot<User>>({ status: 'loading' })
  const shared = createShared<User>(o, env, () =>
    emitter.emit({ type: 'storageError', reason: 'unavailable' }),
  )
  const { store, post } = shared
  let session: Session<User> | null = null
  let status: 'loading' | 'authenticated' | 'unauthenticated' = 'loading'
  let reason: EndReason | null = null
  let warningAt: number | null = null
  let writeFailure: StorageErrorReason | null = null
  let lastShared = -Infinity
  let lastPersisted = -Infinity

  function publish(): void {
    snapshot.set(
      status === 'authenticated' && session
        ? {
            status,
            user: session.user,
            expiresAt: session.expiresAt,
            idleWarningAt: warningAt,
          }
        : status === 'unauthenticated'
          ? { status, reason }
          : { status: 'loading' },
    )
  }

  /** Writes the session; a failing storage is reported once per streak and the memory copy kept. */
  function persist(s: Session<User>): void {
    if (cookieMode) return
    const failure = store().write(s)
    if (failure && failure !== writeFailure) emitter.emit({ type: 'storageError', reason: failure })
    writeFailure = failure
  }

  function reject(why: StorageErrorReason): void {
    store().clear()
    emitter.emit({ type: 'storageError', reason: why })
  }

  /** Leaves `loading` with no session (nothing stored, or nothing usable). */
  function settle(why: EndReason | null): void {
    status = 'unauthenticated'
    reason = why
    publish()
  }

  /** Ends the session once: memory and slot cleared, `loggedOut` emitted, other tabs told. */
  function end(why: EndReason, broadcast = true): void {
    if (status === 'unauthenticated') return
    status = 'unauthenticated'
    session = null
    warningAt = null
    hooks.onReset()
    if (!cookieMode) store().clear()
    settle(why)
    emitter.emit({ type: 'loggedOut', reason: why })
    if (broadcast) post({ kind: 'end', reason: why })
    hooks.onChange()
  }

  /**
   * Re-reads the slot and adopts a newer session written by another tab (decrypting only here,
   * never per request). Returns the adopted session, or `null` when there was nothing newer.
   */
  function syncFromStore(): Session<User> | null {
    if (cookieMode) return null
    const read = store().read()
    if (!read.ok) {
      if (read.reason === 'unavailable') return null
      reject(read.reason)
      if (session) end('tampered')
      return null
    }
    const stored = read.session
    const current = session
    if (!stored) return null
    // Same revision with other tokens: two tabs refreshed at once (a reuse grace window let both
    // through). The slot holds the last write, the server's latest rotation: follow it.
    if (
      current &&
      (stored.rev < current.rev ||
        (stored.rev === current.rev && !otherCredentials(stored, current)))
    ) {
      current.lastActivity = Math.max(current.lastActivity, stored.lastActivity)
      return null
    }
    session = stored
    status = 'authenticated'
    reason = null
    hooks.onReset()
    if (!current || current.user !== stored.user) warningAt = null
    publish()
    emitter.emit({ type: 'synced', from: 'other-tab' })
    if (!current) hooks.onAdopt()
    hooks.onChange()
    return stored
  }

  /**
   * Records activity seen here (`local`) or in another tab. Only the end of a warning changes
   * the snapshot; sharing and persisting are throttled.
   */
  function noteActivity(at: number, local: boolean): void {
    const s = session
    if (!s || at <= s.lastActivity) return
    s.lastActivity = at
    const warned = warningAt !== null
    if (warned) {
      warningAt = null
      publish()
      emitter.emit({ type: 'active' })
      hooks.onChange()
    }
    if (!local) return
    const { idleWarning, idleTimeout } = o
    if (warned || at - lastShared >= Math.min(5_000, idleWarning / 4)) {
      lastShared = at
      post({ kind: 'activity', at })
    }
    if (at - lastPersisted >= Math.min(60_000, idleTimeout === false ? 60_000 : idleTimeout / 10)) {
      lastPersisted = at
      persist(s)
    }
  }

  function receive(message: TabMessage): void {
    switch (message.kind) {
      case 'session':
        if (!cookieMode) syncFromStore()
        else if (!session) hooks.onForeignSession()
        break
      case 'end':
        if (status === 'authenticated') end(message.reason, false)
        break
      case 'activity':
        noteActivity(message.at, false)
        break
      case 'health':
        hooks.onHealth(message.at, message.health)
        break
      case 'backoff':
        hooks.onBackoff(message.until)
    }
  }

  return {
    get session() {
      return session
    },
    get status() {
      return status
    },
    emitter,
    snapshot,
    get lock() {
      return shared.lock()
    },

    /** Opens the tab channel (when `crossTab`); returns its teardown. */
    open: () => shared.open(receive),

    post,
    logoutPending: shared.logoutPending,

    /** Makes `next` the session, persists it and (unless told not to) tells the other tabs. */
    commit(next: Session<User>, broadcast = true): void {
      if (!session) warningAt = null
      session = next
      status = 'authenticated'
      reason = null
      persist(next)
      publish()
      if (broadcast) post({ kind: 'session', rev: next.rev })
      hooks.onChange()
    },

    end,
    settle,

    /** Start-up restore: synchronous, no network. Returns whether a session was restored. */
    restore(): boolean {
      const read = store().read()
      if (!read.ok) {
        reject(read.reason)
        settle(read.reason === 'tampered' || read.reason === 'corrupt' ? 'tampered' : null)
        return false
      }
      if (!read.session) {
        settle(null)
        return false
      }
      session = read.session
      status = 'authenticated'
      publish()
      emitter.emit({ type: 'synced', from: 'storage' })
      return true
    },

    syncFromStore,

    /**
     * Claims the restore-time `verify` for this browser: false when another tab claimed it within
     * `freshMs` (the claim is read from storage, where every tab sees it). Call under the lock.
     */
    claimVerify(now: number, freshMs: number): boolean {
      syncFromStore() // never write back an older session over a newer one
      const s = session
      if (!s) return false
      const read = cookieMode ? null : store().read()
      const claimedAt = read?.ok ? read.session?.verifiedAt : undefined
      if (claimedAt !== undefined && now - claimedAt < freshMs) return false
      s.verifiedAt = now
      persist(s)
      return true
    },

    /** Turns the idle warning on (once). */
    warn(warnAt: number, logoutAt: number): void {
      if (warningAt !== null) return
      warningAt = warnAt
      publish()
      emitter.emit({ type: 'idleWarning', logoutAt })
    },

    noteActivity,

    dispose(): void {
      shared.close()
      emitter.clear()
      snapshot.clear()
    },
  }
}
