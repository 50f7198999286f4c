import { act, cleanup, fireEvent, render, screen } from '@testing-library/react'
import { StrictMode, useState, type ReactNode } from 'react'
import {
  BrowserRouter,
  MemoryRouter,
  Navigate,
  Outlet,
  Route,
  Routes,
  useLocation,
} from 'react-router'
import { afterEach, describe, expect, it } from 'vitest'
import {
  AuthProvider,
  RequireAuth,
  createAuthHooks,
  takeReturnTo,
  useReturnTo,
} from '../../src/react/index.js'
import { ADA, useMockApi } from '../harness.js'

// The README's react-router recipe, as an app writes it: guarded routes redirect to /login, which
// sends the user back where they were going once signed in, and is skipped when signed in.
const { makeKeeper } = useMockApi({}, { dom: true })
afterEach(cleanup)
afterEach(() => window.history.replaceState(null, '', '/'))

type Keeper = ReturnType<typeof makeKeeper<{ username: string; password: string }>>
const { useAuth } = createAuthHooks(null as unknown as Keeper)

function Guard({ routerLocation }: { routerLocation: boolean }) {
  const location = useLocation()
  return (
    <RequireAuth
      {...(routerLocation ? { location } : {})}
      fallback={<Navigate to="/login" replace />}
      loading={<p>Loading…</p>}
    >
      <Outlet />
    </RequireAuth>
  )
}

function LoginPage() {
  const { isAuthenticated, login } = useAuth()
  const returnTo = useReturnTo('/')
  const [error, setError] = useState('')
  if (isAuthenticated) return <Navigate to={returnTo} replace />
  return (
    <main>
      <h1>Sign in</h1>
      <button onClick={() => login(ADA).catch(() => setError('refused'))}>sign in</button>
      <p>{error}</p>
    </main>
  )
}

/** Shows the router's location, so a test sees where the user is. */
function Where() {
  const { pathname, search, hash } = useLocation()
  return <p data-testid="where">{pathname + search + hash}</p>
}

function Routed({ routerLocation }: { routerLocation: boolean }) {
  return (
    <>
      <Where />
      <Routes>
        <Route path="/" element={<h1>Home</h1>} />
        <Route path="/login" element={<LoginPage />} />
        <Route element={<Guard routerLocation={routerLocation} />}>
          <Route path="/orders/:id" element={<h1>Order page</h1>} />
        </Route>
      </Routes>
    </>
  )
}

const app = (keeper: Keeper, router: ReactNode) => (
  <StrictMode>
    <AuthProvider keeper={keeper}>{router}</AuthProvider>
  </StrictMode>
)
const where = () => screen.getByTestId('where').textContent

describe('react-router 7: guard → /login → sign in → back', () => {
  it('memory router, the router location handed to RequireAuth', async () => {
    const keeper = makeKeeper<{ username: string; password: string }>()
    render(
      app(
        keeper,
        <MemoryRouter initialEntries={['/orders/7?tab=items#total']}>
          <Routed routerLocation />
        </MemoryRouter>,
      ),
    )
    expect(screen.getByRole('heading').textContent).toBe('Sign in')
    expect(where()).toBe('/login')
    fireEvent.click(screen.getByText('sign in'))
    expect((await screen.findByRole('heading', { name: 'Order page' })).textContent).toBeTruthy()
    expect(where()).toBe('/orders/7?tab=items#total')
    expect(takeReturnTo('nothing left')).toBe('nothing left') // the sign-in page took it
  })

  it('browser router, RequireAuth reading window.location before <Navigate> moves it', async () => {
    window.history.replaceState(null, '', '/orders/42?from=mail')
    const keeper = makeKeeper<{ username: string; password: string }>()
    render(
      app(
        keeper,
        <BrowserRouter>
          <Routed routerLocation={false} />
        </BrowserRouter>,
      ),
    )
    expect(window.location.pathname).toBe('/login')
    fireEvent.click(screen.getByText('sign in'))
    await screen.findByRole('heading', { name: 'Order page' })
    expect(window.location.pathname + window.location.search).toBe('/orders/42?from=mail')
  })

  it('skips /login when signed in, and a sign-out on a guarded page comes back to it', async () => {
    const keeper = makeKeeper<{ username: string; password: string }>()
    render(
      app(
        keeper,
        <MemoryRouter initialEntries={['/login']}>
          <Routed routerLocation />
        </MemoryRouter>,
      ),
    )
    await act(() => keeper.login(ADA))
    expect(where()).toBe('/') // nothing remembered: the fallback
    cleanup()
    render(
      app(
        keeper,
        <MemoryRouter initialEntries={['/orders/9']}>
          <Routed routerLocation />
        </MemoryRouter>,
      ),
    )
    expect(where()).toBe('/orders/9')
    await act(() => keeper.logout())
    expect(where()).toBe('/login')
    fireEvent.click(screen.getByText('sign in'))
    await screen.findByRole('heading', { name: 'Order page' })
    expect(where()).toBe('/orders/9')
  })
})

describe('useReturnTo', () => {
  it('reads once per mount under StrictMode, and forgets the stored path after commit', () => {
    sessionStorage.setItem('session-keeper:return-to', '/reports/3')
    const seen: string[] = []
    function Page() {
      const to = useReturnTo('/home')
      seen.push(to)
      return <p>{to}</p>
    }
    const keeper = makeKeeper()
    const { rerender } = render(app(keeper, <Page />))
    rerender(app(keeper, <Page />))
    expect(new Set(seen)).toEqual(new Set(['/reports/3'])) // every render, both StrictMode passes
    expect(sessionStorage.getItem('session-keeper:return-to')).toBeNull()
  })

  it('never returns to another site', () => {
    for (const evil of ['//evil.test/x', '/\\evil.test', 'https://evil.test/']) {
      sessionStorage.setItem('session-keeper:return-to', evil)
      function Page() {
        return <p data-testid="to">{useReturnTo('/safe')}</p>
      }
      render(app(makeKeeper(), <Page />))
      expect(screen.getByTestId('to').textContent).toBe('/safe')
      cleanup()
    }
  })
})
