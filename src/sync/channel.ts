import type { EndReason, StorageLike, TokenHealth } from '../core/types.js'
import type { ChannelLike } from '../core/options.js'

/**
 * What tabs tell each other. Never a token: a receiver that needs tokens re-reads the
 * encrypted store.
 */
export type TabMessage =
  | { kind: 'session'; rev: number }
  | { kind: 'end'; reason: EndReason }
  | { kind: 'activity'; at: number }
  | { kind: 'health'; at: number; health: TokenHealth }
  | { kind: 'backoff'; until: number }

const NS = 'session-keeper'
const END_REASONS = new Set<string>([
  'logout',
  'expired',
  'idle',
  'absolute-timeout',
  'refresh-rejected',
  'incompatible',
  'revoked',
  'tampered',
])

/** Checks a message from another tab field by field; anything foreign or malformed is `null`. */
export function parseMessage(data: unknown, slot: string, self: string): TabMessage | null {
  if (data === null || typeof data !== 'object') return null
  const m = data as Record<string, unknown>
  if (m.ns !== NS || m.slot !== slot || typeof m.from !== 'string' || m.from === self) return null
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v)
  switch (m.kind) {
    case 'session':
      return num(m.rev) ? { kind: 'session', rev: m.rev as number } : null
    case 'end':
      return typeof m.reason === 'string' && END_REASONS.has(m.reason)
        ? { kind: 'end', reason: m.reason as EndReason }
        : null
    case 'activity':
      return num(m.at) ? { kind: 'activity', at: m.at as number } : null
    case 'backoff':
      return num(m.until) ? { kind: 'backoff', until: m.until as number } : null
    case 'health': {
      const h = m.health as Record<string, unknown> | null
      if (
        !num(m.at) ||
        !h ||
        typeof h.compatible !== 'boolean' ||
        typeof h.authenticated !== 'boolean'
      )
        return null
      return { kind: 'health', at: m.at as number, health: h as unknown as TokenHealth }
    }
    default:
      return null
  }
}

/** Where the channel gets its transports. */
export interface ChannelDeps {
  openChannel: ((name: string) => ChannelLike) | null
  /** Target of `storage` events, for the fallback. */
  window: EventTarget | null
  storage: StorageLike
}

/** One tab's line to the others. See {@link createTabChannel}. */
export type TabChannel = ReturnType<typeof createTabChannel>

/**
 * One tab's line to the others: BroadcastChannel when there is one, else messages written to a
 * storage key (other tabs get a `storage` event; the writer does not, so there is no echo).
 */
export function createTabChannel(
  slot: string,
  tabId: string,
  { openChannel, window, storage }: ChannelDeps,
  onMessage: (message: TabMessage) => void,
) {
  const messageKey = `${slot}:message`
  let channel: ChannelLike | null = null
  let detach: (() => void) | null = null
  let seq = 0
  const receive = (data: unknown) => {
    const message = parseMessage(data, slot, tabId)
    if (message) onMessage(message)
  }
  const close = () => {
    detach?.()
    detach = channel = null
  }
  return {
    open(): void {
      if (detach) return
      if (openChannel) {
        const c = (channel = openChannel(`${NS}:${slot}`))
        // Node keeps the process alive while a BroadcastChannel is open; tabs do not care.
        ;(c as { unref?: () => void }).unref?.()
        const listener = (event: { data: unknown }) => receive(event.data)
        c.addEventListener('message', listener)
        detach = () => {
          c.removeEventListener('message', listener)
          c.close()
        }
      } else if (window) {
        const listener = (event: Event) => {
          const { key, newValue } = event as StorageEvent
          if (key !== messageKey || !newValue) return
          try {
            receive(JSON.parse(newValue))
          } catch {
            // not ours, or garbled: ignore
          }
        }
        window.addEventListener('storage', listener)
        detach = () => window.removeEventListener('storage', listener)
      } else detach = () => {}
    },

    post(message: TabMessage): void {
      const data = { ns: NS, slot, from: tabId, seq: ++seq, ...message }
      try {
        if (channel) channel.postMessage(data)
        else if (window) storage.setItem(messageKey, JSON.stringify(data))
      } catch {
        // A closed channel or a full storage must not break the tab that posts.
      }
    },

    close,
  }
}
