import { useState } from 'react'
import { useKeeper } from 'session-keeper/react'
import { api } from '../server'

interface Burst {
  ok: number
  failed: number
  refreshCalls: number
}

export function DataPanel() {
  const keeper = useKeeper()
  const [items, setItems] = useState<Array<{ id: number; name: string }> | null>(null)
  const [burst, setBurst] = useState<Burst | null>(null)
  const [error, setError] = useState<string | null>(null)

  async function load() {
    setError(null)
    try {
      setItems((await keeper.http.get('/api/data')).data.items)
    } catch (e) {
      setError(e instanceof Error ? e.message : 'failed')
    }
  }

  async function sendTwenty() {
    setBurst(null)
    const before = api.counts.refresh
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () => keeper.http.get('/api/data')),
    )
    const ok = results.filter((r) => r.status === 'fulfilled').length
    setBurst({ ok, failed: 20 - ok, refreshCalls: api.counts.refresh - before })
  }

  return (
    <div className="card">
      <h2>Protected data</h2>
      <div className="row">
        <button onClick={() => void load()} data-testid="load-data">
          Load data
        </button>
        <button onClick={() => void sendTwenty()} data-testid="send-20">
          Send 20 requests at once
        </button>
      </div>
      {items && (
        <ul className="items" data-testid="items">
          {items.map((i) => (
            <li key={i.id}>{i.name}</li>
          ))}
        </ul>
      )}
      {burst && (
        <p
          className="banner ok"
          data-testid="burst"
          data-ok={burst.ok}
          data-refreshes={burst.refreshCalls}
        >
          {burst.ok} of 20 succeeded, {burst.failed} failed — refresh calls during the burst:{' '}
          {burst.refreshCalls}
        </p>
      )}
      {error && <p className="error">{error}</p>}
    </div>
  )
}
