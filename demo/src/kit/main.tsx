// The testing kit in the browser used exactly as the README's setupWorker sample: the kit's default
// settings (no `persist`), one keeper, the React bindings. The e2e checks that a reload and a second
// tab keep the session, which needs the kit to remember its server state in the browser by itself.
import { setupWorker } from 'msw/browser'
import { StrictMode, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { createSessionKeeper } from 'session-keeper'
import { AuthProvider, RequireAuth, useAuth, useKeeper } from 'session-keeper/react'
import { createMockAuthApi } from 'session-keeper/testing'

const api = createMockAuthApi({ accessTtlMs: 60_000 })
await setupWorker(...api.handlers).start({ onUnhandledRequest: 'bypass', quiet: true })

const keeper = createSessionKeeper<{ name: string }>({ secret: 'kit-sample-secret-4c1e9b7d2a6f' })

function SignIn() {
  const { login, reason } = useAuth()
  return (
    <p>
      {reason && <span data-testid="reason">{reason} </span>}
      <button
        data-testid="sign-in"
        onClick={() => void login({ username: 'ada', password: 'lovelace' })}
      >
        Sign in as Ada
      </button>
    </p>
  )
}

function Orders() {
  const keeper = useKeeper()
  const [items, setItems] = useState<string | null>(null)
  const load = async () =>
    setItems((await keeper.http.get('/api/data')).data.items.map((i: { name: string }) => i.name))
  return (
    <p>
      <button data-testid="load-data" onClick={() => void load().catch(() => setItems('failed'))}>
        Load data
      </button>{' '}
      {items && <span data-testid="items">{String(items)}</span>}
    </p>
  )
}

function App() {
  const { status, user } = useAuth<{ name: string }>()
  return (
    <main>
      <p>
        <span data-testid="status">{status}</span> <span data-testid="user">{user?.name}</span>
      </p>
      <RequireAuth fallback={<SignIn />}>
        <Orders />
      </RequireAuth>
    </main>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AuthProvider keeper={keeper}>
      <App />
    </AuthProvider>
  </StrictMode>,
)
