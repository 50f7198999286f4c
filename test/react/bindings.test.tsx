import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { Profiler, StrictMode, useState } from 'react'
import { renderToString } from 'react-dom/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { createSessionKeeper } from '../../src/index.js'
import {
  AuthProvider,
  RequireAuth,
  takeReturnTo,
  useAuth,
  useIdleWarning,
  useSession,
} from '../../src/react/index.js'
import { ADA, interceptorCount, useMockApi, type User } from '../harness.js'

const { api, makeKeeper } = useMockApi({}, { dom: true })
afterEach(cleanup)

function Status() {
  const { status, user, reason, isAuthenticated, isLoading, login, logout } = useAuth<User>()
  return (
    <div>
      <p data-testid="status">{status}</p>
      <p data-testid="user">{user?.name ?? '-'}</p>
      <p data-testid="reason">{reason ?? '-'}</p>
      <p data-testid="flags">{`${isAuthenticated}/${isLoading}`}</p>
      <button onClick={() => void login(ADA)}>sign in</button>
      <button onClick={() => void logout()}>sign out</button>
    </div>
  )
}

const strict = (keeper: ReturnType<typeof makeKeeper>, ui: React.ReactNode) => (
  <StrictMode>
    <AuthProvider keeper={keeper}>{ui}</AuthProvider>
  </StrictMode>
)

describe('AuthProvider and useAuth', () => {
  it('shows login and logout as they happen', async () => {
    const keeper = makeKeeper()
    render(strict(keeper, <Status />))
    expect(screen.getByTestId('status').textContent).toBe('unauthenticated')
    fireEvent.click(screen.getByText('sign in'))
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('authenticated'))
    expect(screen.getByTestId('user').textContent).toBe('Ada Lovelace')
    expect(screen.getByTestId('flags').textContent).toBe('true/false')
    fireEvent.click(screen.getByText('sign out'))
    await waitFor(() => expect(screen.getByTestId('reason').textContent).toBe('logout'))
    expect(api().counts.logout).toBe(1)
  })

  it('StrictMode double mounting leaves one set of interceptors, and none after unmount', async () => {
    const keeper = makeKeeper({ storage: 'local' })
    const { unmount } = render(strict(keeper, <Status />))
    expect(interceptorCount(keeper)).toBe(1)
    fireEvent.click(screen.getByText('sign in'))
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('authenticated'))
    expect((await keeper.http.get('/api/data')).data.user).toBe('ada')
    unmount()
    expect(interceptorCount(keeper)).toBe(0)
    // no timers left running either: nothing happens to the session with time
    vi.useFakeTimers()
    const before = keeper.getSnapshot()
    await vi.advanceTimersByTimeAsync(60 * 60_000)
    expect(keeper.getSnapshot()).toBe(before)
    expect(vi.getTimerCount()).toBe(0)
  })

  it('restores a stored session before the first paint, with no network call', async () => {
    const seed = makeKeeper({ storage: 'local' })
    await seed.login(ADA)
    api().resetCounts()
    const keeper = makeKeeper({ storage: 'local' })
    render(strict(keeper, <Status />))
    expect(screen.getByTestId('status').textContent).toBe('authenticated')
    expect(screen.getByTestId('user').textContent).toBe('Ada Lovelace')
    expect(api().counts).toMatchObject({ login: 0, refresh: 0 })
  })

  it('shows a refresh: useSession(expiresAt) moves on', async () => {
    const keeper = makeKeeper()
    await keeper.login(ADA)
    function Expiry() {
      const expiresAt = useSession((s) => (s.status === 'authenticated' ? s.expiresAt : null))
      return <p data-testid="exp">{String(expiresAt)}</p>
    }
    render(strict(keeper, <Expiry />))
    const first = screen.getByTestId('exp').textContent
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 5_000) // time passes, so the new expiry differs
    await act(() => keeper.refresh())
    expect(screen.getByTestId('exp').textContent).not.toBe(first)
  })

  it('useSession follows a selector that depends on props, with no session change', async () => {
    const keeper = makeKeeper()
    await keeper.login(ADA)
    function Field({ field }: { field: keyof User }) {
      const value = useSession<User, unknown>((s) =>
        s.status === 'authenticated' ? s.user?.[field] : null,
      )
      return <p data-testid="field">{String(value)}</p>
    }
    const { rerender } = render(strict(keeper, <Field field="username" />))
    expect(screen.getByTestId('field').textContent).toBe('ada')
    rerender(strict(keeper, <Field field="name" />))
    expect(screen.getByTestId('field').textContent).toBe('Ada Lovelace')
  })

  it('useAuth outside a provider throws a clear error', () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {})
    expect(() => render(<Status />)).toThrow(/inside <AuthProvider/)
    spy.mockRestore()
  })
})

