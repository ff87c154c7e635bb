/** The claim names Resource Manager puts in an event, in the order an actor is chosen from them. */
const UPN_CLAIMS = ['http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn', 'upn'];
const NAME_CLAIMS = ['name', 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'];
/** `appid` in v1 tokens, `azp` in v2 tokens: a service principal or managed identity. */
const APP_CLAIMS = ['appid', 'azp'];

function first(claims: Record<string, unknown>, names: readonly string[]): string | undefined {
  for (const n of names) {
    const v = claims[n];
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 256);
  }
  return undefined;
}

/**
 * Who made a change: the caller's UPN, else its display name, else its application id. Nothing
 * else of the claims is kept (they hold object ids, IP addresses and token metadata).
 */
export function actorFromClaims(claims: unknown): string | undefined {
  if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
  const c = claims as Record<string, unknown>;
  return first(c, UPN_CLAIMS) ?? first(c, NAME_CLAIMS) ?? first(c, APP_CLAIMS);
}
