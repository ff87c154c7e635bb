import { api, query } from './api';
import { h } from './dom';
import type { Resource } from './types';

export interface InventoryFilters {
  subscriptionId?: string;
  type?: string;
  resourceGroup?: string;
  text?: string;
}

/**
 * `/api/resources` with its filters, one page at a time (tokens kept for "previous"); with text,
 * the API's search (`q`: name, id or type) answers its best 50 matches in one page.
 */
export function renderInventoryView(root: HTMLElement, initial: InventoryFilters): void {
  const field = (name: keyof InventoryFilters, label: string, placeholder: string) =>
    h(
      'label',
      {},
      label,
      h('input', { name, placeholder, value: initial[name] ?? '', 'data-testid': `filter-${name}` }),
    );
  const form = h(
    'form',
    { class: 'filters' },
    field('subscriptionId', 'Subscription', 'any'),
    field('type', 'Type', 'e.g. Microsoft.Compute/virtualMachines'),
    field('resourceGroup', 'Resource group', 'any (needs no subscription)'),
    field('text', 'Text', 'name or id contains'),
    h('button', { class: 'primary' }, 'Filter'),
  );
  const info = h('span', { class: 'muted', 'data-testid': 'inventory-info' });
  const prev = h('button', { type: 'button', disabled: true }, '← Previous');
  const next = h('button', { type: 'button', disabled: true }, 'Next →');
  const body = h('tbody');
  const error = h('p', { class: 'error' });
  root.replaceChildren(
    form,
    h('div', { class: 'filters' }, prev, next, info),
    error,
    h(
      'table',
      { 'data-testid': 'inventory' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Name', 'Type', 'Resource group', 'Subscription', 'Location', 'Status'].map((c) =>
            h('th', {}, c),
          ),
        ),
      ),
      body,
    ),
  );
  const value = (name: string) => (form.elements.namedItem(name) as HTMLInputElement).value.trim();
  const tokens: Array<string | undefined> = [undefined];
  let page = 0;
  let nextToken: string | undefined;

  const load = async () => {
    error.textContent = '';
    info.textContent = 'loading…';
    try {
      const text = value('text');
      const result = await api<{ items: Resource[]; continuationToken?: string }>(
        `/resources${query({ subscriptionId: value('subscriptionId'), type: value('type'), resourceGroup: value('resourceGroup'), q: text || undefined, limit: 50, continuationToken: text ? undefined : tokens[page] })}`,
      );
      const rows = result.items;
      body.replaceChildren(
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-testid': 'inventory-row', 'data-id': r.id },
            h('td', {}, h('a', { href: `#graph${query({ node: r.id })}` }, r.name)),
            h('td', {}, r.type),
            h('td', {}, r.resourceGroup),
            h('td', {}, r.subscriptionId),
            h('td', {}, r.location),
            h('td', {}, r.status),
          ),
        ),
      );
      nextToken = result.continuationToken;
      info.textContent = text
        ? `${rows.length} best matches of “${text}”`
        : `page ${page + 1}: ${rows.length} shown`;
      info.dataset.rows = String(rows.length);
      prev.disabled = page === 0;
      next.disabled = !nextToken;
    } catch (e) {
      info.textContent = '';
      error.textContent = (e as Error).message;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    tokens.length = 1;
    page = 0;
    void load();
  });
  next.addEventListener('click', () => {
    if (!nextToken) return;
    tokens[++page] = nextToken;
    void load();
  });
  prev.addEventListener('click', () => {
    if (page === 0) return;
    page--;
    void load();
  });
  void load();
}
