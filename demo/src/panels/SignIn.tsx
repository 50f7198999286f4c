import { useState, type FormEvent } from 'react'
import { isSessionError } from 'session-keeper'
import { useAuth } from 'session-keeper/react'
import { defaultMockUsers } from 'session-keeper/testing'
import { reasonText } from '../reasons'

export function SignIn() {
  const { login, reason } = useAuth()
  const [username, setUsername] = useState('ada')
  const [password, setPassword] = useState('lovelace')
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  async function submit(event: FormEvent) {
    event.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await login({ username, password })
    } catch (e) {
      setError(
        isSessionError(e, 'invalid_credentials')
          ? 'Wrong username or password.'
          : 'The server could not be reached.',
      )
    } finally {
      setBusy(false)
    }
  }

  return (
    <div className="card">
      <h2>Sign in</h2>
      {reason && (
        <p
          className={`banner ${reason === 'logout' ? 'ok' : 'warn'}`}
          role="status"
          data-testid="reason"
          data-reason={reason}
        >
          {reasonText[reason]}
        </p>
      )}
      <form onSubmit={submit} className="form">
        <label>
          Username
          <input
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            name="username"
            autoComplete="username"
          />
        </label>
        <label>
          Password
          <input
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            name="password"
            type="password"
            autoComplete="current-password"
          />
        </label>
        {error && <p className="error">{error}</p>}
        <button type="submit" disabled={busy} data-testid="sign-in">
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted small">Demo users:</p>
      <div className="chips">
        {defaultMockUsers.map((u) => (
          <button
            key={u.username}
            data-testid={`as-${u.username}`}
            className="chip"
            onClick={() => {
              setUsername(u.username)
              setPassword(u.password)
            }}
          >
            {u.username} / {u.password}
          </button>
        ))}
      </div>
    </div>
  )
}
