import { createEnvelope, plainCodec } from '../storage/envelope.js'
import { SessionStore, resolveStorage } from '../storage/store.js'
import { TabChannel, type TabMessage } from '../sync/channel.js'
import { leaseLock, noLock, webLock, type RefreshLock } from '../sync/lock.js'
import { Emitter, SnapshotStore } from './emitter.js'
import type { Environment, ResolvedOptions } from './options.js'
import type { Session } from './tokens.js'
import type {
  EndReason,
  SessionSnapshot,
  StorageErrorReason,
  StorageLike,
  TokenHealth,
} from './types.js'

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
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  return c?.randomUUID?.() ?? Math.random().toString(36).slice(2) + Date.now().toString(36)
}

/**
 * The session as this tab knows it: the plain session in memory, the snapshot and events derived
 * from it, and its persistence and sharing (store, channel, lock), resolved on first use.
 */
export class SessionState<User> {
  session: Session<User> | null = null
  status: 'loading' | 'authenticated' | 'unauthenticated' = 'loading'
  readonly emitter = new Emitter<User>()
  readonly snapshot = new SnapshotStore<SessionSnapshot<User>>({ status: 'loading' })
  readonly tabId = randomId()
  /** Called whenever the session is replaced or ended, to drop refresh backoff. */
  onReset: () => void = () => {}

  private reason: EndReason | null = null
  private warningAt: number | null = null
  private writeFailure: StorageErrorReason | null = null
  private lastShared = -Infinity
  private lastPersisted = -Infinity
  private storage_: StorageLike | null = null
  private store_: SessionStore<User> | null = null
  private lock_: RefreshLock | null = null
  private channel_: TabChannel | null = null
  private readonly cookieMode: boolean

  constructor(
    private readonly o: ResolvedOptions<User>,
    private readonly env: () => Environment,
    private readonly hooks: StateHooks,
  ) {
    this.cookieMode = o.credentials === 'cookie'
  }

  // ---- lazily resolved collaborators (no global is touched before first use)

  private get storage(): StorageLike {
    if (!this.storage_) {
      const { storage, fellBack } = resolveStorage(this.o.storage, this.o.storageKey)
      this.storage_ = storage
      if (fellBack) this.emitter.emit({ type: 'storageError', reason: 'unavailable' })
    }
    return this.storage_
  }

  get store(): SessionStore<User> {
    const { secret, storageKey } = this.o
    this.store_ ??= new SessionStore<User>(
      this.storage,
      storageKey,
      secret ? createEnvelope(secret, storageKey) : plainCodec,
      !this.cookieMode,
    )
    return this.store_
  }

  get lock(): RefreshLock {
    if (this.lock_) return this.lock_
    const { crossTab, storageKey, clock, lockTimeout, refreshTimeout } = this.o
    const locks = this.env().locks
    this.lock_ = !crossTab
      ? noLock
      : locks
        ? // The browser releases a dead tab's Web Lock itself, so waiting only guards against a
          // live holder that hangs, and its refresh gives up after refreshTimeout: wait that out
          // rather than start a second refresh with the same refresh token.
          webLock(
            locks,
            `session-keeper:${storageKey}`,
            clock,
            Math.max(lockTimeout, refreshTimeout + 1_000),
          )
        : leaseLock(
            this.storage,
            `${storageKey}:lock`,
            this.tabId,
            clock,
            lockTimeout,
            refreshTimeout + lockTimeout,
          )
    return this.lock_
  }

  /** Opens the tab channel (when `crossTab`); returns its teardown. */
  open(): () => void {
    if (!this.o.crossTab) return () => {}
    const env = this.env()
    this.channel_ ??= new TabChannel(
      this.o.storageKey,
      this.tabId,
      { openChannel: env.openChannel, window: env.window, storage: this.storage },
      (message) => this.receive(message),
    )
    const channel = this.channel_
    channel.open()
    return () => channel.close()
  }

  post(message: TabMessage): void {
    this.channel_?.post(message)
  }

  // ---- transitions

  /** Makes `next` the session, persists it and (unless told not to) tells the other tabs. */
  commit(next: Session<User>, broadcast = true): void {
    const fresh = this.session === null
    this.session = next
    this.status = 'authenticated'
    this.reason = null
    if (fresh) this.warningAt = null
    this.persist(next)
    this.publish()
    if (broadcast) this.post({ kind: 'session', rev: next.rev })
    this.hooks.onChange()
  }

  /** Ends the session once: memory and slot cleared, `loggedOut` emitted, other tabs told. */
  end(reason: EndReason, broadcast = true): void {
    if (this.status === 'unauthenticated') return
    this.session = null
    this.status = 'unauthenticated'
    this.reason = reason
    this.warningAt = null
    this.onReset()
    if (!this.cookieMode) this.store.clear()
    this.publish()
    this.emitter.emit({ type: 'loggedOut', reason })
    if (broadcast) this.post({ kind: 'end', reason })
    this.hooks.onChange()
  }

  /** Leaves `loading` with no session (nothing stored, or nothing usable). */
  settle(reason: EndReason | null): void {
    this.status = 'unauthenticated'
    this.reason = reason
    this.publish()
  }

