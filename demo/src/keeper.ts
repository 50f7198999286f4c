import { createSessionKeeper } from 'session-keeper'
import { loadSettings } from './settings'

export interface DemoUser {
  username: string
  name?: string
  email?: string
  role?: string
}

const s = loadSettings()

// In a real app the secret comes from your build config. It is defence in depth and tamper
// detection, not XSS protection: see the README's threat model.
export const keeper = createSessionKeeper<DemoUser>({
  secret: 'demo-only-secret-7f3a9c2e5b1d4f8a',
  storageKey: 'sk-demo-session',
  idleTimeout: s.idleTimeoutS * 1000,
  idleWarning: s.idleWarningS * 1000,
  // The warning is a modal dialog that takes focus: it wants an answer ("Stay signed in"), so the
  // pointer reaching for the button (or the focus moving to it) does not count as one.
  idleConfirm: true,
  healthInterval: s.healthIntervalS * 1000,
})
