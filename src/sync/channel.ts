import { END_REASONS, type EndReason, type StorageLike, type TokenHealth } from '../core/types.js'
import { listen, type ChannelLike } from '../core/environment.js'
import { finite, optionalFinite } from '../core/tokens.js'

/**
 * What tabs tell each other. Never a token: a receiver that needs tokens re-reads the
 * encrypted store.
 */
export type TabMessage =
  | {
      kind: 'session'
      rev: number
      /** The sign-in this one replaced in the writing tab (an account switch): it is over. */
      replaced?: number
    }
  | {
      kind: 'end'
      reason: EndReason
      rev: number
      /** The sign-in that ended (0: every sign-in numbered up to `rev`, tampering was found). */
      sid: number
      /** When that sign-in began: every one begun before it is over too. */
      at?: number
    }
  | { kind: 'activity'; at: number }
  | { kind: 'health'; at: number; health: TokenHealth }
  | { kind: 'backoff'; until: number }

const NS = 'session-keeper'

/** The finite number each kind of message carries (`end` carries a reason too). */
const NUMBER_FIELD = new Map([
  ['session', 'rev'],
  ['end', 'rev'],
  ['activity', 'at'],
  ['backoff', 'until'],
  ['health', 'at'],
])

/** Checks a message from another tab; anything foreign or malformed is `null`. */
export function parseMessage(data: unknown, slot: string, self: string): TabMessage | null {
  const m = data as Record<string, unknown> | null
  if (m?.ns !== NS || m.slot !== slot || typeof m.from !== 'string' || m.from === self) return null
  const field = NUMBER_FIELD.get(m.kind as string)
  const h = m.health as Partial<TokenHealth> | null | undefined
  const ok =
    field !== undefined &&
    finite(m[field]) &&
    (m.kind !== 'end' || (END_REASONS.has(m.reason as string) && finite(m.sid))) &&
    optionalFinite(m.replaced) &&
    optionalFinite(m.at) &&
    (m.kind !== 'health' ||
      (typeof h?.compatible === 'boolean' && typeof h.authenticated === 'boolean'))
  return ok ? (m as unknown as TabMessage) : null
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
      } else
        detach = listen([[window, 'storage']], (event) => {
          const { key, newValue } = event as StorageEvent
          if (key !== messageKey || !newValue) return
          try {
            receive(JSON.parse(newValue))
          } catch {
            // not ours, or garbled: ignore
          }
        })
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
