import { isSession, type Session } from '../core/tokens.js'
import type { StorageErrorReason, StorageLike } from '../core/types.js'
import type { Codec } from './envelope.js'

/** What reading the slot found. */
export type ReadResult<User> =
  | { ok: true; session: Session<User> | null }
  /** `raw`: the blob that failed its check (to tell one bad blob from another; never opened). */
  | { ok: false; reason: StorageErrorReason; raw?: string }

/** A storage backed only by this page's memory: the fallback, and `storage: 'memory'`. */
export class MemoryStorage implements StorageLike {
  private readonly items = new Map<string, string>()
  getItem(key: string): string | null {
    return this.items.get(key) ?? null
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value))
  }
  removeItem(key: string): void {
    this.items.delete(key)
  }
}

/** `QuotaExceededError` (and Firefox's old name) is `quota`; anything else thrown is `unavailable`. */
export function classifyWriteError(error: unknown): StorageErrorReason {
  const name = (error as { name?: unknown } | null)?.name
  return name === 'QuotaExceededError' || name === 'NS_ERROR_DOM_QUOTA_REACHED'
    ? 'quota'
    : 'unavailable'
}

/**
 * Resolves the `storage` option to a working storage, probing web storage once: private modes and
 * sandboxed iframes throw on access.
 */
export function resolveStorage(
  option: 'local' | 'session' | 'memory' | StorageLike,
  key: string,
): { storage: StorageLike; fellBack: boolean } {
  if (option === 'memory') return { storage: new MemoryStorage(), fellBack: false }
  try {
    const storage =
      typeof option === 'object'
        ? option
        : (globalThis as { localStorage: StorageLike; sessionStorage: StorageLike })[
            option === 'local' ? 'localStorage' : 'sessionStorage'
          ]
    // Reading is the probe (a missing storage throws here too): a full storage (quota) is still
    // worth reading from, and its write failures are reported one by one while the session lives
    // on in memory.
    storage.getItem(key)
    return { storage, fellBack: false }
  } catch {
    return { storage: new MemoryStorage(), fellBack: true }
  }
}

/** The session slot. See {@link createSessionStore}. */
export type SessionStore<User> = ReturnType<typeof createSessionStore<User>>

/**
 * The session slot: serialises, seals and validates. It holds no copy of the session; the keeper
 * keeps the plain session in memory and decrypts only at start and on a cross-tab change.
 */
export function createSessionStore<User>(
  storage: StorageLike,
  key: string,
  codec: Codec,
  needsAccessToken: boolean,
) {
  return {
    /** Reads and opens the slot. Never throws; anything unusable comes back as a reason. */
    read(): ReadResult<User> {
      let raw: string | null
      try {
        raw = storage.getItem(key)
      } catch {
        return { ok: false, reason: 'unavailable' }
      }
      if (raw === null) return { ok: true, session: null }
      const opened = codec.open(raw)
      if (!opened.ok) return { ...opened, raw }
      try {
        const value: unknown = JSON.parse(opened.plaintext)
        if (isSession(value, needsAccessToken)) return { ok: true, session: value as Session<User> }
      } catch {
        // not JSON: corrupt
      }
      return { ok: false, reason: 'corrupt', raw }
    },

    /** Seals and writes; returns the failure reason, or `null` when written. */
    write(session: Session<User>): StorageErrorReason | null {
      try {
        storage.setItem(key, codec.seal(JSON.stringify(session)))
        return null
      } catch (error) {
        return classifyWriteError(error)
      }
    },

    /** Removes the slot; a storage that throws here is reported, and the memory copy is gone anyway. */
    clear(): StorageErrorReason | null {
      try {
        storage.removeItem(key)
        return null
      } catch {
        return 'unavailable'
      }
    },
  }
}
