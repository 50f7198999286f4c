import type { ChannelLike, Environment, LocksLike } from './options.js'

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
    resolved = {
      window: 'window' in given ? (given.window ?? null) : (g.window ?? null),
      document: 'document' in given ? (given.document ?? null) : (g.document ?? null),
      openChannel:
        'openChannel' in given
          ? (given.openChannel ?? null)
          : typeof BC === 'function'
            ? (name) => new BC(name)
            : null,
      locks: 'locks' in given ? (given.locks ?? null) : (g.navigator?.locks ?? null),
      random: given.random ?? Math.random,
    }
    return resolved
  }
}
