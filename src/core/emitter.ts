import type { SessionEvent, SessionEventOf, SessionEventType } from './types.js'

/** Calls each function with `arg`; one that throws is reported and never stops the others. */
function callEach<A>(fns: Iterable<(arg: A) => void>, arg: A, what: string): void {
  for (const fn of [...fns]) {
    try {
      fn(arg)
    } catch (error) {
      console.error(`[session-keeper] ${what} threw`, error)
    }
  }
}

/** A typed event stream. See {@link createEmitter}. */
export type Emitter<User> = ReturnType<typeof createEmitter<User>>

/**
 * A typed event stream. A handler that throws is reported on the console and never stops the
 * others (oidc-client-ts lets one bad listener starve the rest; we do not).
 */
export function createEmitter<User>() {
  const handlers = new Map<SessionEventType, Set<(event: never) => void>>()
  return {
    on<T extends SessionEventType>(
      type: T,
      handler: (event: SessionEventOf<T, User>) => void,
    ): () => void {
      const set = handlers.get(type) ?? new Set()
      handlers.set(type, set.add(handler))
      return () => void set.delete(handler)
    },
    emit(event: SessionEvent<User>): void {
      callEach(handlers.get(event.type) ?? [], event as never, `a '${event.type}' handler`)
    },
    clear: () => handlers.clear(),
  }
}

/** One immutable snapshot and its listeners. See {@link createSnapshotStore}. */
export type SnapshotStore<S extends object> = ReturnType<typeof createSnapshotStore<S>>

/**
 * The store contract of zustand and `useSyncExternalStore`: one immutable snapshot, replaced only
 * when something really changes (some own field differs), and listeners told after each replacement.
 */
export function createSnapshotStore<S extends object>(snapshot: S) {
  const listeners = new Set<() => void>()
  return {
    get: (): S => snapshot,
    subscribe(listener: () => void): () => void {
      listeners.add(listener)
      return () => void listeners.delete(listener)
    },
    clear: () => listeners.clear(),
    set(next: S): void {
      const keys = Object.keys(next) as (keyof S)[]
      if (
        keys.length === Object.keys(snapshot).length &&
        keys.every((k) => Object.is(snapshot[k], next[k]))
      )
        return
      snapshot = next
      callEach(listeners, undefined, 'a subscriber')
    },
  }
}
