export { createSessionKeeper } from './keeper.js'
export type { SessionDeadlines, SessionKeeper } from './core/instance.js'
export { SessionError, isSessionError, type SessionErrorCode } from './core/errors.js'
export { systemClock, type Clock } from './core/clock.js'
export { defaultEndpoints } from './core/options.js'
export type { Endpoints, SessionKeeperOptions } from './core/options.js'
export type { ChannelLike, Environment, LocksLike } from './core/environment.js'
export { decodeJwt, defaultMapAuthResponse } from './core/tokens.js'
export { sessionEventTypes } from './core/types.js'
export type {
  AuthResult,
  EndReason,
  SessionEvent,
  SessionEventOf,
  SessionEventType,
  SessionSnapshot,
  StorageErrorReason,
  StorageLike,
  TokenHealth,
} from './core/types.js'
