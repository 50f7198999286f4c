import { createEnvelope, plainCodec, type Codec } from '../storage/envelope.js'
import { createSessionStore, resolveStorage, type SessionStore } from '../storage/store.js'
import { createTabChannel, type TabChannel, type TabMessage } from '../sync/channel.js'
import { leaseLock, noLock, webLock, type RefreshLock } from '../sync/lock.js'
import type { Environment } from '../core/environment.js'
import type { ResolvedOptions } from '../core/options.js'
import type { StorageLike } from '../core/types.js'

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto
  return c?.randomUUID?.() ?? Math.random().toString(36).slice(2) + Date.now().toString(36)
}

/** What one tab shares with the others. See {@link createShared}. */
export type Shared<User> = ReturnType<typeof createShared<User>>

/**
 * What one tab shares with the others: the storage and the session slot in it, the refresh lock
 * and the tab channel. Each is resolved on first use, so no browser global is touched before.
 * `onFallback` hears that web storage was unusable and memory is used instead.
 */
export function createShared<User>(
  o: ResolvedOptions<User>,
  env: () => Environment,
  onFallback: () => void,
) {
  const { crossTab, storageKey, clock, lockTimeout, refreshTimeout } = o
  const tabId = randomId()
  let storage_: StorageLike | null = null
  let store_: SessionStore<User> | null = null
  let lock_: RefreshLock | null = null
  let channel: TabChannel | null = null

  function storage(): StorageLike {
    if (!storage_) {
      const resolved = resolveStorage(o.storage, storageKey)
      storage_ = resolved.storage
      if (resolved.fellBack) onFallback()
    }
    return storage_
  }

  /**
   * A small record beside the slot, sealed like it but bound to its own name; one that cannot be
   * read counts as none (it cannot be forged without the secret).
   */
  function record(key: string) {
    let codec: Codec | null = null
    const seal = () => (codec ??= o.secret ? createEnvelope(o.secret, key) : plainCodec)
    return {
      read(): unknown {
        try {
          const raw = storage().getItem(key)
          const opened = raw === null ? null : seal().open(raw)
          return opened?.ok ? JSON.parse(opened.plaintext) : null
        } catch {
          return null
        }
      },
      write(value: unknown): void {
        try {
          storage().setItem(key, seal().seal(JSON.stringify(value)))
        } catch {
          // a full storage: the slot's own data still counts
        }
      },
      clear(): void {
        try {
          storage().removeItem(key)
        } catch {
          // nothing to clear
        }
      },
    }
  }

  /**
   * The browser-wide lock (refreshes, and in cookie mode every call whose answer sets the cookie):
   * Web Locks, else a lease in storage; none without `crossTab`.
   */
  function lock(): RefreshLock {
    const locks = env().locks
    return (lock_ ??= !crossTab
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
            storage(),
            `${storageKey}:lock`,
            tabId,
            clock,
            lockTimeout,
            refreshTimeout + lockTimeout,
          ))
  }

  return {
    /** The session slot (sealed with the secret, or plain in memory and cookie mode). */
    store: () =>
      (store_ ??= createSessionStore<User>(
        storage(),
        storageKey,
        o.secret ? createEnvelope(o.secret, storageKey) : plainCodec,
        o.credentials !== 'cookie',
      )),

    /**
     * The last activity seen in any tab, in a record of its own: activity is written without the
     * lock, often, by tabs whose view of storage may lag, so it must never carry tokens that could
     * overwrite another tab's refresh.
     */
    activity: record(`${storageKey}:activity`),

    /**
     * The ends tabs recorded (see `slot.ts`): a tab that missed their message, or a page opened
     * after it, learns them here; an empty slot alone cannot say why it is empty.
     */
    ended: record(`${storageKey}:ended`),
    floor: record(`${storageKey}:tampered`),

    lock,

    /**
     * Runs `fn` under the lock and resolves with its outcome at once; with `hold`, keeps the lock
     * 100 ms longer, so that what `fn` wrote to storage reaches the other tabs before one of them
     * takes it (browsers propagate localStorage between tabs late).
     */
    exclusive<T>(fn: () => Promise<T>, hold = false): Promise<T> {
      return new Promise((resolve, reject) => {
        lock()
          .run(async () => {
            const outcome = fn()
            outcome.then(resolve, reject)
            if (
              hold &&
              (await outcome.then(
                () => true,
                () => false,
              ))
            )
              await new Promise<void>((done) => clock.schedule(done, 100))
          })
          .catch(reject)
      })
    },

    /** Opens the tab channel (when `crossTab`), delivering messages to `receive`; returns its teardown. */
    open(receive: (message: TabMessage) => void): () => void {
      if (!crossTab) return () => {}
      const e = env()
      const c = (channel ??= createTabChannel(
        storageKey,
        tabId,
        { openChannel: e.openChannel, window: e.window, storage: storage() },
        receive,
      ))
      c.open()
      return c.close
    },

    /**
     * Cookie mode: a sign-out the server has not heard (its httpOnly cookie may still be a session,
     * and would sign the next page back in). Sets the mark when given a value; returns it.
     */
    logoutPending(set?: boolean): boolean {
      const key = `${storageKey}:logout`
      try {
        if (set) storage().setItem(key, '1')
        else if (set === false) storage().removeItem(key)
        return storage().getItem(key) !== null
      } catch {
        return false
      }
    },

    /** Tells the other tabs (when the channel is open). */
    post: (message: TabMessage) => channel?.post(message),

    close: () => channel?.close(),
  }
}
