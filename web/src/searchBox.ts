import { api, query } from './api';
import { h } from './dom';
import type { Resource } from './types';

/** Wait after the last keystroke before asking the API, in milliseconds. */
const DEBOUNCE_MS = 200;
const RESULTS = 10;

/**
 * A search box over the whole inventory (GET /api/resources?q=, name, id or type) as you type;
 * picking a result (click, or Enter for the first) hands its id to `pick`.
 */
export function searchBox(pick: (id: string) => void): HTMLElement {
  const input = h('input', {
    type: 'search',
    placeholder: 'find a resource: name, id or type',
    'aria-label': 'Find a resource',
    autocomplete: 'off',
    'data-testid': 'search',
  });
  const list = h('ul', {
    class: 'search-results',
    role: 'listbox',
    'data-testid': 'search-results',
    hidden: true,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  let first: string | undefined;

  const choose = (id: string) => {
    list.hidden = true;
    pick(id);
  };
  const search = async (text: string) => {
    const mine = ++asked;
    try {
      const page = await api<{ items: Resource[] }>(`/resources${query({ q: text, limit: RESULTS })}`);
      if (mine !== asked) return; // a later keystroke has asked since
      first = page.items[0]?.id;
      list.replaceChildren(
        ...(page.items.length
          ? page.items.map((r) => {
              const li = h(
                'li',
                { role: 'option', 'data-id': r.id, tabindex: '-1' },
                h('strong', {}, r.name),
                h(
                  'span',
                  { class: 'muted' },
                  ` ${r.type.split('/').slice(1).join('/')} · ${r.resourceGroup}`,
                ),
              );
              li.addEventListener('mousedown', (e) => {
                e.preventDefault();
                choose(r.id);
              });
              return li;
            })
          : [h('li', { class: 'muted' }, `nothing matches “${text}”`)]),
      );
      list.hidden = false;
      list.dataset.query = text;
    } catch (e) {
      if (mine !== asked) return;
      list.replaceChildren(h('li', { class: 'error' }, (e as Error).message));
      list.hidden = false;
    }
  };
  input.addEventListener('input', () => {
    clearTimeout(timer);
    const text = input.value.trim();
    first = undefined;
    if (text.length < 2) {
      asked++;
      list.hidden = true;
      return;
    }
    timer = setTimeout(() => void search(text), DEBOUNCE_MS);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && first) {
      e.preventDefault();
      choose(first);
    } else if (e.key === 'Escape') list.hidden = true;
  });
  input.addEventListener('blur', () => {
    list.hidden = true;
  });
  return h('div', { class: 'search' }, input, list);
}
