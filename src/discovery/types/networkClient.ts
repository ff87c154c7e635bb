import { sdk } from '../sdk';
import type { NetworkManagementClient } from '@azure/arm-network';
import type { ListingContext } from '../Discoverer';

/** The Network SDK client of the listing's subscription (memoised by ArmClients). */
export function networkClient(ctx: ListingContext): NetworkManagementClient {
  return ctx.arm.client(sdk.network().NetworkManagementClient, ctx.subscriptionId);
}