describe('rendering cost', () => {
  it('a selector consumer does not re-render when an unrelated field changes', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const keeper = makeKeeper({ idleTimeout: 120_000, idleWarning: 30_000 })
    await act(() => keeper.login(ADA))
    let renders = 0
    function UserName() {
      renders++
      const name = useSession<User, string | null>((s) =>
        s.status === 'authenticated' ? (s.user?.name ?? null) : null,
      )
      return <p>{name}</p>
    }
    render(
      <AuthProvider keeper={keeper}>
        <UserName />
      </AuthProvider>,
    )
    const base = renders
    await act(() => keeper.refresh()) // expiresAt changes
    await act(() => vi.advanceTimersByTimeAsync(95_000)) // idle warning turns on: idleWarningAt changes
    expect(keeper.getSnapshot()).toMatchObject({ idleWarningAt: expect.any(Number) })
    expect(renders).toBe(base)
  })

  it('1,000 activity events cause 0 renders', async () => {
    const keeper = makeKeeper({ idleTimeout: 600_000 })
    await keeper.login(ADA)
    let commits = 0
    render(
      <StrictMode>
        <AuthProvider keeper={keeper}>
          <Profiler id="app" onRender={() => commits++}>
            <Status />
          </Profiler>
        </AuthProvider>
      </StrictMode>,
    )
    const base = commits
    for (let i = 0; i < 1000; i++) fireEvent.pointerMove(window)
    for (let i = 0; i < 100; i++) fireEvent.keyDown(document)
    expect(commits).toBe(base)
  })
})

describe('tokens in the URL', () => {
  it('are never accepted: a link carrying tokens signs nobody in (session fixation)', () => {
    window.history.pushState(
      {},
      '',
      '/?access_token=eyJhbGciOiJIUzI1NiJ9.e30.x&refresh_token=r#access_token=eyJ.e30.y',
    )
    const keeper = makeKeeper({ storage: 'local' })
    render(strict(keeper, <Status />))
    expect(screen.getByTestId('status').textContent).toBe('unauthenticated')
    expect(Object.values({ ...localStorage }).join()).not.toContain('eyJ')
    window.history.pushState({}, '', '/')
  })
})

describe('RequireAuth', () => {
  it('shows the fallback, then the protected content after login, and remembers where the user was going', async () => {
    window.history.pushState({}, '', '/reports/42?tab=q3#chart')
    const keeper = makeKeeper()
    function Login() {
      const { login } = useAuth()
      return <button onClick={() => void login(ADA)}>please sign in</button>
    }
    render(
      strict(
        keeper,
        <RequireAuth fallback={<Login />}>
          <p>secret report</p>
        </RequireAuth>,
      ),
    )
    expect(screen.queryByText('secret report')).toBeNull()
    fireEvent.click(screen.getByText('please sign in'))
    await screen.findByText('secret report')
    expect(takeReturnTo()).toBe('/reports/42?tab=q3#chart')
    expect(takeReturnTo('/home')).toBe('/home') // taken once
  })

  it('never returns to another site', () => {
    sessionStorage.setItem('session-keeper:return-to', '//evil.test/phish')
    expect(takeReturnTo()).toBe('/')
    sessionStorage.setItem('session-keeper:return-to', 'https://evil.test/')
    expect(takeReturnTo()).toBe('/')
  })

  it('shows `loading` while a cookie-mode session is being checked', async () => {
    const keeper = makeKeeper({ credentials: 'cookie', secret: undefined })
    render(
      strict(
        keeper,
        <RequireAuth fallback={<p>sign in</p>} loading={<p>checking…</p>}>
          <p>inside</p>
        </RequireAuth>,
      ),
    )
    expect(screen.getByText('checking…')).toBeTruthy()
    await screen.findByText('sign in')
  })
})

describe('useIdleWarning', () => {
  it('shows the warning with its logout time, and stayActive ends it', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true })
    const keeper = makeKeeper({ idleTimeout: 120_000, idleWarning: 30_000 })
    await act(() => keeper.login(ADA))
    const loginAt = Date.now()
    function Dialog() {
      const { warning, logoutAt, stayActive } = useIdleWarning()
      return warning ? (
        <div role="dialog">
          <p data-testid="at">{logoutAt}</p>
          <button onClick={stayActive}>stay signed in</button>
        </div>
      ) : null
    }
    render(strict(keeper, <Dialog />))
    expect(screen.queryByRole('dialog')).toBeNull()
    await act(() => vi.advanceTimersByTimeAsync(91_000))
    expect(screen.getByRole('dialog')).toBeTruthy()
    expect(Number(screen.getByTestId('at').textContent)).toBeGreaterThanOrEqual(loginAt + 120_000)
    fireEvent.click(screen.getByText('stay signed in'))
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(keeper.getSnapshot().status).toBe('authenticated')
  })
})

describe('server rendering', () => {
  it('renders loading/unauthenticated without touching storage', () => {
    const keeper = createSessionKeeper({ storage: 'local', secret: 'ssr-secret-0123456789abcd' })
    const getItem = vi.spyOn(Storage.prototype, 'getItem')
    const html = renderToString(
      <AuthProvider keeper={keeper}>
        <Status />
        <RequireAuth fallback={<p>sign in</p>} loading={<p>loading</p>}>
          <p>inside</p>
        </RequireAuth>
      </AuthProvider>,
    )
    expect(html).toContain('loading')
    expect(html).not.toContain('inside')
    expect(getItem).not.toHaveBeenCalled()
    expect(interceptorCount(keeper as never)).toBe(0)
    getItem.mockRestore()
    keeper.destroy()
  })

  it('a component keeps state across a session change (no remount)', async () => {
    const keeper = makeKeeper()
    function Counter() {
      const [n, setN] = useState(0)
      useAuth()
      return <button onClick={() => setN(n + 1)}>{`count ${n}`}</button>
    }
    render(strict(keeper, <Counter />))
    fireEvent.click(screen.getByText('count 0'))
    await act(() => keeper.login(ADA))
    expect(screen.getByText('count 1')).toBeTruthy()
  })
})
