// The one module that knows the cipher. crypto-js is no longer developed: keep every use of it
// here so it can be swapped (for WebCrypto, say) without touching anything else.
import AES from 'crypto-js/aes.js'
import CryptoJS from 'crypto-js/core.js'
import Base64 from 'crypto-js/enc-base64.js'
import Hex from 'crypto-js/enc-hex.js'
import Utf8 from 'crypto-js/enc-utf8.js'
import HmacSHA256 from 'crypto-js/hmac-sha256.js'

/** Envelope format version; part of the MAC so a downgrade is detected. */
const VERSION = 'sk1'

/** Why an envelope was refused. */
export type OpenFailure = 'tampered' | 'corrupt' | 'unsupported-version'

/** Seals and opens stored strings, bound to one slot name. */
export interface Codec {
  seal(plaintext: string): string
  open(blob: string): { ok: true; plaintext: string } | { ok: false; reason: OpenFailure }
}

/** Compares two strings in time that depends only on their length. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/**
 * Encrypt-then-MAC: AES-256-CBC with a random IV per write, HMAC-SHA256 over
 * version + slot + IV + ciphertext, verified in constant time before anything is decrypted.
 * Two keys are derived from the secret by HMAC with distinct labels. The secret is meant to be
 * high-entropy key material, so no slow password KDF is run (it would cost every page load).
 *
 * Never `AES.encrypt(text, passphrase)`: that derives its key with one MD5 pass and has no MAC.
 */
export function createEnvelope(secret: string, slot: string): Codec {
  const encKey = HmacSHA256('session-keeper/v1/encrypt', secret)
  const macKey = HmacSHA256('session-keeper/v1/authenticate', secret)
  const mac = (iv: string, ct: string) =>
    Hex.stringify(HmacSHA256(`${VERSION}|${slot}|${iv}|${ct}`, macKey))

  return {
    seal(plaintext) {
      const iv = CryptoJS.lib.WordArray.random(16) // crypto.getRandomValues underneath
      const ct = Base64.stringify(AES.encrypt(Utf8.parse(plaintext), encKey, { iv }).ciphertext)
      const ivText = Base64.stringify(iv)
      return `${VERSION}.${ivText}.${ct}.${mac(ivText, ct)}`
    },
    open(blob) {
      const parts = typeof blob === 'string' ? blob.split('.') : []
      if (parts.length !== 4) return { ok: false, reason: 'corrupt' }
      const [version, iv, ct, tag] = parts as [string, string, string, string]
      if (version !== VERSION)
        return { ok: false, reason: /^sk\d+$/.test(version) ? 'unsupported-version' : 'corrupt' }
      if (!constantTimeEqual(mac(iv, ct), tag)) return { ok: false, reason: 'tampered' }
      try {
        const params = CryptoJS.lib.CipherParams.create({ ciphertext: Base64.parse(ct) })
        const plaintext = Utf8.stringify(AES.decrypt(params, encKey, { iv: Base64.parse(iv) }))
        return plaintext ? { ok: true, plaintext } : { ok: false, reason: 'corrupt' }
      } catch {
        return { ok: false, reason: 'corrupt' }
      }
    },
  }
}

/**
 * No encryption: only for storage that never leaves this page's memory (`storage: 'memory'`)
 * and for cookie mode, where nothing token-bearing is stored.
 */
export const plainCodec: Codec = {
  seal: (plaintext) => `sk0.${plaintext}`,
  open: (blob) =>
    typeof blob === 'string' && blob.startsWith('sk0.')
      ? { ok: true, plaintext: blob.slice(4) }
      : { ok: false, reason: 'corrupt' },
}
