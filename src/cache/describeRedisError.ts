/** What the message about a Redis failure needs to know to name the thing to change. */
export interface RedisErrorContext {
  /** REDIS_URL with the password masked. */
  target: string;
  host: string;
  connectTimeoutMs: number;
  commandTimeoutMs: number;
  socketTimeoutMs: number;
  /** True when the password is an Entra token (REDIS_CREDENTIAL=managedidentity), not a key. */
  tokenAuth?: boolean;
}

const TLS_CODES =
  /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)_|EPROTO$|HOSTNAME_MISMATCH)/;

/**
 * One sentence about a Redis failure that says what to check or which option to
 * change (REDIS_URL, connectTimeoutMs, commandTimeoutMs, NODE_EXTRA_CA_CERTS).
 * Built from the error's code and message only, never from the URL's password.
 */
export function describeRedisError(error: unknown, ctx: RedisErrorContext): string {
  const err = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof err?.code === 'string' ? err.code : '';
  const message = typeof err?.message === 'string' ? err.message : String(error);
  const at = `Redis at ${ctx.target} (REDIS_URL)`;
  if (code === 'ECONNREFUSED')
    return `${at} refused the connection: nothing listens on that host and port; check REDIS_URL or start Redis`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `${at} is unreachable: the host name ${ctx.host} does not resolve; check REDIS_URL`;
  if (code === 'ETIMEDOUT' || /connect ETIMEDOUT/.test(message)) {
    return `${at} did not accept a connection within connectTimeoutMs=${ctx.connectTimeoutMs} ms; check REDIS_URL and the network path, or raise connectTimeoutMs`;
  }
  if (/Command timed out/i.test(message)) {
    return `${at} did not answer within commandTimeoutMs=${ctx.commandTimeoutMs} ms; raise commandTimeoutMs if the server is slow or far away`;
  }
  if (/Socket timeout/i.test(message)) {
    return `${at} stopped answering for ${ctx.socketTimeoutMs} ms; the connection was dropped and is being re-established`;
  }
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return ctx.tokenAuth
      ? `${at} rejected the identity's Entra token: check that the database has an access policy assignment for the identity (its object id is the user name) and that AZURE_CLIENT_ID names that identity`
      : `${at} rejected the credentials: check the user name and password (access key) in REDIS_URL`;
  }
  if (code === 'RedisTokenUnavailable') return `${at}: ${message}`;
  if (/^OOM /.test(message)) {
    return `${at} is out of memory and refuses writes (maxmemory reached under a noeviction policy); raise maxmemory or use an eviction policy such as volatile-lru`;
  }
  if (/^READONLY /.test(message)) {
    return `${at} is a read-only replica (after a failover?); point REDIS_URL at the primary`;
  }
  if (TLS_CODES.test(code) || /SSL routines|wrong version number|certificate/i.test(message)) {
    return `${at}: TLS failed (${code || message}); use rediss:// only for a TLS port (Azure: 6380) and redis:// for a plain one, and trust a private CA with NODE_EXTRA_CA_CERTS`;
  }
  if (
    code === 'ECONNRESET' ||
    code === 'EPIPE' ||
    /Connection is closed|Stream isn't writeable|not connected/i.test(message)
  ) {
    return `${at} is unreachable (connection lost); reconnecting in the background`;
  }
  return `${at} failed: ${code ? `${code} ` : ''}${message}`;
}
