import type { SessionEvent, SessionEventOf, SessionEventType } from './types.js'

type Handler = (event: never) => void

/**
 * A typed event stream. A handler that throws is reported on the console and never stops the
 * others (oidc-client-ts lets one bad listener starve the rest; we do not).
 */
export class Emitter<User> {
  private readonly handlers = new Map<SessionEventType, Set<Handler>>()

  on<T extends SessionEventType>(
    type: T,
    handler: (event: SessionEventOf<T, User>) => void,
  ): () => void {
    let set = this.handlers.get(type)
    if (!set) this.handlers.set(type, (set = new Set()))
    const h = handler as Handler
    set.add(h)
    return () => void set.delete(h)
  }

  emit(event: SessionEvent<User>): void {
    const set = this.handlers.get(event.type)
    if (!set) return
    for (const handler of [...set]) {
      try {
        ;(handler as (e: SessionEvent<User>) => void)(event)
      } catch (error) {
        console.error(`[session-keeper] a '${event.type}' handler threw`, error)
      }
    }
  }

  clear(): void {
    this.handlers.clear()
  }
}

/**
 * The store contract of zustand and `useSyncExternalStore`: one immutable snapshot, replaced only
 * when something really changes, and listeners told after each replacement.
 */
export class SnapshotStore<S extends object> {
  private readonly listeners = new Set<() => void>()

  constructor(private snapshot: S) {}

  get = (): S => this.snapshot

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }

  clear(): void {
    this.listeners.clear()
  }

  /** Replaces the snapshot when `next` differs in any own field; returns whether it did. */
  set(next: S): boolean {
    if (shallowEqual(this.snapshot, next)) return false
    this.snapshot = next
    for (const listener of [...this.listeners]) {
      try {
        listener()
      } catch (error) {
        console.error('[session-keeper] a subscriber threw', error)
      }
    }
    return true
  }
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  return ka.every((k) =>
    Object.is((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  )
}
