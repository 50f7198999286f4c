import { useEffect, useState } from 'react'
import type { TokenHealth } from 'session-keeper'
import { useKeeper, useSession } from 'session-keeper/react'

export function HealthPanel() {
  const keeper = useKeeper()
  const status = useSession((s) => s.status)
  const [last, setLast] = useState<{ at: number; health: TokenHealth } | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(
    () => keeper.on('healthChecked', (e) => setLast({ at: Date.now(), health: e.health })),
    [keeper],
  )

  async function checkNow() {
    setError(null)
    try {
      await keeper.checkHealth()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'failed')
    }
  }

  const interval = keeper.timing.healthInterval
  return (
    <div className="card">
      <h2>Token health</h2>
      <p className="muted small">
        Every {interval === false ? '—' : `${interval / 1000} s`} one visible tab asks the server
        whether its token still fits the server's signing key.
      </p>
      {last ? (
        <dl className="facts" data-testid="health">
          <div>
            <dt>Compatible</dt>
            <dd className={last.health.compatible ? 'good' : 'bad'}>
              {String(last.health.compatible)}
            </dd>
          </div>
          <div>
            <dt>Authenticated</dt>
            <dd className={last.health.authenticated ? 'good' : 'bad'}>
              {String(last.health.authenticated)}
            </dd>
          </div>
          <div>
            <dt>Key version (token / server)</dt>
            <dd>
              {String(last.health.token_version)} / {String(last.health.server_version)}
            </dd>
          </div>
          <div>
            <dt>Checked</dt>
            <dd>{new Date(last.at).toLocaleTimeString()}</dd>
          </div>
        </dl>
      ) : (
        <p className="muted">No check yet.</p>
      )}
      <button
        onClick={() => void checkNow()}
        disabled={status !== 'authenticated'}
        data-testid="check-health"
      >
        Check now
      </button>
      {error && <p className="error">{error}</p>}
    </div>
  )
}
