/**
 * Time as session-keeper sees it. Inject one in tests (or use `vi.useFakeTimers()`, which the
 * default honours because it looks `Date.now` and `setTimeout` up on every call).
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch. */
  now(): number
  /** Runs `fn` once after `ms` milliseconds; returns a function that cancels it. */
  schedule(fn: () => void, ms: number): () => void
}

/** The default clock: `Date.now` and `setTimeout`, bound late so fake timers keep working. */
export const systemClock: Clock = {
  now: () => Date.now(),
  schedule(fn, ms) {
    const id = setTimeout(fn, Math.max(0, ms))
    return () => clearTimeout(id)
  },
}
