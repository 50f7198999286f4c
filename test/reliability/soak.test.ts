import { beforeEach, it, vi } from 'vitest'
import { useMockApi } from '../harness.js'
import { soak, TTL } from './soak.js'

// Token mode. Storage lag: Chromium hands localStorage writes to other tabs asynchronously.
const mock = useMockApi({ accessTtlMs: TTL, reuseGraceMs: 5_000 })
beforeEach(() => void vi.useFakeTimers())

it.each([
  { seed: 20261123, storageLagMs: 0 },
  { seed: 7, storageLagMs: 40 },
])(
  '24 hours, 3 tabs, account switches, reloads and a hostile network: every logout justified and on time, every tab on the last user (token mode, seed $seed, storage lag $storageLagMs ms)',
  ({ seed, storageLagMs }) => soak(mock, { seed, storageLagMs, credentials: 'token' }),
  60_000,
)
