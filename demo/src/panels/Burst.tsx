import { useState } from 'react'
import { useKeeper } from 'session-keeper/react'
import { countdown, useNow } from '../hooks'
import { api, setOffline } from '../server'

interface Result {
  ok: number
  failed: number
  refreshCalls: number
}

/**
 * Twenty requests at once. Started on an expired token (the network is cut until the token has
 * expired, then restored), the burst waits for one refresh, and the count shows it.
 */
export function Burst() {
  const keeper = useKeeper()
  const [result, setResult] = useState<Result | null>(null)
  const [expiring, setExpiring] = useState<number | null>(null) // when the token expires
  const now = useNow(500)

  async function send(before = api.counts.refresh) {
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => keeper.http.get('/api/data')),
    )
    const ok = results.filter((r) => r.status === 'fulfilled').length
    setResult({ ok, failed: 20 - ok, refreshCalls: api.counts.refresh - before })
  }

  async function expireThenSend() {
    const s = keeper.getSnapshot()
    const expiresAt = s.status === 'authenticated' ? s.expiresAt : null
    if (expiresAt === null) return
    setResult(null)
    setExpiring(expiresAt)
    setOffline(true) // the refresh due before expiry fails: the token runs out
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 1_000))
    setExpiring(null)
    const before = api.counts.refresh
    setOffline(false) // back online, and at once twenty requests on the expired token
    await send(before)
  }

  return (
    <>
      <div className="row">
        <button
          onClick={() => {
            setResult(null)
            void send()
          }}
          data-testid="send-20"
        >
          Send 20 requests at once
        </button>
        <button
          className="ghost"
          onClick={() => void expireThenSend()}
          disabled={expiring !== null}
          data-testid="expire-send-20"
        >
          Let the token expire offline, then send 20
        </button>
      </div>
      {expiring !== null && (
        <p className="banner warn" role="status" data-testid="expiring">
          Offline until the access token has expired ({countdown(expiring - now)})…
        </p>
      )}
      {result && (
        <p
          className="banner ok"
          role="status"
          data-testid="burst"
          data-ok={result.ok}
          data-refreshes={result.refreshCalls}
        >
          {result.ok} of 20 succeeded, {result.failed} failed — refresh calls during the burst:{' '}
          {result.refreshCalls}
        </p>
      )}
    </>
  )
}
