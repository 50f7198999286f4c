import { RequireAuth, useAuth } from 'session-keeper/react'
import { defaultMockUsers } from 'session-keeper/testing'
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
  const { status, user, login, logout } = useAuth<DemoUser>()
  // "Switch account": sign out, then at once sign in as the other demo user.
  const other = defaultMockUsers.find((u) => u.username !== user?.username)!
  async function switchAccount() {
    void logout() // ends the session at once, here and in every tab; the server is told meanwhile
    // a failed sign-in leaves the sign-in form, where the user can try again
    await login({ username: other.username, password: other.password }).catch(() => {})
  }
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
            <>
              <button className="ghost" onClick={() => void switchAccount()} data-testid="switch">
                Switch to {other.name}
              </button>
              <button className="ghost" onClick={() => void logout()} data-testid="sign-out">
                Sign out
              </button>
            </>
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
