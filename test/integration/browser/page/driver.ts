// The page Playwright drives: one keeper, as an app would create it, against the real API the
// query names (?api=http://localhost:PORT&mode=token|cookie&margin=ms[&refreshTimeout=ms]), and a
// driver on `window.sk`. It records what the app sees (outcomes, events, snapshots), never a token.
import { createSessionKeeper, isSessionError, sessionEventTypes } from 'session-keeper'

interface User {
  username: string
  name?: string
}
/** What one API call of the app ended as: `ok`, or the HTTP status / SessionError code it got. */
type Outcome = { ok: true } | { ok: false; status: number | null; code: string | null }

const params = new URLSearchParams(location.search)
const api = params.get('api') ?? ''
const mode = params.get('mode') === 'cookie' ? 'cookie' : 'token'

const keeper = createSessionKeeper<User>({
  baseURL: api,
  credentials: mode,
  secret: mode === 'token' ? 'browser-real-test-secret-9f3c1a7e5b2d4c6a' : undefined,
  refreshMargin: Number(params.get('margin') ?? 1_000),
  refreshTimeout: Number(params.get('refreshTimeout') ?? 10_000),
  healthInterval: false,
  idleTimeout: false,
  absoluteTimeout: false,
})

const events: Array<{ type: string; at: number; reason?: string; from?: string; code?: string }> =
  []
for (const type of sessionEventTypes)
  keeper.on(type, (e) => {
    const { reason, from, error } = e as { reason?: string; from?: string; error?: unknown }
    events.push({
      type,
      at: Date.now(),
      ...(reason ? { reason } : {}),
      ...(from ? { from } : {}),
      ...(isSessionError(error) ? { code: error.code } : {}),
    })
  })

const statusLine = document.getElementById('status')!
keeper.subscribe(() => {
  statusLine.textContent = keeper.getSnapshot().status
})
keeper.start()

async function call(): Promise<Outcome> {
  try {
    await keeper.http.get('/api/data')
    return { ok: true }
  } catch (error) {
    const status = (error as { response?: { status?: number } }).response?.status ?? null
    return { ok: false, status, code: isSessionError(error) ? error.code : null }
  }
}

const traffic = { ok: 0, failed: [] as Outcome[], timer: 0 as ReturnType<typeof setInterval> | 0 }

const driver = {
  mode,
  snapshot: () => keeper.getSnapshot(),
  events: () => events.slice(),
  async login(username = 'ada', password = 'lovelace') {
    try {
      const user = await keeper.login({ username, password })
      return { ok: true, user }
    } catch (error) {
      return { ok: false, code: isSessionError(error) ? error.code : String(error) }
    }
  },
  logout: () => keeper.logout(),
  refresh: () =>
    keeper.refresh().then(
      () => 'ok',
      (error: unknown) => (isSessionError(error) ? error.code : String(error)),
    ),
  /** `n` API calls at once; resolves to how many succeeded and what the others got. */
  async request(n = 1) {
    const results = await Promise.all(Array.from({ length: n }, call))
    return { ok: results.filter((r) => r.ok).length, failed: results.filter((r) => !r.ok) }
  },
  /** The app's own background activity: one API call every `everyMs`, outcomes tallied. */
  startTraffic(everyMs = 250) {
    clearInterval(traffic.timer)
    traffic.timer = setInterval(() => {
      void call().then((r) => (r.ok ? traffic.ok++ : traffic.failed.push(r)))
    }, everyMs)
  },
  stopTraffic() {
    clearInterval(traffic.timer)
    return { ok: traffic.ok, failed: traffic.failed.slice() }
  },
  traffic: () => ({ ok: traffic.ok, failed: traffic.failed.slice() }),
}

declare global {
  interface Window {
    sk: typeof driver
  }
}
window.sk = driver
