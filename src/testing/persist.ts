import type { StorageLike } from '../core/types.js'
import type { MockServerState } from './server.js'

/** Storage slots a mock of this page has already used: a second mock there starts afresh. */
const usedSlots = new Set<string>()

/**
 * Where a mock keeps its state: the option as given (its stored state taken over), nothing, or by
 * default localStorage when there is one, taken over only by the first mock of the page.
 */
export function resolvePersist(
  given: { storage: StorageLike; key: string } | false | undefined,
  base: string,
): { persist: { storage: StorageLike; key: string } | null; adopt: boolean } {
  if (given === false) return { persist: null, adopt: false }
  if (given) return { persist: given, adopt: true }
  let storage: StorageLike | undefined
  try {
    storage = (globalThis as { localStorage?: StorageLike }).localStorage
  } catch {
    // storage blocked: memory only
  }
  // Node 25 defines an empty `localStorage` unless run with --localstorage-file: not a storage
  if (typeof storage?.getItem !== 'function' || typeof storage.setItem !== 'function')
    return { persist: null, adopt: false }
  const key = base ? `session-keeper-mock ${base}` : 'session-keeper-mock'
  const first = !usedSlots.has(key)
  usedSlots.add(key)
  return { persist: { storage, key }, adopt: first }
}

/** Reads and writes the mock server's state where it is kept; in memory only without a slot. */
export interface StateStore {
  /** Takes over the stored state: another tab, or the page before a reload, may have changed it. */
  load(): void
  /** Stores the state as it is now. */
  save(): void
  /** Load, change, save: one control's step. */
  mutate(change: () => void): void
}

/**
 * Keeps `holder.state` in `persist` (nothing without it). Takes over what is stored there when
 * `adopt`, then stores the state at once, so another tab meets this server from the start.
 */
export function stateStore(
  holder: { state: MockServerState },
  persist: { storage: StorageLike; key: string } | null,
  adopt: boolean,
): StateStore {
  const load = () => {
    if (!persist) return
    try {
      const raw = persist.storage.getItem(persist.key)
      if (raw) holder.state = JSON.parse(raw) as MockServerState
    } catch {
      // unreadable: keep the state in memory
    }
  }
  const save = () => {
    if (persist) persist.storage.setItem(persist.key, JSON.stringify(holder.state))
  }
  if (adopt) load()
  save()
  return {
    load,
    save,
    mutate(change) {
      load()
      change()
      save()
    },
  }
}
