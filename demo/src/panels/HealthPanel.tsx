import { useEffect, useState } from 'react'
import type { SessionSnapshot, TokenHealth } from 'session-keeper'
import { useKeeper, useSession } from 'session-keeper/react'
import type { DemoUser } from '../keeper'

/** Whose session this is (`null`: none), so a result is only shown for the session it was for. */
const owner = (s: SessionSnapshot<DemoUser>) =>
  s.status === 'authenticated' ? (s.user?.username ?? '') : null

export function HealthPanel() {
  const keeper = useKeeper<DemoUser>()
  const who = useSession<DemoUser, string | null>(owner)
  const [last, setLast] = useState<{ at: number; who: string | null; health: TokenHealth }>()
  const [error, setError] = useState<string | null>(null)
  useEffect(
    () =>
      keeper.on('healthChecked', (e) =>
        setLast({ at: Date.now(), who: owner(keeper.getSnapshot()), health: e.health }),
      ),
    [keeper],
  )
  // When the session ends, its result and error go with it.
  useEffect(() => {
    if (who !== null) return
    setLast(undefined)
    setError(null)
  }, [who])
  const shown = last && last.who === who ? last : null

  async function checkNow() {
    setError(null)
    try {
      await keeper.checkHealth()
    } catch (e) {
      setError(e instanceof Error ? e.message : 'failed')
    }
  }

  const interval = keeper.timing.healthInterval
  const facts: Array<[string, string, string?]> = shown
    ? [
        ['Compatible', String(shown.health.compatible), shown.health.compatible ? 'good' : 'bad'],
        [
          'Authenticated',
          String(shown.health.authenticated),
          shown.health.authenticated ? 'good' : 'bad',
        ],
        [
          'Key version (token / server)',
          `${shown.health.token_version} / ${shown.health.server_version}`,
        ],
        ['Checked', new Date(shown.at).toLocaleTimeString()],
      ]
    : []
  return (
    <div className="card">
      <h2>Token health</h2>
      <p className="muted small">
        Every {interval === false ? '—' : `${interval / 1000} s`} one visible tab asks the server
        whether its token still fits the server's signing key.
      </p>
      {shown ? (
        <dl className="facts" data-testid="health">
          {facts.map(([k, v, kind]) => (
            <div key={k}>
              <dt>{k}</dt>
              <dd className={kind}>{v}</dd>
            </div>
          ))}
        </dl>
      ) : (
        <p className="muted">No check yet.</p>
      )}
      <button onClick={() => void checkNow()} disabled={who === null} data-testid="check-health">
        Check now
      </button>
      {error && <p className="error">{error}</p>}
    </div>
  )
}
