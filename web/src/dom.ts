/** A tiny element builder: the page is small enough not to need a framework. */
type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | ((e: Event) => void) | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, v);
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export function formatTime(iso: string | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '';
}

/** The last segment of an ARM id or an `external:<host>` id, for labels. */
export function shortName(id: string): string {
  if (id.startsWith('external:')) return id.slice('external:'.length);
  return id.split('/').filter(Boolean).pop() ?? id;
}
