import { renderChangesView } from './changesView';
import { renderGraphView } from './graphView';
import { renderInventoryView } from './inventoryView';
import { renderScansView } from './scansView';

/** Hash routes (`#graph?node=...`): the page is one file, and a link to a node can be shared. */
function route(): void {
  const [name = 'graph', search = ''] = location.hash.replace(/^#/, '').split('?');
  const params = Object.fromEntries(new URLSearchParams(search));
  const root = document.getElementById('view') as HTMLElement;
  for (const a of document.querySelectorAll<HTMLAnchorElement>('header nav a'))
    a.classList.toggle('active', a.dataset.view === name);
  const hash = location.hash;
  switch (name) {
    case 'inventory':
      return renderInventoryView(root, params);
    case 'scans':
      return renderScansView(root, () => location.hash === hash);
    case 'changes':
      return renderChangesView(root);
    default:
      return renderGraphView(root, params);
  }
}

window.addEventListener('hashchange', route);
route();
