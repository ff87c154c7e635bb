import { api, query } from './api';
import { formatTime, h, shortName } from './dom';
import type { Change } from './types';

function describe(c: Change): HTMLElement {
  const what =
    c.kind === 'edgeAdded' || c.kind === 'edgeRemoved'
      ? `${c.kind === 'edgeAdded' ? 'now depends on' : 'no longer depends on'} ${shortName(c.targetId ?? '')} (${c.method})`
      : c.kind;
  return h(
    'li',
    { 'data-testid': 'change' },
    h('span', { class: `kind-${c.kind}` }, what),
    h(
      'span',
      { class: 'muted' },
      c.trigger === 'event'
        ? ` · ${formatTime(c.at)} · by ${c.actor ?? 'an unnamed caller'} (${c.operation ?? 'event'})`
        : ` · ${formatTime(c.at)} · scan ${c.scanId}`,
    ),
    c.correlationId
      ? h('span', { class: 'muted', title: 'Azure Activity Log correlation id' }, ` · ${c.correlationId}`)
      : null,
    c.paths?.length
      ? h(
          'ul',
          {},
          ...c.paths.map((p) =>
            h(
              'li',
              {},
              p.redacted
                ? `${p.path} (values hidden)`
                : `${p.path}: ${JSON.stringify(p.old)} → ${JSON.stringify(p.new)}`,
            ),
          ),
        )
      : null,
  );
}

/** What changed since a chosen time, grouped per resource or per scan; more pages on demand. */
export function renderChangesView(root: HTMLElement): void {
  const dayAgo = new Date(Date.now() - 24 * 3600_000);
  const local = new Date(dayAgo.getTime() - dayAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const since = h('input', { type: 'datetime-local', value: local, 'data-testid': 'changes-since' });
  const groupBy = h(
    'select',
    {},
    h('option', { value: 'resource' }, 'per resource'),
    h('option', { value: 'scan' }, 'per scan'),
  );
  const form = h(
    'form',
    { class: 'filters' },
    h('label', {}, 'Since', since),
    h('label', {}, 'Group', groupBy),
    h('button', { class: 'primary' }, 'Show'),
  );
  const list = h('div', { 'data-testid': 'changes' });
  const more = h('button', { type: 'button', hidden: true }, 'More');
  const error = h('p', { class: 'error' });
  root.replaceChildren(form, error, list, more);
  let items: Change[] = [];
  let token: string | undefined;

  const draw = () => {
    const groups = new Map<string, Change[]>();
    for (const c of items) {
      const k = groupBy.value === 'scan' ? c.scanId : c.resourceId;
      groups.set(k, [...(groups.get(k) ?? []), c]);
    }
    list.replaceChildren(
      items.length
        ? h('p', { class: 'muted' }, `${items.length} changes`)
        : h('p', { class: 'muted' }, 'No change in this window.'),
      ...[...groups].map(([k, cs]) =>
        h(
          'details',
          { class: 'group', open: groups.size <= 20 },
          h(
            'summary',
            {},
            `${groupBy.value === 'scan' ? `scan ${k}` : (cs[0]?.name ?? shortName(k))} (${cs.length})`,
          ),
          h('ul', {}, ...cs.map(describe)),
        ),
      ),
    );
    more.hidden = !token;
  };
  const load = async (append: boolean) => {
    error.textContent = '';
    try {
      const sinceIso = since.value ? new Date(since.value).toISOString() : undefined;
      const page = await api<{ items: Change[]; continuationToken?: string }>(
        `/changes${query({ since: sinceIso, limit: 200, continuationToken: append ? token : undefined })}`,
      );
      items = append ? [...items, ...page.items] : page.items;
      token = page.continuationToken;
      draw();
    } catch (e) {
      error.textContent = (e as Error).message;
    }
  };
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void load(false);
  });
  groupBy.addEventListener('change', draw);
  more.addEventListener('click', () => void load(true));
  void load(false);
}
