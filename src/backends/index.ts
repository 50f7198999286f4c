/**
 * Adapters for the backends apps already run. Import only the one you use: each is independent,
 * so an app using the default contract pays nothing for the others.
 */
export { contract, type ContractOptions } from './contract.js'
export { simpleJwt, type SimpleJwtClaims, type SimpleJwtOptions } from './simpleJwt.js'
export { oauth2, type OAuth2Options, type PasswordCredentials } from './oauth2.js'
export type {
  AuthCall,
  AuthFailure,
  AuthRequest,
  FailureKind,
  SessionBackend,
} from '../core/backend.js'
