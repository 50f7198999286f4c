// A browser in a test: several keepers ("tabs") sharing one storage, one channel hub, optionally
// Web Locks, and per-tab window/document targets for wake and activity events.
import type { AxiosInstance } from 'axios'
import type { ChannelLike, LocksLike, SessionKeeperOptions } from '../src/index.js'
import { MemoryStorage } from '../src/storage/store.js'
import { recordMessage } from './leaks.js'

/** BroadcastChannel semantics: async delivery to every other member of the same name. */
export class ChannelHub {
  /** @param lagMs how late messages arrive (a busy tab handles them late); 0: the next microtask */
  constructor(private readonly lagMs = 0) {}
  private members = new Map<string, Set<FakeChannel>>()
  /** Tabs whose incoming messages are held back (a partition), by channel. */
  readonly deaf = new Set<ChannelLike>()
  sent: unknown[] = []
  open = (name: string): ChannelLike => {
    const channel = new FakeChannel(name, this)
    if (!this.members.has(name)) this.members.set(name, new Set())
    this.members.get(name)!.add(channel)
    return channel
  }
  deliver(from: FakeChannel, data: unknown) {
    this.sent.push(structuredClone(data))
    recordMessage(data)
    const later = (fn: () => void) =>
      this.lagMs > 0 ? setTimeout(fn, this.lagMs) : queueMicrotask(fn)
    for (const m of this.members.get(from.name) ?? [])
      if (m !== from && !this.deaf.has(m)) later(() => m.receive(structuredClone(data)))
  }
  /** Post a raw message, as a foreign script or another app on the origin might. */
  inject(name: string, data: unknown) {
    for (const m of this.members.get(name) ?? []) queueMicrotask(() => m.receive(data))
  }
  leave(channel: FakeChannel) {
    this.members.get(channel.name)?.delete(channel)
  }
}

class FakeChannel implements ChannelLike {
  private listeners = new Set<(e: { data: unknown }) => void>()
  closed = false
  constructor(
    readonly name: string,
    private hub: ChannelHub,
  ) {}
  postMessage(data: unknown) {
    if (this.closed) throw new Error('InvalidStateError: channel closed')
    this.hub.deliver(this, data)
  }
  addEventListener(_t: 'message', l: (e: { data: unknown }) => void) {
    this.listeners.add(l)
  }
  removeEventListener(_t: 'message', l: (e: { data: unknown }) => void) {
    this.listeners.delete(l)
  }
  receive(data: unknown) {
    if (!this.closed) for (const l of this.listeners) l({ data })
  }
  close() {
    this.closed = true
    this.hub.leave(this)
  }
}

/** Web Locks, exclusive mode, FIFO, with ifAvailable and steal; an abort while waiting rejects. */
export class FakeLocks implements LocksLike {
  private holder = new Map<string, { clientId?: string }>()
  private queues = new Map<string, Array<{ clientId?: string; grant: (h: object) => void }>>()
  requests = 0
  async request<T>(
    name: string,
    options: { signal?: AbortSignal; ifAvailable?: boolean; steal?: boolean },
    callback: (lock: unknown) => Promise<T>,
    clientId?: string,
  ): Promise<T> {
    this.requests += 1
    if (options.ifAvailable && this.holder.has(name)) return callback(null)
    if (options.steal) this.holder.delete(name) // the old holder runs on, no longer holding it
    const me = await this.acquire(name, options.signal, clientId)
    try {
      return await callback({ name })
    } finally {
      this.release(name, me)
    }
  }
  /** Holds a lock forever, as a hung tab would. */
  hang(name: string) {
    this.holder.set(name, {})
  }
  /** The tab `clientId` closed: the browser releases the locks it held and drops its requests. */
  close(clientId: string) {
    for (const q of this.queues.values())
      for (const entry of q.filter((e) => e.clientId === clientId)) q.splice(q.indexOf(entry), 1)
    for (const [name, h] of [...this.holder]) if (h.clientId === clientId) this.release(name, h)
  }
  /** Which tab holds each lock, as `navigator.locks.query()` tells. */
  async query() {
    return { held: [...this.holder].map(([name, h]) => ({ name, clientId: h.clientId })) }
  }
  /** The locks as the tab `clientId` sees them (its requests are its own). */
  client(clientId: string): LocksLike {
    return {
      request: (name, options, callback) => this.request(name, options, callback, clientId),
      query: () => this.query(),
    }
  }
  private acquire(name: string, signal?: AbortSignal, clientId?: string): Promise<object> {
    if (!this.holder.has(name)) {
      const me = { clientId }
      this.holder.set(name, me)
      return Promise.resolve(me)
    }
    return new Promise((resolve, reject) => {
      const q = this.queues.get(name) ?? []
      this.queues.set(name, q)
      const entry = {
        clientId,
        grant: (h: object) => {
          signal?.removeEventListener('abort', abort)
          resolve(h)
        },
      }
      const abort = () => {
        q.splice(q.indexOf(entry), 1)
        reject(new DOMException('aborted', 'AbortError'))
      }
      signal?.addEventListener('abort', abort)
      q.push(entry)
    })
  }
  private release(name: string, me: object) {
    if (this.holder.get(name) !== me) return // stolen meanwhile: not ours to release
    const next = this.queues.get(name)?.shift()
    if (next) {
      const h = { clientId: next.clientId }
      this.holder.set(name, h)
      next.grant(h)
    } else this.holder.delete(name)
  }
}

