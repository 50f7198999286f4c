// Type tests: compiled by `npm run typecheck` (tsc over test/), never run. Each expectation fails
// the type check when the inference it describes breaks; each @ts-expect-error fails it when the
// mistake below it stops being an error.
import { expectTypeOf } from 'vitest'
import {
  createSessionKeeper,
  type SessionKeeper,
  type SessionKeeperOptions,
  type SessionSnapshot,
} from 'session-keeper'
import {
  RequireAuth,
  createAuthHooks,
  useAuth as useUntypedAuth,
  useDeadlines,
  useKeeper as useUntypedKeeper,
  useReturnTo,
  useSession as useUntypedSession,
} from 'session-keeper/react'
import { createMockAuthApi } from 'session-keeper/testing'
import { useLocation } from 'react-router'

interface User {
  username: string
  name: string
}
interface Credentials {
  email: string
  password: string
}

const keeper = createSessionKeeper<User, Credentials>({ baseURL: 'https://api.example.com' })
const { useAuth, useSession, useKeeper, useSessionEvent } = createAuthHooks(keeper)

export function TypedHooks() {
  // useAuth knows User and the credentials
  const { user, login } = useAuth()
  expectTypeOf(user).toEqualTypeOf<User | null>()
  expectTypeOf(login).parameter(0).toEqualTypeOf<Credentials>()
  expectTypeOf(login).returns.toEqualTypeOf<Promise<User | null>>()
  void login({ email: 'ada@example.com', password: 'lovelace' })
  // @ts-expect-error a misspelt credential field does not compile
  void login({ emial: 'ada@example.com', password: 'lovelace' })
  // @ts-expect-error nor does a missing one
  void login({ email: 'ada@example.com' })

  // useSession infers the selected type; `s` needs no annotation
  const name = useSession((s) => (s.status === 'authenticated' ? (s.user?.name ?? null) : null))
  expectTypeOf(name).toEqualTypeOf<string | null>()
  const expiresAt = useSession((s) => (s.status === 'authenticated' ? s.expiresAt : null))
  expectTypeOf(expiresAt).toEqualTypeOf<number | null>()
  expectTypeOf(useSession()).toEqualTypeOf<SessionSnapshot<User>>()

  // events and the keeper know User too
  useSessionEvent('loggedIn', (e) => expectTypeOf(e.user).toEqualTypeOf<User | null>())
  useSessionEvent('loggedOut', (e) => expectTypeOf(e.reason).toBeString())
  expectTypeOf(useKeeper()).toEqualTypeOf<SessionKeeper<User, Credentials>>()
  return null
}

export function UntypedHooks() {
  // without type arguments, the selector's result is still inferred
  const status = useUntypedSession((s) => s.status)
  expectTypeOf(status).toEqualTypeOf<'loading' | 'authenticated' | 'unauthenticated'>()
  // an explicit User no longer breaks the call (it was TS2345); the result is then unknown
  const u = useUntypedSession<User>((s) => (s.status === 'authenticated' ? s.user : null))
  expectTypeOf(u).toBeUnknown()
  expectTypeOf(useUntypedSession<User>()).toEqualTypeOf<SessionSnapshot<User>>()
  expectTypeOf(useUntypedAuth<User>().user).toEqualTypeOf<User | null>()
  expectTypeOf(useUntypedKeeper()).toEqualTypeOf<SessionKeeper<unknown, object>>()

  const d = useDeadlines()
  expectTypeOf(d.idleLogoutIn).toEqualTypeOf<number | null>()
  expectTypeOf(d.now).toBeNumber()
  expectTypeOf(useReturnTo()).toBeString()
  return null
}

// The hooks can be typed without the keeper at hand
const hooks = createAuthHooks<User, Credentials>()
expectTypeOf(hooks.useAuth).returns.toHaveProperty('user').toEqualTypeOf<User | null>()

// RequireAuth takes react-router's location as it is
export function Guard() {
  return <RequireAuth location={useLocation()} fallback={null} />
}

// Options typed without User fit any keeper (mapAuthResponse included)
const shared: Partial<SessionKeeperOptions> = {
  storage: 'memory',
  mapAuthResponse: (body) => ({ accessToken: String(body) }),
}
createSessionKeeper<User>(shared).destroy()

// The kit's authorize() gives username as a string (it was unknown)
const api = createMockAuthApi()
export function ordersOf(request: Request, orders: Record<string, string[]>) {
  const who = api.authorize(request)
  expectTypeOf(who).toEqualTypeOf<import('session-keeper/testing').MockPublicUser | null>()
  return who ? orders[who.username] : null
}
