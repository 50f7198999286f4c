import type { EndReason } from 'session-keeper'

/** What the user is told when a session ends. */
export const reasonText: Record<EndReason, string> = {
  logout: 'You signed out.',
  idle: 'You were signed out after a period of inactivity.',
  'absolute-timeout': 'Your session reached its maximum length. Please sign in again.',
  'refresh-rejected': 'The server no longer accepts this session. Please sign in again.',
  incompatible:
    "The server's signing key changed, so this session can't continue. Please sign in again.",
  revoked: 'Your session was revoked on the server. Please sign in again.',
  expired: 'Your session expired. Please sign in again.',
  tampered: 'The stored session failed its integrity check and was discarded.',
}
