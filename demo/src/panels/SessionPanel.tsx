import { useKeeper, useSession } from 'session-keeper/react'
import { countdown, useNow } from '../hooks'
import type { DemoUser } from '../keeper'

export function SessionPanel() {
  const keeper = useKeeper<DemoUser>()
  const snapshot = useSession<DemoUser>()
  const now = useNow()
  if (snapshot.status !== 'authenticated') return null
  const d = keeper.getDeadlines()
  const rows: Array<[string, string, string]> = [
    ['User', `${snapshot.user?.name ?? '—'} (${snapshot.user?.role ?? 'user'})`, 'session-user'],
    [
      'Access token expires in',
      countdown(snapshot.expiresAt === null ? null : snapshot.expiresAt - now),
      'token-countdown',
    ],
    [
      'Next refresh in',
      countdown(d.refreshAt === null ? null : d.refreshAt - now),
      'refresh-countdown',
    ],
    [
      'Idle sign-out in',
      countdown(d.idleLogoutAt === null ? null : d.idleLogoutAt - now),
      'idle-countdown',
    ],
    [
      'Session ends at the latest in',
      countdown(d.absoluteLogoutAt === null ? null : d.absoluteLogoutAt - now),
      'absolute-countdown',
    ],
  ]
  return (
    <div className="card">
      <h2>Your session</h2>
      <dl className="facts">
        {rows.map(([k, v, id]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd data-testid={id}>{v}</dd>
          </div>
        ))}
      </dl>
      <p className="muted small">
        Move the mouse or type to stay active; once the idle warning shows, answer it. The token
        refreshes on its own before it expires; the stored session is encrypted and authenticated.
      </p>
    </div>
  )
}
