import { TopDeckError } from '../errors/TopDeckError';

export const DEFAULT_URL = 'http://127.0.0.1:7071';

/**
 * The HTTP API as the CLI calls it. Every failure becomes a TopDeckError whose message ends
 * with the one thing to do about it (start TopDeck, pass a key, check an id).
 */
export class TopDeckClient {
  private readonly base: string;

  constructor(
    url: string,
    private readonly key?: string,
  ) {
    // Accept the base URL with or without `/api`, as `npm start` prints either.
    this.base = url.replace(/\/+$/, '').replace(/\/api$/, '');
  }

  async get<T>(path: string, query: Record<string, string | number | undefined> = {}): Promise<T> {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v));
    const qs = q.toString();
    return this.request<T>('GET', `${path}${qs ? `?${qs}` : ''}`);
  }

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    // A header, never `?code=`: URLs end up in logs.
    if (this.key) headers['x-functions-key'] = this.key;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${this.base}/api${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      throw new TopDeckError({
        code: 'Unreachable',
        message: `cannot reach TopDeck at ${this.base} (${cause?.code ?? cause?.message ?? (e as Error).message}); start it with "npm start", or pass --url (or TOPDECK_URL) for a deployed one`,
        transient: true,
        cause: e,
      });
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (res.ok && (parsed !== undefined || !text)) return parsed as T;
    const error = (parsed as { error?: { code?: string; message?: string } } | undefined)?.error;
    const fail = (code: string, message: string) =>
      new TopDeckError({ code, message, transient: res.status >= 500, statusCode: res.status });
    if (res.status === 401 || res.status === 403)
      throw fail(
        'Unauthorized',
        `TopDeck at ${this.base} refused the call (${res.status}); pass its function key with --key or TOPDECK_KEY`,
      );
    if (res.ok || !error)
      throw fail(
        'NotTopDeck',
        `${this.base} answered ${res.status} without a TopDeck answer; check that --url (or TOPDECK_URL) is TopDeck's base URL, such as ${DEFAULT_URL}`,
      );
    throw fail(error.code ?? String(res.status), error.message ?? `TopDeck answered ${res.status}`);
  }
}
