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
  /** The newest revision this tab has held or seen end: nothing at or below it is adopted again. */
  let knownRev = 0
  /** A revision another tab said it wrote that this tab's storage does not show yet. */
  let wantedRev = 0
  let cancelRetry: (() => void) | null = null
  let retryDelay = 0

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

  /** What the slot holds now: a session, `null` for nothing, `undefined` when it cannot be read. */
  function readSlot(): Session<User> | null | undefined {
    const read = store().read()
    return read.ok ? read.session : undefined
  }

  /**
   * Writes the session if the slot still holds what it was based on: a new session (`replace`)
   * gets a revision above whatever the slot holds, so revisions order writes across tabs; an update
   * of the same session (activity, a verify claim) is written only over that same session, never
   * over a newer one or into a slot another tab cleared. Returns whether it was written. In cookie
   * mode only the timeline is written (no token, no user).
   */
  function persist(s: Session<User>, replace: boolean): boolean {
    const stored = readSlot()
    if (replace) s.rev = Math.max(s.rev, (stored?.rev ?? 0) + 1)
    else if (stored !== undefined && stored?.rev !== s.rev) return false
    knownRev = Math.max(knownRev, s.rev)
    const failure = store().write(
      cookieMode ? { ...s, accessToken: null, refreshToken: null, user: null, expiresAt: null } : s,
    )
    if (failure && failure !== writeFailure) emitter.emit({ type: 'storageError', reason: failure })
    writeFailure = failure
    return !failure
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

  /**
   * Ends the session once: memory cleared, `loggedOut` emitted. The tab that ends it (`broadcast`)
   * clears the slot, unless it already holds a newer session, and tells the other tabs which
   * revision ended; a tab following another tab's end never touches the slot.
   */
  function end(why: EndReason, broadcast = true, rev = session?.rev ?? 0): void {
    if (status === 'unauthenticated') return
    knownRev = Math.max(knownRev, rev)
    status = 'unauthenticated'
    session = null
    warningAt = null
    hooks.onReset()
    if (broadcast) {
      const stored = readSlot()
      if (stored !== undefined && (stored?.rev ?? 0) <= rev) store().clear()
    }
    settle(why)
    emitter.emit({ type: 'loggedOut', reason: why })
    if (broadcast) post({ kind: 'end', reason: why, rev })
    hooks.onChange()
  }

  /** The slot failed its check: cleared, reported, and the session ended in every tab. */
  function tampered(why: StorageErrorReason): void {
    reject(why)
    knownRev = Number.MAX_SAFE_INTEGER - 1
    if (session) end('tampered', true, Number.MAX_SAFE_INTEGER)
    else post({ kind: 'end', reason: 'tampered', rev: Number.MAX_SAFE_INTEGER })
  }

  /**
   * Re-reads the slot and adopts a newer session written by another tab (decrypting only here,
   * never per request). Returns the adopted session, or `null` when there was nothing newer.
   */
  function syncFromStore(wanted = 0): Session<User> | null {
    if (cookieMode) return null
    wantedRev = Math.max(wantedRev, wanted)
    const read = store().read()
    if (!read.ok) {
      if (read.reason !== 'unavailable') tampered(read.reason)
      return null
    }
    const stored = read.session
    const current = session
    const floor = current?.rev ?? knownRev
    // A newer revision, or (told by its writer) the very revision another tab wrote last. The same
    // revision with other tokens means two tabs wrote at once (storage lag): the slot holds the last
    // write, so follow it. Anything else is older than what this tab knows.
    const adopt =
      stored &&
      (stored.rev > floor ||
        (current !== null &&
          otherCredentials(stored, current) &&
          (stored.rev === current.rev || stored.rev === wantedRev)))
    if (!adopt) {
      if (stored && current && stored.rev === current.rev)
        current.lastActivity = Math.max(current.lastActivity, stored.lastActivity)
      awaitWanted()
      return null
    }
    knownRev = Math.max(knownRev, stored.rev)
    awaitWanted(stored.rev)
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
   * Another tab said it wrote `wantedRev`, and this tab's storage does not show it yet (browsers
   * propagate localStorage between tabs asynchronously): look again on the slot's `storage` event
   * and on a short timer, until it shows.
   */
  function awaitWanted(have = session?.rev ?? knownRev): void {
    cancelRetry?.()
    cancelRetry = null
    if (wantedRev <= have) {
      wantedRev = retryDelay = 0
      return
    }
    retryDelay = Math.min(1_000, retryDelay ? retryDelay * 2 : 25)
    cancelRetry = o.clock.schedule(() => syncFromStore(), retryDelay)
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
      // Refused: the slot holds a newer session (another tab refreshed or signed in) or none.
      if (!persist(s, false)) syncFromStore()
    }
  }

  function receive(message: TabMessage): void {
    switch (message.kind) {
      case 'session':
        if (!cookieMode) syncFromStore(message.rev)
        else if (!session || session.rev < message.rev) hooks.onForeignSession()
        break
      case 'end':
        knownRev = Math.max(knownRev, message.rev)
        // An end of an older session than this tab's (a sign-out followed by a new sign-in) is old news.
        if (session && session.rev <= message.rev) end(message.reason, false, message.rev)
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

    /**
     * Opens the tab channel (when `crossTab`), and listens for the slot's `storage` event, which
     * says another tab's write is now visible here; returns the teardown.
     */
    open(): () => void {
      const close = shared.open(receive)
      const w = o.crossTab ? env().window : null
      const onStorage = (e: Event) => {
        if ((e as StorageEvent).key === o.storageKey && wantedRev) syncFromStore()
      }
      w?.addEventListener('storage', onStorage)
      return () => {
        close()
        w?.removeEventListener('storage', onStorage)
        cancelRetry?.()
      }
    },

    post,
    logoutPending: shared.logoutPending,

    /** Makes `next` the session, persists it and (unless told not to) tells the other tabs. */
    commit(next: Session<User>, broadcast = true, replace = true): void {
      if (!session) warningAt = null
      session = next
      status = 'authenticated'
      reason = null
      persist(next, replace)
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
        if (read.reason === 'unavailable') reject(read.reason)
        else tampered(read.reason)
        settle(read.reason === 'tampered' || read.reason === 'corrupt' ? 'tampered' : null)
        return false
      }
      if (!read.session) {
        settle(null)
        return false
      }
      session = read.session
      knownRev = session.rev
      status = 'authenticated'
      publish()
      emitter.emit({ type: 'synced', from: 'storage' })
      return true
    },

    syncFromStore,

    /** What the slot holds (in cookie mode: the timeline), if it can be read. */
    stored: readSlot,

    /** Forgets the stored session or timeline. */
    clearStored: () => void store().clear(),

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
      persist(s, false)
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
      cancelRetry?.()
      shared.close()
      emitter.clear()
      snapshot.clear()
    },
  }
}
