/** A `BroadcastChannel`-like object: what the cross-tab sync needs of one. */
export interface ChannelLike {
  postMessage(message: unknown): void
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  removeEventListener(type: 'message', listener: (event: { data: unknown }) => void): void
  close(): void
}

/** The part of the Web Locks API the refresh lock uses. */
export interface LocksLike {
  request<T>(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean; steal?: boolean },
    callback: (lock: unknown) => Promise<T>,
  ): Promise<T>
  /**
   * Which tab (`clientId`) holds each lock. When present, a tab waiting for the refresh lock counts
   * its timeout from when the current holder took it, not from when it joined the queue.
   */
  query?(): Promise<{ held?: Array<{ name?: string; clientId?: string }> }>
}

/**
 * The browser globals session-keeper touches, injectable for tests and for non-DOM runtimes.
 * Each one left out is looked up on first use by `start()`, never at import time.
 */
export interface Environment {
  /** Target of `focus`, `online`, `pageshow`, `storage` and activity events. @default globalThis.window */
  window: EventTarget | null
  /** Source of `visibilityState`; none means "always visible". @default globalThis.document */
  document: (EventTarget & { visibilityState?: string }) | null
  /** Opens the cross-tab channel. @default BroadcastChannel when present */
  openChannel: ((name: string) => ChannelLike) | null
  /** Web Locks. @default navigator.locks when present */
  locks: LocksLike | null
  /** Source of jitter. @default Math.random */
  random: () => number
}

type Globals = {
  window?: EventTarget
  document?: EventTarget & { visibilityState?: string }
  BroadcastChannel?: new (name: string) => ChannelLike
  navigator?: { locks?: LocksLike }
}

/**
 * Resolves the browser globals on first use (never at import), each overridable. Where there is
 * no `document` (Node, workers) the tab counts as visible.
 */
export function resolveEnvironment(given: Partial<Environment>): () => Environment {
  let resolved: Environment | null = null
  return () => {
    if (resolved) return resolved
    const g = globalThis as Globals
    const BC = g.BroadcastChannel
    // A key given as `null` means "none", which differs from leaving it out ("the global").
    const pick = <K extends keyof Environment>(key: K, global: Environment[K] | undefined) =>
      key in given ? (given[key] ?? null) : (global ?? null)
    resolved = {
      window: pick('window', g.window),
      document: pick('document', g.document),
      openChannel: pick('openChannel', typeof BC === 'function' ? (name) => new BC(name) : null),
      locks: pick('locks', g.navigator?.locks),
      random: given.random ?? Math.random,
    }
    return resolved
  }
}

/**
 * Adds `listener` to each `[target, type]` (a missing target is skipped); returns the function
 * that removes them all.
 */
export function listen(
  pairs: ReadonlyArray<readonly [EventTarget | null | undefined, string]>,
  listener: (event: Event) => void,
  options?: AddEventListenerOptions,
): () => void {
  for (const [target, type] of pairs) target?.addEventListener(type, listener, options)
  return () => {
    for (const [target, type] of pairs) target?.removeEventListener(type, listener, options)
  }
}
