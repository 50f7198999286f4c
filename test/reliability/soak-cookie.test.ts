import { beforeEach, it, vi } from 'vitest'
import { useMockApi } from '../harness.js'
import { soak, TTL } from './soak.js'

// Cookie mode: nothing token-bearing is stored, so reloads and browser restarts are where the
// session's timeline (sign-in time, last activity) can be lost.
const mock = useMockApi({ accessTtlMs: TTL, reuseGraceMs: 5_000, credentials: 'cookie' })
beforeEach(() => void vi.useFakeTimers())

it.each([
  { seed: 20261123, storageLagMs: 0 },
  { seed: 7, storageLagMs: 40 },
])(
  '24 hours, 3 tabs, account switches, reloads and a hostile network: every logout justified and on time, every tab on the last user (cookie mode, seed $seed, storage lag $storageLagMs ms)',
  ({ seed, storageLagMs }) => soak(mock, { seed, storageLagMs, credentials: 'cookie' }),
  60_000,
)
