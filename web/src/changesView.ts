import { api, query } from './api';
import { groupChanges, summarise, type ChangeGroup } from './changeStory';
import { formatTime, h, shortName } from './dom';
import type { Change } from './types';

/** Items drawn when a group is opened; the rest on request (a first scan has thousands). */
const SHOWN_PER_GROUP = 200;

function value(v: unknown): string {
  return v === undefined ? '∅' : JSON.stringify(v);
}

function describe(c: Change): HTMLElement {
  const edge = c.kind === 'edgeAdded' || c.kind === 'edgeRemoved';
  const what = edge
    ? `${c.kind === 'edgeAdded' ? 'now depends on' : 'no longer depends on'} ${shortName(c.targetId ?? '')} (${c.method})`
    : c.kind;
  return h(
    'li',
    { 'data-testid': 'change', 'data-kind': c.kind, 'data-resource-id': c.resourceId },
    h('a', { href: `#graph${query({ node: c.resourceId })}` }, c.name || shortName(c.resourceId)),
    ' ',
    h('span', { class: `kind-${c.kind}` }, what),
    h('span', { class: 'muted' }, ` · ${c.type}`),
    c.trigger === 'event'
      ? h('span', { class: 'who' }, ` · by ${c.actor ?? 'an unnamed caller'} (${c.operation ?? 'event'})`)
      : c.actor
        ? h('span', { class: 'who' }, ` · by ${c.actor}`)
        : null,
    c.correlationId
      ? h('span', { class: 'muted', title: 'Azure Activity Log correlation id' }, ` · ${c.correlationId}`)
      : null,
    c.paths?.length
      ? h(
          'ul',
          { 'data-testid': 'change-paths' },
          ...c.paths.map((p) =>
            h(
              'li',
              { 'data-path': p.path },
              p.redacted ? `${p.path} (values hidden)` : `${p.path}: ${value(p.old)} → ${value(p.new)}`,
            ),
          ),
        )
      : null,
  );
}

/** A group as one line that opens to its changes, drawn only when opened. */
function groupElement(g: ChangeGroup): HTMLElement {
  const who =
    g.trigger === 'event'
      ? ` · event${g.operation ? ` ${g.operation}` : ''}${g.actor ? ` by ${g.actor}` : ''}`
      : ` · scan ${g.scanId}`;
  const list = h('ul');
  const el = h(
    'details',
    {
      class: 'group story',
      'data-testid': 'change-group',
      'data-group': g.key,
      'data-count': String(g.items.length),
    },
    h(
      'summary',
      {},
      h('span', { 'data-testid': 'change-summary' }, summarise(g)),
      h('span', { class: 'muted' }, ` · ${formatTime(g.at)}${who}`),
    ),
    list,
  );
  const fill = (n: number) => {
    const more = h('button', { type: 'button' }, `Show all ${g.items.length}`);
    more.addEventListener('click', () => fill(g.items.length));
    list.replaceChildren(
      ...g.items.slice(0, n).map(describe),
      ...(g.items.length > n ? [h('li', {}, more)] : []),
    );
  };
  el.addEventListener('toggle', () => {
    if (el.open && !list.childElementCount) fill(SHOWN_PER_GROUP);
  });
  return el;
}

/**
 * The change feed as a story: one line per scan (or event) saying what happened, opening to the
 * resources and paths with old → new values; filters by type and by resource.
 */
export function renderChangesView(root: HTMLElement): void {
  const weekAgo = new Date(Date.now() - 7 * 24 * 3600_000);
  const local = new Date(weekAgo.getTime() - weekAgo.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  const since = h('input', { type: 'datetime-local', value: local, 'data-testid': 'changes-since' });
  const type = h('input', {
    name: 'type',
    placeholder: 'e.g. Microsoft.Compute/virtualMachines',
    list: 'change-types',
    'data-testid': 'changes-type',
  });
  const types = h('datalist', { id: 'change-types' });
  const resource = h('input', {
    name: 'resource',
    placeholder: 'a resource id, or part of a name',
    'data-testid': 'changes-resource',
  });
  const form = h(
    'form',
    { class: 'filters' },
    h('label', {}, 'Since', since),
    h('label', {}, 'Type', type, types),
    h('label', {}, 'Resource', resource),
    h('button', { class: 'primary' }, 'Show'),
  );
  const list = h('div', { 'data-testid': 'changes' });
  const more = h('button', { type: 'button', hidden: true }, 'More');
  const error = h('p', { class: 'error' });
  root.replaceChildren(form, error, list, more);
  let items: Change[] = [];
  let token: string | undefined;

  const draw = () => {
    const text = resource.value.trim().toLowerCase();
    const shown =
      text && !text.startsWith('/') ? items.filter((c) => c.name.toLowerCase().includes(text)) : items;
    const groups = groupChanges(shown);
    list.replaceChildren(
      h(
        'p',
        { class: 'muted', 'data-testid': 'changes-info' },
        shown.length ? `${shown.length} changes in ${groups.length} groups` : 'No change in this window.',
      ),
      ...groups.map(groupElement),
    );
    more.hidden = !token;
    const seen = new Set(items.map((c) => c.type));
    types.replaceChildren(...[...seen].sort().map((t) => h('option', { value: t })));
  };
  const load = async (append: boolean) => {
    error.textContent = '';
    try {
      const sinceIso = since.value ? new Date(since.value).toISOString() : undefined;
      const id = resource.value.trim();
      const page = await api<{ items: Change[]; continuationToken?: string }>(
        `/changes${query({
          since: sinceIso,
          type: type.value.trim(),
          resourceId: id.startsWith('/') ? id : undefined,
          limit: 500,
          continuationToken: append ? token : undefined,
        })}`,
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
  more.addEventListener('click', () => void load(true));
  void load(false);
}
