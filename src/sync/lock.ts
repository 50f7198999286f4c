import type { Clock } from '../core/clock.js'
import type { LocksLike } from '../core/environment.js'
import type { StorageLike } from '../core/types.js'

/** Runs work while holding the browser-wide refresh lock. */
export interface RefreshLock {
  /**
   * Runs `fn` under the lock; if it cannot be had within the timeout, runs `fn` anyway.
   * `contended` tells `fn` that another tab held the lock first (and may just have refreshed).
   */
  run<T>(fn: (contended: boolean) => Promise<T>): Promise<T>
}

/** No other tabs to coordinate with (`crossTab: false`). */
export const noLock: RefreshLock = { run: (fn) => fn(false) }

/**
 * Web Locks: the browser releases the lock when its holder's tab dies, so the timeout only
 * guards against a holder that hangs. It counts from when the current holder took the lock (where
 * `query()` names the holding tab): a tab queued behind two refreshes in turn, each bounded by the
 * timeout, must not take the lock over in the middle of the second and send the refresh token it is
 * spending. The timeout uses the injected clock, not AbortSignal.timeout, so fake timers control it.
 */
export function webLock(
  locks: LocksLike,
  name: string,
  clock: Clock,
  timeoutMs: number,
): RefreshLock {
  return {
    async run(fn) {
      const busy = Symbol('busy')
      let ran: Promise<unknown> | undefined
      const first = await locks
        .request<unknown>(name, { ifAvailable: true }, (lock) =>
          lock ? (ran = fn(false)) : Promise.resolve(busy),
        )
        // The lock manager itself refused (an opaque origin, such as a sandboxed iframe, gets a
        // SecurityError): there is no lock to share, so go ahead as a lone tab would. (A failure
        // of `fn` itself stays its own.)
        .catch(() => ran ?? fn(false))
      if (first !== busy) return first as Awaited<ReturnType<typeof fn>>
      const controller = new AbortController()
      const holder = async () => {
        try {
          return (await locks.query?.())?.held?.find((l) => l.name === name)?.clientId
        } catch {
          return undefined // no answer: as if the same tab held on
        }
      }
      let entered = false
      let seen: string | undefined
      void holder().then((h) => (seen ??= h))
      let cancel = () => {}
      const wait = () => {
        cancel = clock.schedule(async () => {
          const now = await holder()
          if (entered) return
          // Another tab took the lock since we last looked: it has a full timeout of its own.
          if (now !== undefined && now !== seen) ((seen = now), wait())
          else controller.abort()
        }, timeoutMs)
      }
      wait()
      try {
        return await locks.request(name, { signal: controller.signal }, () => {
          entered = true
          cancel()
          return fn(true)
        })
      } catch (error) {
        if (entered) throw error
        entered = true
        // Timed out waiting: take the lock over (steal it), so tabs still waiting queue behind
        // this one instead of getting the lock too; the caller re-reads storage first.
        return locks.request(name, { steal: true }, () => fn(true))
      } finally {
        cancel()
      }
    },
  }
}

interface Lease {
  owner: string
  until: number
}

function readLease(storage: StorageLike, key: string): Lease | null {
  try {
    const v = JSON.parse(storage.getItem(key) ?? 'null') as Lease | null
    return v && typeof v.owner === 'string' && typeof v.until === 'number' ? v : null
  } catch {
    return null
  }
}

/**
 * Fallback lock: a lease in the shared storage with an expiry, polled. Web storage is not atomic
 * across processes: tabs that ask in the same moment all find the lease free, because each one's
 * write reaches the others late. Storage converges on the last write, so a tab that wrote its lease
 * waits `pollMs` and holds the lock only if its lease is still the one there. A rival that wrote
 * before seeing ours did so within one propagation delay of our write, and its write reaches us one
 * delay later: the pause closes the race for delays up to `pollMs / 2`; the refresh endpoint's reuse
 * grace window (see README, server guidance) covers slower ones.
 */
export function leaseLock(
  storage: StorageLike,
  key: string,
  owner: string,
  clock: Clock,
  timeoutMs: number,
  leaseMs: number,
  pollMs = 100,
): RefreshLock {
  const pause = () => new Promise<void>((resolve) => clock.schedule(resolve, pollMs))
  const tryAcquire = async (): Promise<boolean> => {
    const now = clock.now()
    const lease = readLease(storage, key)
    if (lease && lease.owner !== owner && lease.until > now) return false
    try {
      storage.setItem(key, JSON.stringify({ owner, until: now + leaseMs }))
    } catch {
      return true // no shared storage to coordinate through: go ahead
    }
    await pause()
    return readLease(storage, key)?.owner === owner
  }
  const release = () => {
    try {
      if (readLease(storage, key)?.owner === owner) storage.removeItem(key)
    } catch {
      // nothing to release
    }
  }
  // The lease names the tab, so it cannot keep two runs of one tab apart: they queue here (as a
  // tab's Web Lock requests do).
  let queue: Promise<unknown> = Promise.resolve()
  return {
    run(fn) {
      const turn = queue.then(async () => {
        const deadline = clock.now() + timeoutMs
        let contended = false
        while (!(await tryAcquire()) && clock.now() < deadline) {
          contended = true
          await pause()
        }
        try {
          return await fn(contended)
        } finally {
          release()
        }
      })
      queue = turn.catch(() => {})
      return turn
    },
  }
}
