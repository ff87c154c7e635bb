import { api } from './api';
import { formatTime, h } from './dom';
import type { Scan } from './types';

const TERMINAL = ['completed', 'partial', 'failed'];

/** Recent scans, a button to start one, and the live progress of the one selected. */
export function renderScansView(root: HTMLElement, isCurrent: () => boolean): void {
  const start = h('button', { class: 'primary', 'data-testid': 'start-scan' }, 'Start a scan');
  const live = h('section', { 'data-testid': 'scan-progress' });
  const body = h('tbody');
  const error = h('p', { class: 'error' });
  root.replaceChildren(
    h('div', { class: 'filters' }, start),
    error,
    live,
    h('h3', {}, 'Recent scans'),
    h(
      'table',
      { 'data-testid': 'scans' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...[
            'Scan',
            'Status',
            'Trigger',
            'Started',
            'Tasks',
            'Resources',
            'Added',
            'Modified',
            'Removed',
          ].map((c) => h('th', {}, c)),
        ),
      ),
      body,
    ),
  );
  let following: string | undefined;

  const refreshList = async () => {
    const { items } = await api<{ items: Scan[] }>('/scans?limit=20');
    body.replaceChildren(
      ...items.map((s) => {
        const link = h('a', { class: 'node-link' }, s.scanId);
        link.addEventListener('click', () => void follow(s.scanId));
        return h(
          'tr',
          { 'data-testid': 'scan-row' },
          h('td', {}, link),
          h('td', { class: `status-${s.status}` }, s.status),
          h('td', {}, s.trigger),
          h('td', {}, formatTime(s.startedAt)),
          h('td', {}, `${s.tasks.completed + s.tasks.failed + s.tasks.skipped}/${s.tasks.total}`),
          h('td', {}, s.counts.resources),
          h('td', {}, s.counts.added),
          h('td', {}, s.counts.modified),
          h('td', {}, s.counts.removed),
        );
      }),
    );
  };

  const showProgress = (s: Scan) => {
    const done = s.tasks.completed + s.tasks.failed + s.tasks.skipped;
    const pct = s.tasks.total ? Math.round((done / s.tasks.total) * 100) : 0;
    live.replaceChildren(
      h('h3', {}, `Scan ${s.scanId}`),
      h(
        'p',
        {},
        'Status: ',
        h('strong', { class: `status-${s.status}`, 'data-testid': 'scan-status' }, s.status),
        s.completedAt ? ` · ended ${formatTime(s.completedAt)}` : '',
      ),
      h('div', { class: 'progress' }, h('div', { style: `width:${pct}%` })),
      h(
        'p',
        { 'data-testid': 'scan-counts' },
        `tasks ${done}/${s.tasks.total} (${s.tasks.failed} failed, ${s.tasks.skipped} skipped) · pages ${s.pages} · resources ${s.counts.resources} · added ${s.counts.added} · modified ${s.counts.modified} · removed ${s.counts.removed}`,
      ),
      s.errors.length
        ? h(
            'ul',
            { 'data-testid': 'scan-errors' },
            ...s.errors.map((e) => h('li', { class: 'error' }, `${e.code} ×${e.count}: ${e.message}`)),
          )
        : h('p', { class: 'muted' }, 'no errors'),
    );
  };

  /** Polls the scan once a second until it ends (or the view is left). */
  const follow = async (scanId: string) => {
    following = scanId;
    for (;;) {
      if (!isCurrent() || following !== scanId) return;
      let scan: Scan;
      try {
        scan = await api<Scan>(`/scans/${encodeURIComponent(scanId)}`);
      } catch (e) {
        error.textContent = (e as Error).message;
        return;
      }
      showProgress(scan);
      if (TERMINAL.includes(scan.status)) {
        await refreshList().catch(() => undefined);
        return;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  start.addEventListener('click', () => {
    error.textContent = '';
    start.disabled = true;
    api<{ scanId: string }>('/scans', { method: 'POST', body: '{}' })
      .then(async (started) => {
        await refreshList();
        await follow(started.scanId);
      })
      .catch((e: Error) => {
        error.textContent = `Could not start a scan: ${e.message}`;
      })
      .finally(() => {
        start.disabled = false;
      });
  });
  refreshList().catch((e: Error) => {
    error.textContent = e.message;
  });
}
