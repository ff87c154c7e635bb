import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAllResources, startTestHost, type TestHost } from '../support/localHost';

describe('Kubernetes inside the demo AKS clusters, through the local runtime', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 30 } });
  }, 60_000);
  afterAll(async () => host?.stop());

  it('scans every cluster into workloads, services, volumes and their edges', async () => {
    const k8s = host.emulator.kubernetes;
    expect(k8s?.clusters.length).toBeGreaterThan(0);
    const { body } = await host.api<{ scanId: string }>('POST', '/api/scans');
    const scan = await host.waitForScan(body.scanId, 120_000);
    expect(scan.errors).toEqual([]);
    expect(scan.status).toBe('completed');
    const items = await listAllResources(host);
    const deployments = items.filter(
      (i) => i.type === 'Microsoft.ContainerService/managedClusters/deployments',
    );
    expect(deployments.length).toBe((k8s?.clusters.length ?? 0) * 6);
  }, 180_000);
});
