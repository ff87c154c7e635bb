/**
 * Every call the page makes. Deployed, the API wants a function key: the page asks for it once
 * (on the first 401), keeps it in sessionStorage (gone when the tab closes) and sends it as the
 * `x-functions-key` header, never in a URL that a proxy or the host would log.
 */
const KEY_STORAGE = 'topdeck.functionKey';

/** `/api` when the page is at `/api/ui`: the API is next to the page, whatever the route prefix. */
export const apiBase = location.pathname.replace(/\/ui\/?$/, '');

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function askForKey(): Promise<string | undefined> {
  const dialog = document.getElementById('key-dialog') as HTMLDialogElement;
  const input = document.getElementById('key-input') as HTMLInputElement;
  input.value = '';
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => resolve(dialog.returnValue === 'ok' && input.value ? input.value : undefined),
      { once: true },
    );
    dialog.showModal();
  });
}

export async function api<T>(path: string, init: RequestInit = {}, retried = false): Promise<T> {
  const key = sessionStorage.getItem(KEY_STORAGE);
  const headers = new Headers(init.headers);
  if (key) headers.set('x-functions-key', key);
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(apiBase + path, { ...init, headers });
  if (res.status === 401 && !retried) {
    const entered = await askForKey();
    if (entered) {
      sessionStorage.setItem(KEY_STORAGE, entered);
      return api<T>(path, init, true);
    }
  }
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : undefined;
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? String(res.status), error?.message ?? res.statusText);
  }
  return body as T;
}

export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
