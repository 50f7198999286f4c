import Base64url from 'crypto-js/enc-base64url.js'
import Utf8 from 'crypto-js/enc-utf8.js'
import HmacSHA256 from 'crypto-js/hmac-sha256.js'

/** Claims the mock server puts in its tokens. Times are NumericDate (seconds, may be fractional). */
export interface MockClaims {
  sub: string
  sid: string
  /** Signing-key version. */
  ver: number
  typ: 'access' | 'refresh'
  jti: string
  iat: number
  exp: number
  name?: string
}

const enc = (value: unknown) => Base64url.stringify(Utf8.parse(JSON.stringify(value)))

/** Signs claims as an HS256 JWT (unpadded base64url, UTF-8 claims). */
export function signJwt(claims: MockClaims, key: string): string {
  const head = enc({ alg: 'HS256', typ: 'JWT', kid: String(claims.ver) })
  const body = enc(claims)
  return `${head}.${body}.${Base64url.stringify(HmacSHA256(`${head}.${body}`, key))}`
}

/** Reads a JWT without checking it. `null` for anything that is not one. */
export function readJwt(
  token: string,
): { kid: string; claims: MockClaims; signed: string; sig: string } | null {
  const parts = token.split('.')
  if (parts.length !== 3) return null
  try {
    const head = JSON.parse(Utf8.stringify(Base64url.parse(parts[0]!))) as { kid?: unknown }
    const claims = JSON.parse(Utf8.stringify(Base64url.parse(parts[1]!))) as MockClaims
    if (typeof head.kid !== 'string' || typeof claims !== 'object' || !claims) return null
    return { kid: head.kid, claims, signed: `${parts[0]}.${parts[1]}`, sig: parts[2]! }
  } catch {
    return null
  }
}

/** True when `sig` is the HS256 signature of `signed` under `key`. */
export function checkSignature(signed: string, sig: string, key: string): boolean {
  return Base64url.stringify(HmacSHA256(signed, key)) === sig
}
