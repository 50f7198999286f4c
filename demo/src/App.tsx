import { RequireAuth, useAuth } from 'session-keeper/react'
import { DataPanel } from './panels/DataPanel'
import { EventLog } from './panels/EventLog'
import { HealthPanel } from './panels/HealthPanel'
import { IdleDialog } from './panels/IdleDialog'
import { ServerPanel } from './panels/ServerPanel'
import { SessionPanel } from './panels/SessionPanel'
import { SettingsPanel } from './panels/SettingsPanel'
import { SignIn } from './panels/SignIn'
import type { DemoUser } from './keeper'

export function App() {
  const { status, user, logout } = useAuth<DemoUser>()
  const back = new URLSearchParams(location.search).has('payment')
  return (
    <div className="page">
      <header className="top">
        <div className="brand">
          <span className="logo">◆</span> session-keeper <span className="muted">live demo</span>
        </div>
        <div className="who">
          <span className={`pill ${status}`} data-testid="status">
            {status}
          </span>
          {user && <span data-testid="user">{user.name ?? user.username}</span>}
          {status === 'authenticated' && (
            <button className="ghost" onClick={() => void logout()}>
              Sign out
            </button>
          )}
        </div>
      </header>
      {back && (
        <p className="banner ok" data-testid="payment-back">
          Back from the payment page:{' '}
          {status === 'authenticated' ? 'still signed in.' : 'not signed in.'}
        </p>
      )}
      <main className="grid">
        <section className="col">
          <RequireAuth
            fallback={<SignIn />}
            loading={<div className="card">Restoring your session…</div>}
          >
            <SessionPanel />
            <DataPanel />
          </RequireAuth>
          <HealthPanel />
        </section>
        <section className="col">
          <ServerPanel />
          <EventLog />
          <SettingsPanel />
        </section>
      </main>
      <IdleDialog />
    </div>
  )
}
