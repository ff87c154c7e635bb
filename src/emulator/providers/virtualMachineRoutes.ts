/**
 * The VM routes of Microsoft.Compute: the subscription-wide list (full or `statusOnly=true`), the
 * per-group list, a GET (optionally `$expand=instanceView`), the instance view, and the sizes of
 * a location. VMs page lazily: a page's bodies are built only when it is served.
 */
import type { MatchedRoute, ProviderRouteContext, RouteReply, RouteRequest } from '../EmulatorProvider';
import type { EmulatedVm } from './EmulatedVm';

type VmRouteName =
  | 'virtualMachines.listAll'
  | 'virtualMachines.list'
  | 'virtualMachines.get'
  | 'virtualMachines.instanceView'
  | 'virtualMachineSizes.list';

interface VmRoute {
  name: VmRouteName;
  subscriptionId: string;
  resourceGroup?: string;
  vmName?: string;
}

const ACTIONS: Readonly<Record<VmRouteName, string>> = {
  'virtualMachines.listAll': 'Microsoft.Compute/virtualMachines/read',
  'virtualMachines.list': 'Microsoft.Compute/virtualMachines/read',
  'virtualMachines.get': 'Microsoft.Compute/virtualMachines/read',
  'virtualMachines.instanceView': 'Microsoft.Compute/virtualMachines/instanceView/read',
  'virtualMachineSizes.list': 'Microsoft.Compute/locations/vmSizes/read',
};

function parse(segments: readonly string[], s: readonly string[]): VmRoute | undefined {
  const n = s.length;
  if (s[0] !== 'subscriptions' || n < 5) return undefined;
  const subscriptionId = segments[1] as string;
  if (s[2] === 'providers' && s[3] === 'microsoft.compute') {
    if (n === 5 && s[4] === 'virtualmachines') return { name: 'virtualMachines.listAll', subscriptionId };
    if (n === 7 && s[4] === 'locations' && s[6] === 'vmsizes')
      return { name: 'virtualMachineSizes.list', subscriptionId };
    return undefined;
  }
  if (s[2] !== 'resourcegroups' || s[4] !== 'providers') return undefined;
  if (s[5] !== 'microsoft.compute' || s[6] !== 'virtualmachines') return undefined;
  const resourceGroup = segments[3] as string;
  if (n === 7) return { name: 'virtualMachines.list', subscriptionId, resourceGroup };
  if (n === 8) return { name: 'virtualMachines.get', subscriptionId, resourceGroup, vmName: segments[7] };
  if (n === 9 && s[8] === 'instanceview')
    return { name: 'virtualMachines.instanceView', subscriptionId, resourceGroup, vmName: segments[7] };
  return undefined;
}

export function matchVirtualMachineRoute(
  segments: readonly string[],
  lower: readonly string[],
): MatchedRoute | undefined {
  const route = parse(segments, lower);
  if (!route) return undefined;
  return {
    name: route.name,
    method: 'GET',
    action: ACTIONS[route.name],
    serve: (ctx, request) => serve(route, ctx, request),
  };
}

function rgNotFound(ctx: ProviderRouteContext, name: string): RouteReply {
  return ctx.error(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
}

function serve(route: VmRoute, ctx: ProviderRouteContext, request: RouteRequest): RouteReply {
  const index = ctx.subscription(route.subscriptionId);
  if (!index)
    return ctx.error(
      404,
      'SubscriptionNotFound',
      `The subscription '${route.subscriptionId}' could not be found.`,
    );
  if (ctx.isUnregistered(index.sub.subscriptionId, 'Microsoft.Compute'))
    return ctx.error(
      409,
      'MissingSubscriptionRegistration',
      "The subscription is not registered to use namespace 'Microsoft.Compute'. See https://aka.ms/rps-not-found for how to register subscriptions.",
    );
  const statusOnly = (request.query.get('statusonly') ?? '').toLowerCase() === 'true';
  const page = (vms: readonly EmulatedVm[]): RouteReply =>
    ctx.page(
      vms,
      request.pathname,
      request.apiVersion,
      request.offset,
      statusOnly ? ['statusOnly=true'] : [],
      (vm) => (statusOnly ? vm.statusOnlyBody : ctx.vmBody(vm)),
    );
  switch (route.name) {
    case 'virtualMachines.listAll':
      return page(index.sub.vms);
    case 'virtualMachines.list': {
      const rgKey = (route.resourceGroup ?? '').toLowerCase();
      if (!index.resourceGroup(rgKey)) return rgNotFound(ctx, route.resourceGroup ?? '');
      return page(index.vmsInResourceGroup(rgKey));
    }
    case 'virtualMachines.get':
    case 'virtualMachines.instanceView': {
      const rgKey = (route.resourceGroup ?? '').toLowerCase();
      if (!index.resourceGroup(rgKey)) return rgNotFound(ctx, route.resourceGroup ?? '');
      const vm = index.vm(rgKey, (route.vmName ?? '').toLowerCase());
      if (!vm) {
        return ctx.error(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.Compute/virtualMachines/${route.vmName ?? ''}' under resource group '${route.resourceGroup ?? ''}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`,
        );
      }
      if (route.name === 'virtualMachines.instanceView') return { status: 200, body: vm.instanceView };
      const body = vm.body;
      if ((request.query.get('$expand') ?? '').toLowerCase().split(',').includes('instanceview')) {
        body.properties.instanceView = vm.instanceView;
      }
      return { status: 200, body };
    }
    case 'virtualMachineSizes.list':
      return { status: 200, body: { value: ctx.estate.vmSizes.map((s) => ({ ...s })) } };
  }
}
