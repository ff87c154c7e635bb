import type { Discoverer, ListingContext, PageWarning, SkippedItem } from '../discovery/Discoverer';
import type { DiscoveredItem } from '../discovery/Resource';
import type { PageMessage } from './messages';

export interface JoinedPage {
  items: DiscoveredItem[];
  /** State items that matched no primary item of this page: merged on their own. */
  stateOnly: DiscoveredItem[];
  /** Items that could not be mapped (either listing). */
  skipped: SkippedItem[];
  warnings: PageWarning[];
  /** Continuation for the next message, when either listing has more. */
  next?: Pick<PageMessage, 'continuationToken' | 'stateContinuationToken' | 'primaryDone' | 'stateDone'>;
}

/** Fetches this page of the primary listing and, alongside, of the state listing; joins by id. */
export async function fetchJoinedPage(
  d: Discoverer,
  ctx: Omit<ListingContext, 'continuationToken'>,
  msg: PageMessage,
): Promise<JoinedPage> {
  const wantPrimary = !msg.primaryDone;
  const wantState = Boolean(d.listStatePage) && !msg.stateDone;
  const [primary, state] = await Promise.all([
    wantPrimary ? d.listPage({ ...ctx, continuationToken: msg.continuationToken }) : undefined,
    wantState && d.listStatePage
      ? d.listStatePage({ ...ctx, continuationToken: msg.stateContinuationToken })
      : undefined,
  ]);
  const items = primary?.items ?? [];
  const states = new Map((state?.items ?? []).map((s) => [s.id.toLowerCase(), s]));
  for (const item of items) {
    const s = states.get(item.id.toLowerCase());
    if (!s) continue;
    item.status = s.status;
    Object.assign(item.properties, s.properties);
    states.delete(item.id.toLowerCase());
  }
  const nextPrimary = primary?.continuationToken;
  const nextState = state?.continuationToken;
  return {
    items,
    stateOnly: [...states.values()],
    skipped: [...(primary?.skipped ?? []), ...(state?.skipped ?? [])],
    warnings: [...(primary?.warnings ?? []), ...(state?.warnings ?? [])],
    next:
      nextPrimary || nextState
        ? {
            continuationToken: nextPrimary,
            stateContinuationToken: nextState,
            primaryDone: !nextPrimary,
            stateDone: !nextState,
          }
        : undefined,
  };
}
