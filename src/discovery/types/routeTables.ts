import { sdk } from '../sdk';
import type { RouteTable } from '@azure/arm-network';
import { armItem, compact, idsOf } from '../armItem';
import type { Discoverer } from '../Discoverer';
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
