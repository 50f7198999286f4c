export { AuthProvider, useKeeper, type AuthProviderProps } from './context.js'
export {
  useAuth,
  useIdleWarning,
  useSession,
  type AuthState,
  type IdleWarningState,
} from './hooks.js'
export { RequireAuth, takeReturnTo, type RequireAuthProps } from './RequireAuth.js'
