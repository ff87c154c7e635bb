/* eslint-disable @typescript-eslint/no-explicit-any -- the mapped properties are free-form JSON; the assertions are the type check */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArmClients, staticTokenCredential, type ArmClients } from '../../src/discovery/armClients';
import { serviceBusNamespaces } from '../../src/discovery/types/serviceBusNamespaces';
import { virtualMachines } from '../../src/discovery/virtualMachines';
import { startArmEmulator, type ArmEmulator } from '../../src/emulator';
import { listAll } from '../support/listAll';

/**
 * Details found wrong against Microsoft's example bodies (azure-rest-api-specs examples/): the
 * emulator answers bodies in those shapes, read through the real SDK clients.
 */
describe("details read as Microsoft's example bodies give them", () => {
  let emulator: ArmEmulator;
  let arm: ArmClients;
  let sub: string;

  beforeAll(async () => {
    emulator = await startArmEmulator({ seed: 7, subscriptionCount: 1, vmsPerSubscription: 4, latencyMs: 0 });
    arm = createArmClients({
      endpoint: emulator.endpoint,
      credential: staticTokenCredential('t'),
      caPem: emulator.caPem,
      maxRetries: 0,
    });
    sub = emulator.estate.subscriptions[0]?.subscriptionId as string;
  });
  afterAll(async () => emulator?.close());

  it('Service Bus: publicNetworkAccess comes from the namespace, even when its rule set answers 404', async () => {
    // the namespace as SBNameSpaceGet (2022-10-01-preview and later) gives it, access disabled
    emulator.driftResources(/^Microsoft\.ServiceBus\/namespaces$/i, (body) => ({
      ...body,
      type: 'Microsoft.ServiceBus/Namespaces',
      properties: {
        provisioningState: 'Succeeded',
        metricId: `${sub}:ns`,
        createdAt: '2017-05-25T22:26:36.76Z',
        updatedAt: '2017-05-25T22:26:59.35Z',
        serviceBusEndpoint: 'https://ns.servicebus.windows.net:443/',
        minimumTlsVersion: '1.2',
        publicNetworkAccess: 'Disabled',
        disableLocalAuth: false,
        privateEndpointConnections: [],
      },
    }));
    emulator.addFault({ path: /\/networkRuleSets\/default$/i, status: 404 });
    emulator.resetStats();
    try {
      const { items } = await listAll(serviceBusNamespaces, arm, sub, serviceBusNamespaces.type);
      expect(items.length).toBeGreaterThan(0);
      for (const n of items) {
        expect((n.properties as any).publicNetworkAccess).toBe('Disabled');
        expect((n.properties as any).networkDefaultAction).toBeUndefined();
      }
      // at most one rule-set read per namespace, only for the rules
      const reads = Object.entries(emulator.stats().byRoute)
        .filter(([route]) => /networkrulesets/i.test(route))
        .reduce((n, [, c]) => n + c, 0);
      expect(reads).toBe(items.length);
    } finally {
      emulator.clearFaults();
      emulator.driftResources(undefined);
    }
  });

  it('Service Bus: the rule set still gives its default action when it answers', async () => {
    const { items } = await listAll(serviceBusNamespaces, arm, sub, serviceBusNamespaces.type);
    for (const n of items)
      expect(n.properties).toMatchObject({ publicNetworkAccess: 'Enabled', networkDefaultAction: 'Allow' });
  });

  it('a VM keeps every part of its imageReference: publisher, offer, sku, version and id together', async () => {
    const vm = emulator.estate.subscriptions[0]?.vms[0];
    if (!vm) throw new Error('no VM');
    const galleryImage = `/subscriptions/${sub}/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/gallery1/images/ubuntu/versions/1.0.0`;
    // as the maximal VirtualMachine_Get example: every part of the reference at once
    emulator.driftVm(new RegExp(`^${vm.name}$`), (body) => {
      const props = body.properties as Record<string, any>;
      return {
        ...body,
        properties: {
          ...props,
          storageProfile: {
            ...props.storageProfile,
            imageReference: {
              publisher: 'MicrosoftWindowsServer',
              offer: 'WindowsServer',
              sku: '2022-datacenter',
              version: 'latest',
              exactVersion: '20348.2113.231109',
              sharedGalleryImageId: '/SharedGalleries/shared1/Images/ubuntu/Versions/latest',
              communityGalleryImageId: '',
              id: galleryImage,
            },
          },
        },
      };
    });
    try {
      const { items } = await listAll(virtualMachines, arm, sub, virtualMachines.type);
      const got = items.find((i) => i.id.toLowerCase() === vm.id.toLowerCase());
      expect(got?.properties).toMatchObject({
        imagePublisher: 'MicrosoftWindowsServer',
        imageOffer: 'WindowsServer',
        imageSku: '2022-datacenter',
        imageVersion: '20348.2113.231109',
        imageId: galleryImage,
        imageSharedGalleryImageId: '/SharedGalleries/shared1/Images/ubuntu/Versions/latest',
      });
      // an empty part is a part not given
      expect(got?.properties).not.toHaveProperty('imageCommunityGalleryImageId');
      // a marketplace image (no id) keeps its four parts and no id
      const plain = items.find((i) => i.id.toLowerCase() !== vm.id.toLowerCase());
      expect(plain?.properties).toMatchObject({
        imagePublisher: expect.any(String),
        imageOffer: expect.any(String),
        imageSku: expect.any(String),
      });
    } finally {
      emulator.driftVm(undefined);
    }
  });
});
