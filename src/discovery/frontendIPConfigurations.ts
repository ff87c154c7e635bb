import { compact } from './armItem';

/** The part of a load balancer's or application gateway's frontend that the two share. */
interface FrontendIPConfigurationLike {
  id?: string;
  name?: string;
  privateIPAddress?: string;
  publicIPAddress?: { id?: string };
  subnet?: { id?: string };
}

/** `frontendIPConfigurations[{id, name, privateIPAddress, publicIPAddressId, subnetId}]` (issue 7's names). */
export function frontendIPConfigurations(configs: FrontendIPConfigurationLike[] | undefined) {
  return (configs ?? []).map((f) =>
    compact({
      id: f.id,
      name: f.name,
      privateIPAddress: f.privateIPAddress,
      publicIPAddressId: f.publicIPAddress?.id,
      subnetId: f.subnet?.id,
    }),
  );
}