  /** Start-up restore: synchronous, no network. Returns whether a session was restored. */
  restore(): boolean {
    const read = this.store.read()
    if (!read.ok) {
      this.reject(read.reason)
      this.settle(read.reason === 'tampered' || read.reason === 'corrupt' ? 'tampered' : null)
      return false
    }
    if (!read.session) {
      this.settle(null)
      return false
    }
    this.session = read.session
    this.status = 'authenticated'
    this.publish()
    this.emitter.emit({ type: 'synced', from: 'storage' })
    return true
  }

  /**
   * Re-reads the slot and adopts a newer session written by another tab (decrypting only here,
   * never per request). Returns the adopted session, or `null` when there was nothing newer.
   */
  syncFromStore(): Session<User> | null {
    if (this.cookieMode) return null
    const read = this.store.read()
    if (!read.ok) {
      if (read.reason === 'unavailable') return null
      this.reject(read.reason)
      if (this.session) this.end('tampered')
      return null
    }
    const stored = read.session
    const current = this.session
    if (!stored) return null
    // Same revision with other tokens: two tabs refreshed at once (a reuse grace window let both
    // through). The slot holds the last write, the server's latest rotation: follow it.
    const sameTokens =
      current &&
      stored.accessToken === current.accessToken &&
      stored.refreshToken === current.refreshToken
    if (current && (stored.rev < current.rev || (stored.rev === current.rev && sameTokens))) {
      current.lastActivity = Math.max(current.lastActivity, stored.lastActivity)
      return null
    }
    this.session = stored
    this.status = 'authenticated'
    this.reason = null
    this.onReset()
    if (!current || current.user !== stored.user) this.warningAt = null
    this.publish()
    this.emitter.emit({ type: 'synced', from: 'other-tab' })
    if (!current) this.hooks.onAdopt()
    this.hooks.onChange()
    return stored
  }

  /**
   * Claims the restore-time `verify` for this browser: false when another tab claimed it within
   * `freshMs` (the claim is read from storage, where every tab sees it). Call under the lock.
   */
  claimVerify(now: number, freshMs: number): boolean {
    this.syncFromStore() // never write back an older session over a newer one
    const s = this.session
    if (!s) return false
    const read = this.cookieMode ? null : this.store.read()
    const claimedAt = read?.ok ? read.session?.verifiedAt : undefined
    if (claimedAt !== undefined && now - claimedAt < freshMs) return false
    s.verifiedAt = now
    this.persist(s)
    return true
  }

  /** Turns the idle warning on (once). */
  warn(warnAt: number, logoutAt: number): void {
    if (this.warningAt !== null) return
    this.warningAt = warnAt
    this.publish()
    this.emitter.emit({ type: 'idleWarning', logoutAt })
  }

  /**
   * Records activity seen here (`local`) or in another tab. Only the end of a warning changes
   * the snapshot; sharing and persisting are throttled.
   */
  noteActivity(at: number, local: boolean): void {
    const s = this.session
    if (!s || at <= s.lastActivity) return
    s.lastActivity = at
    const warned = this.warningAt !== null
    if (warned) {
      this.warningAt = null
      this.publish()
      this.emitter.emit({ type: 'active' })
      this.hooks.onChange()
    }
    if (!local) return
    const { idleWarning, idleTimeout } = this.o
    if (warned || at - this.lastShared >= Math.min(5_000, idleWarning / 4)) {
      this.lastShared = at
      this.post({ kind: 'activity', at })
    }
    const persistEvery = idleTimeout === false ? 60_000 : Math.min(60_000, idleTimeout / 10)
    if (at - this.lastPersisted >= persistEvery) {
      this.lastPersisted = at
      this.persist(s)
    }
  }

  dispose(): void {
    this.channel_?.close()
    this.emitter.clear()
    this.snapshot.clear()
  }

  // ---- internals

  private receive(message: TabMessage): void {
    switch (message.kind) {
      case 'session':
        if (this.cookieMode) {
          if (!this.session) this.hooks.onForeignSession()
        } else this.syncFromStore()
        break
      case 'end':
        if (this.status === 'authenticated') this.end(message.reason, false)
        break
      case 'activity':
        this.noteActivity(message.at, false)
        break
      case 'health':
        this.hooks.onHealth(message.at, message.health)
        break
      case 'backoff':
        this.hooks.onBackoff(message.until)
        break
    }
  }

  private reject(reason: StorageErrorReason): void {
    this.store.clear()
    this.emitter.emit({ type: 'storageError', reason })
  }

  /** Writes the session; a failing storage is reported once per streak and the memory copy kept. */
  private persist(s: Session<User>): void {
    if (this.cookieMode) return
    const failure = this.store.write(s)
    if (failure && failure !== this.writeFailure)
      this.emitter.emit({ type: 'storageError', reason: failure })
    this.writeFailure = failure
  }

  private publish(): void {
    const s = this.session
    this.snapshot.set(
      this.status === 'authenticated' && s
        ? {
            status: 'authenticated',
            user: s.user,
            expiresAt: s.expiresAt,
            idleWarningAt: this.warningAt,
          }
        : this.status === 'unauthenticated'
          ? { status: 'unauthenticated', reason: this.reason }
          : { status: 'loading' },
    )
  }
}