/**
 * One browser's shared web storage. Each tab gets a view whose writes fire `storage` events on
 * the *other* tabs' windows, as browsers do.
 */
export class SharedStorage {
  readonly backing = new MemoryStorage()
  /** Every value a tab wrote, by key, in order (to check that no token is ever stored). */
  readonly writes: Array<{ key: string; value: string | null }> = []
  private windows = new Set<EventTarget>()
  /** Windows that miss storage events for now. */
  readonly deaf = new Set<EventTarget>()
  /**
   * @param lagMs how late a write reaches the other tabs (Chromium propagates localStorage
   *   between renderers asynchronously); 0 means at once.
   */
  constructor(private readonly lagMs = 0) {}
  view(own: EventTarget) {
    this.windows.add(own)
    // What this tab sees: the shared items, except that another tab's write reaches it lagMs late.
    // Writes to one key arrive in the order they were made, each on its own schedule.
    const pending = new Map<string, { shown: string | null; inFlight: number }>()
    const views = (this.views ??= new Map())
    views.set(own, pending)
    const fire = (key: string, newValue: string | null) => {
      if (key.endsWith(':message') && newValue) recordMessage(newValue)
      for (const w of this.windows)
        if (w !== own && !this.deaf.has(w))
          w.dispatchEvent(Object.assign(new Event('storage'), { key, newValue }))
    }
    const write = (key: string, value: string | null) => {
      this.writes.push({ key, value })
      const before = this.backing.getItem(key)
      pending.delete(key) // a tab sees its own write at once
      if (this.lagMs > 0)
        for (const [w, p] of views) {
          if (w === own) continue
          const entry = p.get(key) ?? { shown: before, inFlight: 0 }
          p.set(key, entry)
          entry.inFlight += 1
          setTimeout(() => {
            if (p.get(key) !== entry) return // that tab has written the key itself since
            entry.shown = value
            if (--entry.inFlight === 0) p.delete(key)
          }, this.lagMs)
        }
      if (value === null) this.backing.removeItem(key)
      else this.backing.setItem(key, value)
      if (this.lagMs > 0) setTimeout(() => fire(key, value), this.lagMs)
      else fire(key, value)
    }
    return {
      getItem: (k: string) => (pending.has(k) ? pending.get(k)!.shown : this.backing.getItem(k)),
      setItem: (k: string, v: string) => write(k, v),
      removeItem: (k: string) => write(k, null),
    }
  }
  private views:
    Map<EventTarget, Map<string, { shown: string | null; inFlight: number }>> | undefined

  /**
   * Changes one character of the stored `key` in place, as a disk error or a foreign script
   * would: no tab is told. Returns false when there is nothing stored.
   */
  corrupt(key: string, at: number): boolean {
    const value = this.backing.getItem(key)
    if (!value) return false
    const i = at % value.length
    const c = value.charCodeAt(i)
    const flipped = String.fromCharCode(c === 0x41 ? 0x42 : c ^ 1 || 0x41)
    this.backing.setItem(key, value.slice(0, i) + flipped + value.slice(i + 1))
    return true
  }
}

