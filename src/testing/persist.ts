import type { StorageLike } from '../core/types.js'

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
  if (!storage) return { persist: null, adopt: false }
  const key = base ? `session-keeper-mock ${base}` : 'session-keeper-mock'
  const first = !usedSlots.has(key)
  usedSlots.add(key)
  return { persist: { storage, key }, adopt: first }
}
