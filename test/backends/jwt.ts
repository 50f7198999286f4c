/** An unsigned JWT carrying `claims` (the adapters only read claims, they never verify). */
export const jwt = (claims: Record<string, unknown>): string =>
  ['{"alg":"HS256","typ":"JWT"}', JSON.stringify(claims), 'sig']
    .map((part, i) => (i < 2 ? Buffer.from(part).toString('base64url') : part))
    .join('.')
