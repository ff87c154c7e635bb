/**
 * Removes secrets from text before it is logged or stored: bearer tokens, storage
 * account keys, SAS signatures, connection-string passwords, Azure DevOps PATs in
 * basic-auth headers or URLs. Applied to every log line and every recorded error.
 */
const PATTERNS: Array<[RegExp, string]> = [
  [/(Bearer\s+)[A-Za-z0-9\-._~+/]+=*/gi, '$1[REDACTED]'],
  [/(Basic\s+)[A-Za-z0-9+/]+=*/gi, '$1[REDACTED]'],
  // A JSON Web Token (access tokens) anywhere, with or without "Bearer".
  [/\beyJ[A-Za-z0-9_-]{16,}(?:\.[A-Za-z0-9_-]*){0,2}/g, '[REDACTED]'],
  [/((?:Account|Shared)?Key\s*=\s*)[^;"'\s]+/gi, '$1[REDACTED]'],
  [/((?:Password|Pwd)\s*=\s*)[^;"'\s]+/gi, '$1[REDACTED]'],
  [/((?:[?&]|\b)sig=)[^&"'\s]+/gi, '$1[REDACTED]'],
  [/(\/\/[^:/\s"']*:)[^@/\s"']+@/g, '$1[REDACTED]@'],
  // A 52-character Azure DevOps PAT, or a newer 84-character one, standing alone.
  [/\b[a-z0-9]{52}\b/g, '[REDACTED]'],
  [/\b[A-Za-z0-9]{84}\b/g, '[REDACTED]'],
];

const SECRET_FIELD =
  /(pat|password|pwd|secret|token|accountkey|apikey|api_key|connectionstring|authorization|sig)$/i;

const extraSecrets = new Set<string>();

/** Registers a secret value (a PAT or key read from settings) to be masked wherever it appears. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 8) extraSecrets.add(value);
}

export function redactText(text: string): string {
  let out = text;
  for (const secret of extraSecrets) out = out.split(secret).join('[REDACTED]');
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Deep copy with secret-looking fields masked and every string passed through redactText. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[…]';
  if (typeof value === 'string') return redactText(value);
  if (value instanceof Error) {
    return redact(
      {
        name: value.name,
        message: value.message,
        code: (value as { code?: unknown }).code,
        stack: value.stack,
      },
      depth + 1,
    );
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        SECRET_FIELD.test(k) && typeof v === 'string' && v.length > 0 ? '[REDACTED]' : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}
