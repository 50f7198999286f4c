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

/**
 * One tab's line to the others: BroadcastChannel when there is one, else messages written to a
 * storage key (other tabs get a `storage` event; the writer does not, so there is no echo).
 */
export class TabChannel {
  private channel: ChannelLike | null = null
  private detach: (() => void) | null = null
  private seq = 0

  constructor(
    private readonly slot: string,
    readonly tabId: string,
    private readonly deps: ChannelDeps,
    private readonly onMessage: (message: TabMessage) => void,
  ) {}

  open(): void {
    if (this.detach) return
    const receive = (data: unknown) => {
      const message = parseMessage(data, this.slot, this.tabId)
      if (message) this.onMessage(message)
    }
    if (this.deps.openChannel) {
      const channel = this.deps.openChannel(`${NS}:${this.slot}`)
      // Node keeps the process alive while a BroadcastChannel is open; tabs do not care.
      ;(channel as { unref?: () => void }).unref?.()
      const listener = (event: { data: unknown }) => receive(event.data)
      channel.addEventListener('message', listener)
      this.channel = channel
      this.detach = () => {
        channel.removeEventListener('message', listener)
        channel.close()
      }
    } else if (this.deps.window) {
      const target = this.deps.window
      const key = this.messageKey
      const listener = (event: Event) => {
        const e = event as StorageEvent
        if (e.key !== key || !e.newValue) return
        try {
          receive(JSON.parse(e.newValue))
        } catch {
          // not ours, or garbled: ignore
        }
      }
      target.addEventListener('storage', listener)
      this.detach = () => target.removeEventListener('storage', listener)
    } else {
      this.detach = () => {}
    }
  }

  post(message: TabMessage): void {
    const data = { ns: NS, slot: this.slot, from: this.tabId, seq: ++this.seq, ...message }
    try {
      if (this.channel) this.channel.postMessage(data)
      else if (this.deps.window) this.deps.storage.setItem(this.messageKey, JSON.stringify(data))
    } catch {
      // A closed channel or a full storage must not break the tab that posts.
    }
  }

  close(): void {
    this.detach?.()
    this.detach = null
    this.channel = null
  }

  private get messageKey(): string {
    return `${this.slot}:message`
  }
}
