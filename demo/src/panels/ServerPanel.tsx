import { api, setOffline } from '../server'
import { useNow, useOffline } from '../hooks'

export function ServerPanel() {
  useNow(1000) // the counts change from every tab
  const offline = useOffline()
  const counts = api.counts
  const control = (label: string, id: string, run: () => void, kind = '') => (
    <button className={kind} data-testid={id} onClick={run}>
      {label}
    </button>
  )
  return (
    <div className="card">
      <h2>Mock server</h2>
      <p className="muted small">One server for all tabs of this demo. Make it misbehave:</p>
      <div className="controls">
        {control('Rotate secret (keep old key)', 'rotate-keep', () =>
          api.rotateSecret({ keepOld: true }),
        )}
        {control(
          'Rotate secret (drop old key)',
          'rotate-drop',
          () => api.rotateSecret({ keepOld: false }),
          'danger',
        )}
        {control('Revoke all sessions', 'revoke', () => api.revokeAll(), 'danger')}
        {control('Restart, keeping sessions', 'restart-keep', () =>
          api.restart({ keepSessions: true }),
        )}
        {control(
          'Restart, forgetting sessions',
          'restart',
          () => api.restart({ keepSessions: false }),
          'danger',
        )}
        {control('Fail next 3 refreshes (503)', 'fail-refresh', () =>
          api.failNext('refresh', 503, 3),
        )}
        {control(offline ? 'Back online' : 'Go offline', 'offline', () => setOffline(!offline))}
        <a className="button" href="/payment.html" data-testid="payment">
          Visit the payment page and come back
        </a>
      </div>
      <h3 className="sub">Calls per endpoint</h3>
      <dl className="counts" data-testid="counts">
        {Object.entries(counts).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd data-testid={`count-${k}`}>{v}</dd>
          </div>
        ))}
      </dl>
      <button className="ghost small" onClick={() => api.resetCounts()}>
        Reset counts
      </button>
    </div>
  )
}
