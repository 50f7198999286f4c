// Sends an adapter's AuthRequest the way the keeper does (JSON or form body, the bearer in
// Authorization), so the adapters can be checked against the real servers on their own.
import axios from 'axios'
import type { AuthFailure, AuthRequest } from '../../src/backends/index.js'

/** The answer to one auth request: the status and the parsed body (a failure included). */
export async function send(
  origin: string,
  req: AuthRequest,
): Promise<AuthFailure & { status: number }> {
  const body = req.body ?? undefined
  const res = await axios.request({
    baseURL: origin,
    url: req.url,
    method: req.method ?? 'POST',
    data: body && req.form ? new URLSearchParams(body as Record<string, string>) : body,
    headers: { ...req.headers, ...(req.bearer ? { Authorization: `Bearer ${req.bearer}` } : {}) },
    validateStatus: () => true,
    timeout: 10_000,
  })
  return { status: res.status, body: res.data }
}