/**
 * The browser's cookies for the API origin. Node's axios keeps none; a browser does: attach the
 * jar to each cookie-mode tab's axios instance and it sends and stores them as a browser would.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>()
  /** Sends the jar's cookies with requests under `origin` and keeps what responses set. */
  attach(http: AxiosInstance, origin: string): void {
    http.interceptors.request.use((config) => {
      const url = String(config.url)
      if (this.cookies.size && (url.startsWith('/') || url.startsWith(`${origin}/`)))
        config.headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '))
      return config
    })
    const keep = (headers: Record<string, unknown> | undefined) => {
      for (const line of (headers?.['set-cookie'] as string[] | undefined) ?? []) {
        const [pair, ...attrs] = line.split(';')
        const [name, value = ''] = pair!.split('=')
        if (attrs.some((a) => /max-age=0/i.test(a.trim()))) this.cookies.delete(name!.trim())
        else this.cookies.set(name!.trim(), value)
      }
    }
    http.interceptors.response.use(
      (r) => (keep(r.headers as never), r),
      (e: { response?: { headers?: Record<string, unknown> } }) => {
        keep(e.response?.headers)
        throw e
      },
    )
  }
}

export interface BrowserOptions {
  /** Web Locks available (true) or the storage lease fallback (false). */
  webLocks?: boolean
  /** BroadcastChannel available (true) or the `storage` event fallback (false). */
  broadcastChannel?: boolean
  /** How late other tabs see a storage write. @default 0 */
  storageLagMs?: number
  /** How late other tabs get a channel message. @default 0 (the next microtask) */
  channelLagMs?: number
}

/** An EventTarget that counts its listeners, to prove none is left behind. */
export class CountingTarget extends EventTarget {
  listeners = 0
  override addEventListener(...args: Parameters<EventTarget['addEventListener']>) {
    this.listeners += 1
    super.addEventListener(...args)
  }
  override removeEventListener(...args: Parameters<EventTarget['removeEventListener']>) {
    this.listeners -= 1
    super.removeEventListener(...args)
  }
}

/** Makes tab options for keepers of one simulated browser. */
export function browser({
  webLocks = true,
  broadcastChannel = true,
  storageLagMs = 0,
  channelLagMs = 0,
}: BrowserOptions = {}) {
  const hub = new ChannelHub(channelLagMs)
  const locks = new FakeLocks()
  const storage = new SharedStorage(storageLagMs)
  let tabs = 0
  return {
    hub,
    locks,
    storage,
    /** The browser's cookie jar (cookie mode): attach it to each tab's `http`. */
    cookies: new CookieJar(),
    /** Options for a new tab of this browser (pass to makeKeeper). */
    tab(extra: Partial<SessionKeeperOptions<any>> = {}) {
      const window = new CountingTarget()
      const document = Object.assign(new CountingTarget(), { visibilityState: 'visible' as string })
      const channels: ChannelLike[] = []
      const openChannel = (name: string) => {
        const c = hub.open(name)
        channels.push(c)
        return c
      }
      const clientId = `tab ${++tabs}`
      return {
        window,
        document,
        /**
         * Makes `keeper` this tab's page and returns `close`: the keeper is destroyed, the answers
         * to requests it still had on the way are lost, and its locks released, as when a browser
         * closes a page. (A keeper destroyed on a page still open gets its answers.)
         */
        page(keeper: { http: AxiosInstance; destroy(): void }): () => void {
          let closed = false
          const lost = () => new Promise<never>(() => {})
          keeper.http.interceptors.response.use(
            (r) => (closed ? lost() : r),
            (e: unknown) => (closed ? lost() : Promise.reject(e)),
          )
          return () => {
            closed = true
            keeper.destroy()
            locks.close(clientId)
          }
        },
        /** This tab stops hearing the others (busy, throttled, or a message lost). */
        deafen() {
          for (const c of channels) hub.deaf.add(c as never)
          storage.deaf.add(window)
        },
        options: {
          crossTab: true,
          storage: storage.view(window),
          environment: {
            window,
            document,
            openChannel: broadcastChannel ? openChannel : null,
            locks: webLocks ? locks.client(clientId) : null,
          },
          ...extra,
        } satisfies SessionKeeperOptions<any>,
      }
    },
  }
}
