// What the mock server knows, as plain JSON (so it can live in localStorage for every tab of a
// page): users, signing keys, sessions, the failures and latency queued by the controls, call
// counts. The token logic over it is in tokens.ts.

/** A user as the mock server describes it (login, verify, profile, `authorize()`): no password. */
export interface MockPublicUser {
  username: string
  email?: string
  name?: string
  role?: string
  /** Any other field given at registration or in `users`. */
  [field: string]: unknown
}

/** A user the mock server knows. Everything but `password` is sent back as the user object. */
export interface MockUser extends MockPublicUser {
  password: string
}

/** The endpoints the mock server counts calls to. */
export type MockEndpoint =
  'login' | 'register' | 'refresh' | 'verify' | 'profile' | 'health' | 'logout' | 'data'

interface StoredSession {
  username: string
  /** The one refresh-token id that may be used next (rotation). */
  jti: string
  /** Ids it replaced, with when: each is accepted again only within the reuse grace window. */
  previous: Record<string, number>
  expiresAt: number
  revoked: boolean
}

/** The whole server state: plain JSON, so the demo can keep it in localStorage for all tabs. */
export interface MockServerState {
  keyVersion: number
  keys: Record<string, string>
  accepted: number[]
  sessions: Record<string, StoredSession>
  users: MockUser[]
  failures: Partial<Record<MockEndpoint, { with: number | 'network'; remaining: number }>>
  latency: Partial<Record<MockEndpoint, number>>
  counts: Record<MockEndpoint, number>
  seq: number
}

const ENDPOINTS: MockEndpoint[] = [
  'login',
  'register',
  'refresh',
  'verify',
  'profile',
  'health',
  'logout',
  'data',
]

/** The demo users the mock server starts with when none are given. */
export const defaultMockUsers: MockUser[] = [
  {
    username: 'ada',
    password: 'lovelace',
    email: 'ada@example.com',
    name: 'Ada Lovelace',
    role: 'admin',
  },
  {
    username: 'grace',
    password: 'hopper',
    email: 'grace@example.com',
    name: 'Grace Hopper',
    role: 'user',
  },
]

/** A new server's state: copies of `users`, one signing key made from `seed`, nothing else. */
export function initialState(users: MockUser[], seed: string): MockServerState {
  return {
    keyVersion: 1,
    keys: { '1': `${seed}-1` },
    accepted: [1],
    sessions: {},
    users: users.map((u) => ({ ...u })),
    failures: {},
    latency: {},
    counts: Object.fromEntries(ENDPOINTS.map((e) => [e, 0])) as Record<MockEndpoint, number>,
    seq: 0,
  }
}

/** The user as the server describes it: everything but the password. */
export function publicUser(user: MockUser): MockPublicUser {
  const { password: _password, ...rest } = user
  return rest as MockPublicUser
}
