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
