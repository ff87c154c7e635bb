import { sdk } from '../sdk';
import type { RouteTable } from '@azure/arm-network';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
import { getArmById } from '../getArmById';
import { listArmPage } from '../listArmPage';
import { networkClient } from './networkClient';

const TYPE = 'Microsoft.Network/routeTables';

export function mapRouteTable(t: RouteTable) {
  return armItem(
    t,
    TYPE,
    {
      routes: (t.routes ?? []).map((r) =>
        compact({
          name: r.name,
          addressPrefix: r.addressPrefix,
          nextHopType: r.nextHopType,
          nextHopIpAddress: r.nextHopIpAddress,
        }),
      ),
      subnetIds: idsOf(t.subnets),
      disableBgpRoutePropagation: t.disableBgpRoutePropagation,
      provisioningState: t.provisioningState,
    },
    t.provisioningState,
  );
}

export const routeTables: Discoverer = {
  type: TYPE,
  slug: 'routetables',
  // an event's refresh: one GET, mapped as the listing maps it
  getById: (id, ctx) =>
    getArmById(id, (rg, name) => networkClient(ctx).routeTables.get(rg, name), mapRouteTable),
  listPage: (ctx) =>
    listArmPage(
      ctx,
      {
        all: () => networkClient(ctx).routeTables.listAll(),
        byResourceGroup: (rg) => networkClient(ctx).routeTables.list(rg),
        continuationOf: sdk.network().getContinuationToken,
      },
      mapRouteTable,
    ),
};
