import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { StrictMode, useState } from 'react'
import { afterEach, describe, expect, it } from 'vitest'
import { AuthProvider, createAuthHooks } from '../../src/react/index.js'
import { ADA, useMockApi } from '../harness.js'

const { makeKeeper } = useMockApi({}, { dom: true })
afterEach(cleanup)

interface Credentials {
  username: string
  password: string
}
// As an app does it: one module creates the keeper and the typed hooks.
const appKeeper = () => makeKeeper<Credentials>({ storage: 'local' })
const { useAuth, useSession, useSessionEvent, useKeeper } = createAuthHooks(
  null as unknown as ReturnType<typeof appKeeper>,
)

function Header() {
  const name = useSession((s) => (s.status === 'authenticated' ? (s.user?.name ?? '?') : null))
  const { login, logout } = useAuth()
  const keeper = useKeeper()
  const [log, setLog] = useState<string[]>([])
  useSessionEvent('loggedIn', (e) => setLog((l) => [...l, `in:${e.user?.username}`]))
  useSessionEvent('loggedOut', (e) => setLog((l) => [...l, `out:${e.reason}`]))
  useSessionEvent('synced', (e) => setLog((l) => [...l, `synced:${e.from}`]))
  return (
    <header>
      <p data-testid="name">{name ?? 'signed out'}</p>
      <p data-testid="log">{log.join(' ')}</p>
      <p data-testid="api">{keeper.timing.idleConfirm ? 'confirm' : 'any activity'}</p>
      <button onClick={() => void login({ username: ADA.username, password: ADA.password })}>
        in
      </button>
      <button onClick={() => void logout()}>out</button>
    </header>
  )
}

const app = (keeper: ReturnType<typeof appKeeper>) => (
  <StrictMode>
    <AuthProvider keeper={keeper}>
      <Header />
    </AuthProvider>
  </StrictMode>
)

describe('createAuthHooks(keeper)', () => {
  it('gives hooks that read the provider keeper and its events, once per event under StrictMode', async () => {
    render(app(appKeeper()))
    expect(screen.getByTestId('name').textContent).toBe('signed out')
    expect(screen.getByTestId('api').textContent).toBe('any activity')
    fireEvent.click(screen.getByText('in'))
    await waitFor(() => expect(screen.getByTestId('name').textContent).toBe('Ada Lovelace'))
    fireEvent.click(screen.getByText('out'))
    await waitFor(() => expect(screen.getByTestId('name').textContent).toBe('signed out'))
    expect(screen.getByTestId('log').textContent).toBe('in:ada out:logout')
  })

  it('useSessionEvent hears the restore at start (it subscribes before AuthProvider starts)', async () => {
    await act(() => appKeeper().login(ADA)) // stored in localStorage, as a previous page would
    render(app(appKeeper()))
    expect(screen.getByTestId('name').textContent).toBe('Ada Lovelace')
    expect(screen.getByTestId('log').textContent).toMatch(/^synced:storage/)
  })
})
