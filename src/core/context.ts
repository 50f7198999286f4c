import type { AxiosInstance } from 'axios'
import type { ResolvedOptions } from './options.js'
import type { SessionState } from './state.js'
import type { AuthResult } from './types.js'

/** What the parts of one keeper share: its options, its HTTP client and the session state. */
export interface Core<User> {
  o: ResolvedOptions<User>
  http: AxiosInstance
  state: SessionState<User>
  cookieMode: boolean
  /** An endpoint path joined to `baseURL`. */
  url(path: string): string
  /** `mapAuthResponse`, made safe: a result with a non-empty access token, or `null`. */
  map(body: unknown): AuthResult<User> | null
  /** Source of jitter. */
  random(): number
  /** Something changed that may move a deadline: look at them again. */
  evaluate(): void
}
