import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ComputeManagementClient, type VirtualMachine } from '@azure/arm-compute';
import { SubscriptionClient } from '@azure/arm-resources-subscriptions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateEstate, startArmEmulator, writeCaBundle, type ArmEmulator } from '../../src/emulator/index';
import { vmsForTotal } from '../../src/emulator/estate';

const credential = {
  getToken: async () => ({ token: 'test', expiresOnTimestamp: Date.now() + 3600_000 }),
};

function computeClient(
  emulator: ArmEmulator,
  subscriptionId: string,
  extra: { maxRetries?: number } = {},
): ComputeManagementClient {
  return new ComputeManagementClient(credential, subscriptionId, {
    endpoint: emulator.endpoint,
    tlsOptions: { ca: emulator.caPem },
    ...(extra.maxRetries === undefined ? {} : { retryOptions: { maxRetries: extra.maxRetries } }),
  });
}

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

/** A plain HTTPS GET (no SDK), for header/edge checks. */
function rawGet(
  emulator: ArmEmulator,
  pathAndQuery: string,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${emulator.endpoint}${pathAndQuery}`,
      { method: 'GET', ca: emulator.caPem, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text ? JSON.parse(text) : undefined,
          });
        });
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const BEARER = { authorization: 'Bearer test' };

async function collect<T>(iter: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iter) out.push(item);
  return out;
}

describe('ARM emulator with the real SDK clients (20 VMs, pageSize 7)', () => {
  let emulator: ArmEmulator;
  let subscriptionId: string;

  beforeAll(async () => {
    emulator = await startArmEmulator({
      seed: 7,
      subscriptionCount: 3,
      connected: false,
      vmsPerSubscription: 20,
      pageSize: 7,
    });
    subscriptionId = emulator.estate.subscriptions[0]!.subscriptionId;
  });
  afterAll(async () => {
    await emulator.close();
  });
  afterEach(() => {
    emulator.clearFaults();
    emulator.resetStats();
  });

  it('serves HTTPS on loopback with a self-signed CA file', () => {
    expect(emulator.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.caPem).toContain('BEGIN CERTIFICATE');
    expect(fs.readFileSync(emulator.caFile, 'utf8')).toBe(emulator.caPem);
  });

  it('subscriptions.list sees every subscription', async () => {
    const client = new SubscriptionClient(credential, {
      endpoint: emulator.endpoint,
      tlsOptions: { ca: emulator.caPem },
    });
    const subs = await collect(client.subscriptions.list());
    expect(subs.map((s) => s.subscriptionId).sort()).toEqual(
      emulator.estate.subscriptions.map((s) => s.subscriptionId).sort(),
    );
    for (const s of subs) {
      expect(s.id).toBe(`/subscriptions/${s.subscriptionId}`);
      expect(s.state).toBe('Enabled');
      expect(s.tenantId).toBe(emulator.estate.tenantId);
      expect(s.displayName).toBeTruthy();
      expect(s.subscriptionPolicies?.spendingLimit).toBe('Off');
    }
    const one = await client.subscriptions.get(subscriptionId);
    expect(one.displayName).toBe(emulator.estate.subscriptions[0]!.displayName);
  });

  it('virtualMachines.listAll pages via nextLink and returns exactly the estate', async () => {
    const vms = await collect(computeClient(emulator, subscriptionId).virtualMachines.listAll());
    const expected = emulator.estate.subscriptions[0]!.vms;
    expect(vms).toHaveLength(20);
    expect(vms.map((v) => v.id)).toEqual(expected.map((v) => v.id));
    // full listing: profiles and tags, but no power state
    const first = vms[0]!;
    const body = expected[0]!.body;
    expect(first.hardwareProfile?.vmSize).toBe(body.properties.hardwareProfile.vmSize);
    expect(first.storageProfile?.osDisk?.managedDisk?.id).toBe(
      body.properties.storageProfile.osDisk.managedDisk.id,
    );
    expect(first.networkProfile?.networkInterfaces?.[0]?.id).toBe(
      body.properties.networkProfile.networkInterfaces[0]!.id,
    );
    expect(first.tags).toEqual(body.tags);
    expect(first.instanceView).toBeUndefined();
    for (const vm of vms) expect(JSON.stringify(vm)).not.toMatch(/adminPassword|"password"/i);
    // 20 items / 7 per page = 3 requests
    expect(emulator.stats().byRoute['virtualMachines.listAll']).toBe(3);
    const log = emulator.requestLog();
    expect(log.filter((e) => e.query.includes('$skiptoken='))).toHaveLength(2);
  });

  it('listAll({statusOnly}) returns power states only, in the same order', async () => {
    const client = computeClient(emulator, subscriptionId);
    const status = await collect(client.virtualMachines.listAll({ statusOnly: 'true' }));
    const expected = emulator.estate.subscriptions[0]!.vms;
    expect(status.map((v) => v.id)).toEqual(expected.map((v) => v.id));
    status.forEach((vm: VirtualMachine, i) => {
      expect(vm.hardwareProfile).toBeUndefined();
      expect(vm.storageProfile).toBeUndefined();
      expect(vm.tags).toBeUndefined();
      const codes = vm.instanceView?.statuses?.map((s) => s.code) ?? [];
      expect(codes).toEqual(['ProvisioningState/succeeded', `PowerState/${expected[i]!.powerState}`]);
    });
    // every statusOnly page link kept statusOnly=true
    const pages = emulator.requestLog().filter((e) => e.path.endsWith('/virtualMachines'));
    expect(pages).toHaveLength(3);
    for (const p of pages) expect(p.query).toMatch(/statusOnly=true/i);
  });

  it('.byPage() yields pages of pageSize and resumes from a continuation token', async () => {
    const client = computeClient(emulator, subscriptionId);
    const pages = await collect(client.virtualMachines.listAll().byPage());
    expect(pages.map((p) => p.length)).toEqual([7, 7, 6]);
    const firstPage = await client.virtualMachines.listAll().byPage().next();
    expect(firstPage.done).toBe(false);
    const token = (firstPage.value as { continuationToken?: string }).continuationToken;
    expect(token).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/subscriptions\/.*\$skiptoken=/);
    const rest = await collect(client.virtualMachines.listAll().byPage({ continuationToken: token }));
    expect(rest.map((p) => p.length)).toEqual([7, 6]);
    expect(rest.flat().map((v) => v.id)).toEqual(
      pages
        .slice(1)
        .flat()
        .map((v) => v.id),
    );
  });

  it('routes and resource group names are case-insensitive; ids keep their creation casing', async () => {
    const sub = emulator.estate.subscriptions[0]!;
    const vm = sub.vms[0]!;
    const client = computeClient(emulator, subscriptionId);

    const got = await client.virtualMachines.get(vm.resourceGroup.toUpperCase(), vm.name.toLowerCase());
    expect(got.id).toBe(vm.id);
    const view = await client.virtualMachines.instanceView(vm.resourceGroup.toLowerCase(), vm.name);
    expect(view.statuses?.[1]?.code).toBe(`PowerState/${vm.powerState}`);

    const inRg = await collect(client.virtualMachines.list(vm.resourceGroup.toLowerCase()));
    const expected = sub.vms.filter((v) => v.resourceGroup.toLowerCase() === vm.resourceGroup.toLowerCase());
    expect(inRg.map((v) => v.id)).toEqual(expected.map((v) => v.id));

    const weird = await rawGet(
      emulator,
      `/SUBSCRIPTIONS/${subscriptionId.toUpperCase()}/Providers/microsoft.compute/VIRTUALMACHINES?API-VERSION=2024-07-01`,
      BEARER,
    );
    expect(weird.status).toBe(200);
    expect((weird.body as { value: unknown[] }).value).toHaveLength(7);
  });

  it('the estate mixes resource group casings, tags and power states', () => {
    const big = generateEstate({ seed: 42, subscriptionCount: 2, connected: false, vmsPerSubscription: 400 });
    const vms = big.subscriptions.flatMap((s) => s.vms);
    const rgSpellings = new Map<string, Set<string>>();
    for (const vm of vms) {
      const key = `${vm.subscriptionId}/${vm.resourceGroup.toLowerCase()}`;
      rgSpellings.set(key, (rgSpellings.get(key) ?? new Set()).add(vm.resourceGroup));
    }
    expect([...rgSpellings.values()].some((s) => s.size > 1)).toBe(true);
    const states = new Map<string, number>();
    for (const vm of vms) states.set(vm.powerState, (states.get(vm.powerState) ?? 0) + 1);
    expect(states.get('running')! / vms.length).toBeGreaterThan(0.7);
    expect(states.get('deallocated')).toBeGreaterThan(0);
    expect(states.get('stopped')).toBeGreaterThan(0);
    const tagKeys = new Set(vms.flatMap((v) => Object.keys(v.tags)));
    expect([...tagKeys].filter((k) => /^env(ironment)?$/i.test(k)).length).toBeGreaterThan(1);
    expect([...tagKeys].some((k) => /^app(lication)?$/i.test(k))).toBe(true);
    expect(vms.some((v) => v.zones !== undefined)).toBe(true);
    for (const s of big.subscriptions) {
      const names = s.vms.map((v) => v.name.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
      const ids = s.vms.map((v) => v.id.toLowerCase());
      expect(ids).toEqual([...ids].sort());
    }
  });

  it('vmSizes covers every size the estate uses; providers are registered', async () => {
    const client = computeClient(emulator, subscriptionId);
    const sizes = await collect(client.virtualMachineSizes.list('westeurope'));
    const names = new Set(sizes.map((s) => s.name));
    for (const vm of emulator.estate.subscriptions.flatMap((s) => s.vms))
      expect(names.has(vm.vmSize)).toBe(true);
    const d2 = sizes.find((s) => s.name === 'Standard_D2s_v3');
    expect(d2).toMatchObject({ numberOfCores: 2, memoryInMB: 8192, maxDataDiskCount: 4 });

    const provider = await rawGet(
      emulator,
      `/subscriptions/${subscriptionId}/providers/microsoft.compute?api-version=2021-04-01`,
      BEARER,
    );
    expect(provider.status).toBe(200);
    expect(provider.body).toMatchObject({ namespace: 'Microsoft.Compute', registrationState: 'Registered' });
  });

  it('rejects a request without a bearer token (401) or api-version (400)', async () => {
    const noAuth = await rawGet(emulator, `/subscriptions?api-version=2022-12-01`);
    expect(noAuth.status).toBe(401);
    expect(noAuth.body).toMatchObject({ error: { code: 'AuthenticationFailed' } });
    const basic = await rawGet(emulator, `/subscriptions?api-version=2022-12-01`, {
      authorization: 'Basic abc',
    });
    expect(basic.status).toBe(401);
    const noVersion = await rawGet(emulator, `/subscriptions`, BEARER);
    expect(noVersion.status).toBe(400);
    expect(noVersion.body).toMatchObject({ error: { code: 'MissingApiVersionParameter' } });
  });

  it('answers unknown subscriptions, resources and routes with ARM error bodies', async () => {
    const unknownSub = '00000000-0000-0000-0000-000000000000';
    const err = await collect(
      computeClient(emulator, unknownSub, { maxRetries: 0 }).virtualMachines.listAll(),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 404, code: 'SubscriptionNotFound' });

    const vm = emulator.estate.subscriptions[0]!.vms[0]!;
    const missingVm = await computeClient(emulator, subscriptionId, { maxRetries: 0 })
      .virtualMachines.get(vm.resourceGroup, 'no-such-vm')
      .catch((e: unknown) => e);
    expect(missingVm).toMatchObject({ statusCode: 404, code: 'ResourceNotFound' });

    const missingRg = await rawGet(
      emulator,
      `/subscriptions/${subscriptionId}/resourceGroups/nope/providers/Microsoft.Compute/virtualMachines?api-version=1`,
      BEARER,
    );
    expect(missingRg.status).toBe(404);
    expect(missingRg.body).toMatchObject({ error: { code: 'ResourceGroupNotFound' } });

    const unknownRoute = await rawGet(
      emulator,
      `/subscriptions/${subscriptionId}/providers/Microsoft.Compute/widgets?api-version=1`,
      BEARER,
    );
    expect(unknownRoute.status).toBe(404);
    expect(unknownRoute.body).toMatchObject({ error: { code: 'InvalidResourceType' } });
  });

  it('sets request-id and decrementing rate-limit headers', async () => {
    const p = `/subscriptions/${subscriptionId}?api-version=2022-12-01`;
    const a = await rawGet(emulator, p, BEARER);
    const b = await rawGet(emulator, p, BEARER);
    expect(a.headers['x-ms-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.headers['x-ms-request-id']).not.toBe(b.headers['x-ms-request-id']);
    const ra = Number(a.headers['x-ms-ratelimit-remaining-subscription-reads']);
    const rb = Number(b.headers['x-ms-ratelimit-remaining-subscription-reads']);
    expect(ra).toBeGreaterThan(0);
    expect(rb).toBe(ra - 1);
  });

  it('a page-2 fault (500, twice) is absorbed by the SDK default retries', async () => {
    emulator.addFault({
      path: /\/providers\/microsoft\.compute\/virtualmachines$/,
      page: 2,
      status: 500,
      times: 2,
    });
    const vms = await collect(computeClient(emulator, subscriptionId).virtualMachines.listAll());
    expect(vms.map((v) => v.id)).toEqual(emulator.estate.subscriptions[0]!.vms.map((v) => v.id));
    const stats = emulator.stats();
    expect(stats.faults).toBe(2);
    expect(stats.byRoute['virtualMachines.listAll']).toBe(5); // 3 pages + 2 failed tries of page 2
    expect(emulator.requestLog().map((e) => e.status)).toEqual([200, 500, 500, 200, 200]);
  });

  it('fault rules can target statusOnly listings and stop after `times`', async () => {
    emulator.addFault({
      path: /virtualMachines$/,
      statusOnly: true,
      status: 403,
      code: 'AuthorizationFailed',
      times: 1,
    });
    const client = computeClient(emulator, subscriptionId, { maxRetries: 0 });
    expect((await collect(client.virtualMachines.listAll())).length).toBe(20); // not statusOnly: untouched
    const err = await collect(client.virtualMachines.listAll({ statusOnly: 'true' })).catch(
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ statusCode: 403, code: 'AuthorizationFailed' });
    expect((await collect(client.virtualMachines.listAll({ statusOnly: 'true' }))).length).toBe(20);
    expect(emulator.stats().faults).toBe(1);
  });

  it('a 429 carries Retry-After and TooManyRequests, and the SDK retries it', async () => {
    const listPath = `/subscriptions/${subscriptionId}/providers/Microsoft.Compute/virtualMachines?api-version=2024-07-01`;
    emulator.addFault({ path: /virtualMachines$/, status: 429, times: 1, retryAfterSeconds: 1 });
    const raw = await rawGet(emulator, listPath, BEARER);
    expect(raw.status).toBe(429);
    expect(raw.headers['retry-after']).toBe('1');
    expect(raw.body).toMatchObject({ error: { code: 'TooManyRequests' } });

    // with default retries the SDK waits for Retry-After and retries
    emulator.addFault({ path: /virtualMachines$/, page: 1, status: 429, times: 1, retryAfterSeconds: 1 });
    const vms = await collect(computeClient(emulator, subscriptionId).virtualMachines.listAll());
    expect(vms).toHaveLength(20);
    const statuses = emulator.requestLog().map((e) => e.status);
    expect(statuses).toEqual([429, 429, 200, 200, 200]);

    // without retries the 429 surfaces
    emulator.addFault({ path: /virtualMachines$/, status: 429, times: 1 });
    const err = await collect(
      computeClient(emulator, subscriptionId, { maxRetries: 0 }).virtualMachines.listAll(),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ statusCode: 429 });
    // and a 429 deliberately without Retry-After is not retried by the SDK (a platform fact worth testing against)
    emulator.addFault({ path: /virtualMachines$/, status: 429, times: 1, retryAfterSeconds: -1 });
    const bare = await collect(computeClient(emulator, subscriptionId).virtualMachines.listAll()).catch(
      (e: unknown) => e,
    );
    expect(bare).toMatchObject({ statusCode: 429 });
  });

  it('a fault rule can reset the connection', async () => {
    emulator.addFault({ path: /^\/subscriptions$/, status: 0, reset: true, times: 1 });
    await expect(rawGet(emulator, '/subscriptions?api-version=2022-12-01', BEARER)).rejects.toThrow();
    const ok = await rawGet(emulator, '/subscriptions?api-version=2022-12-01', BEARER);
    expect(ok.status).toBe(200);
    expect(emulator.stats().byStatus).toMatchObject({ '0': 1, '200': 1 });
  });
});

describe('ARM emulator knobs', () => {
  it('throttleRate 1 throttles every call with Retry-After; errorRate 1 fails every call', async () => {
    const throttled = await startArmEmulator({
      connected: false,
      vmsPerSubscription: 3,
      throttleRate: 1,
      retryAfterSeconds: 2,
    });
    try {
      const sub = throttled.estate.subscriptions[0]!.subscriptionId;
      const raw = await rawGet(throttled, `/subscriptions/${sub}?api-version=2022-12-01`, BEARER);
      expect(raw.status).toBe(429);
      expect(raw.headers['retry-after']).toBe('2');
      const err = await collect(
        computeClient(throttled, sub, { maxRetries: 0 }).virtualMachines.listAll(),
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ statusCode: 429 });
      expect(throttled.stats().throttled).toBe(2);
    } finally {
      await throttled.close();
    }

    const failing = await startArmEmulator({ connected: false, vmsPerSubscription: 3, errorRate: 1 });
    try {
      const sub = failing.estate.subscriptions[0]!.subscriptionId;
      for (let i = 0; i < 4; i++) {
        const raw = await rawGet(failing, `/subscriptions/${sub}?api-version=2022-12-01`, BEARER);
        expect([500, 503]).toContain(raw.status);
      }
      expect(failing.stats().errors).toBe(4);
    } finally {
      await failing.close();
    }
  });

  it('an unregistered provider is reported and its listings fail with 409', async () => {
    const emulator = await startArmEmulator({
      connected: false,
      vmsPerSubscription: 2,
      unregisteredProviders: ['Microsoft.Compute'],
    });
    try {
      const sub = emulator.estate.subscriptions[0]!.subscriptionId;
      const provider = await rawGet(
        emulator,
        `/subscriptions/${sub}/providers/Microsoft.Compute?api-version=2021-04-01`,
        BEARER,
      );
      expect(provider.body).toMatchObject({ registrationState: 'NotRegistered' });
      const err = await collect(
        computeClient(emulator, sub, { maxRetries: 0 }).virtualMachines.listAll(),
      ).catch((e: unknown) => e);
      expect(err).toMatchObject({ statusCode: 409, code: 'MissingSubscriptionRegistration' });
    } finally {
      await emulator.close();
    }
  });

  it('close() ends connections that never finished their TLS handshake (it used to wait for them)', async () => {
    const emulator = await startArmEmulator({ connected: false, vmsPerSubscription: 1 });
    const port = Number(new URL(emulator.endpoint).port);
    // a client that connected and sent nothing: TLS waits for its hello, HTTP never sees it
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // TLS's handshake timeout is 120 s; a closed server lets go of the socket long before
    const outcome = await Promise.race([
      emulator.close().then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open after 10 s'), 10_000)),
    ]);
    expect(outcome).toBe('closed');
    await ended;
  });

  it('same seed gives the same estate; another seed a different one; subscriptionIds override', async () => {
    const a = generateEstate({ seed: 1234, connected: false, vmsPerSubscription: 50 });
    const b = generateEstate({ seed: 1234, connected: false, vmsPerSubscription: 50 });
    const c = generateEstate({ seed: 1235, connected: false, vmsPerSubscription: 50 });
    const dump = (e: typeof a): string =>
      JSON.stringify(
        e.subscriptions.map((s) => ({
          ...s,
          vms: s.vms.map((v) => [v.body, v.statusOnlyBody, v.powerState]),
        })),
      );
    expect(dump(a)).toBe(dump(b));
    expect(dump(a)).not.toBe(dump(c));

    const ids = [
      '11111111-1111-1111-1111-111111111111',
      '22222222-2222-2222-2222-222222222222',
      '33333333-3333-3333-3333-333333333333',
    ];
    const emulator = await startArmEmulator({
      seed: 1234,
      subscriptionIds: ids,
      connected: false,
      vmsPerSubscription: 5,
    });
    try {
      expect(emulator.estate.subscriptions.map((s) => s.subscriptionId)).toEqual(ids);
      for (const s of emulator.estate.subscriptions) {
        for (const vm of s.vms) expect(vm.id.startsWith(`/subscriptions/${s.subscriptionId}/`)).toBe(true);
      }
    } finally {
      await emulator.close();
    }
  });

  it('generates a 10,000-VM estate (time printed, not asserted)', () => {
    const started = process.hrtime.bigint();
    const estate = generateEstate({
      seed: 42,
      subscriptionCount: 2,
      connected: false,
      vmsPerSubscription: 5_000,
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    console.log(`[arm emulator] generated ${estate.totalVms} VMs in ${ms.toFixed(1)} ms`);
    expect(estate.totalVms).toBe(10_000);
  });

  it('keeps every type within 800 a resource group, as Azure does, however large the estate', () => {
    const maxOfATypePerGroup = (vmsPerSubscription: number) => {
      const estate = generateEstate({ seed: 42, subscriptionCount: 1, vmsPerSubscription });
      const counts = new Map<string, number>();
      for (const r of [...estate.subscriptions[0]!.vms, ...estate.subscriptions[0]!.resources]) {
        const m = /resourcegroups\/([^/]+)\/providers\/([^/]+\/[^/]+)\//i.exec(r.id);
        const key = `${m?.[1]?.toLowerCase()}|${m?.[2]?.toLowerCase()}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return { max: Math.max(...counts.values()), groups: estate.subscriptions[0]!.resourceGroups.length };
    };
    // the default estate keeps its 5 to 8 groups; 10,000 VMs take more
    expect(maxOfATypePerGroup(125).groups).toBeLessThanOrEqual(8);
    const large = maxOfATypePerGroup(10_000);
    expect(large.groups).toBeGreaterThan(10);
    expect(large.max).toBeLessThanOrEqual(800);
    expect(vmsForTotal(10_000, 3)).toBe(828);
    const total = generateEstate({
      seed: 42,
      subscriptionCount: 3,
      vmsPerSubscription: vmsForTotal(100_000, 3),
    }).totalResources;
    expect(Math.abs(total - 100_000) / 100_000).toBeLessThan(0.1);
  });

  it('close() ends kept-alive connections and the server', async () => {
    const emulator = await startArmEmulator({ connected: false, vmsPerSubscription: 1 });
    const agent = new https.Agent({ keepAlive: true, ca: emulator.caPem });
    const status = await new Promise<number>((resolve, reject) => {
      https
        .get(
          `${emulator.endpoint}/subscriptions?api-version=2022-12-01`,
          { agent, headers: BEARER },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        )
        .on('error', reject);
    });
    expect(status).toBe(200);
    await emulator.close();
    agent.destroy();
    expect(fs.existsSync(emulator.caFile)).toBe(false);
    await expect(rawGet(emulator, '/subscriptions?api-version=1', BEARER)).rejects.toThrow();
  });
  it('latencyMs delays answers but the SDK still lists; close() drops answers still waiting', async () => {
    const slow = await startArmEmulator({
      connected: false,
      vmsPerSubscription: 4,
      pageSize: 2,
      latencyMs: 20,
    });
    try {
      const sub = slow.estate.subscriptions[0]!.subscriptionId;
      expect(await collect(computeClient(slow, sub).virtualMachines.listAll())).toHaveLength(4);
    } finally {
      await slow.close();
    }
    const stalled = await startArmEmulator({ connected: false, vmsPerSubscription: 1, latencyMs: 60_000 });
    const pending = rawGet(stalled, '/subscriptions?api-version=2022-12-01', BEARER);
    // wait until the request has arrived, then close while its answer is still delayed
    while (stalled.stats().requests === 0) await new Promise((r) => setImmediate(r));
    await stalled.close();
    await expect(pending).rejects.toThrow();
  });
});

describe('trusting the emulator process-wide', () => {
  it('writeCaBundle keeps the existing NODE_EXTRA_CA_CERTS and works for a child process', async () => {
    const emulator = await startArmEmulator({ connected: false, vmsPerSubscription: 1 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'topdeck-emulator-test-'));
    const previous = process.env['NODE_EXTRA_CA_CERTS'];
    try {
      const existing = path.join(dir, 'existing.pem');
      fs.writeFileSync(existing, '# existing bundle marker\n');
      process.env['NODE_EXTRA_CA_CERTS'] = existing;
      const bundle = writeCaBundle(emulator.caPem, dir);
      const content = fs.readFileSync(bundle, 'utf8');
      expect(content).toContain('# existing bundle marker');
      expect(content).toContain(emulator.caPem.trim());

      const script = `require('https').get(process.argv[1], { headers: { authorization: 'Bearer x' } }, (r) => { console.log(r.statusCode); r.resume(); }).on('error', (e) => { console.log('ERR ' + e.code); });`;
      const run = (env: NodeJS.ProcessEnv): Promise<string> =>
        new Promise((resolve, reject) => {
          execFile(
            process.execPath,
            ['-e', script, `${emulator.endpoint}/subscriptions?api-version=2022-12-01`],
            { env },
            (err, stdout) => (err ? reject(err) : resolve(stdout.trim())),
          );
        });
      expect(await run({ ...process.env, NODE_EXTRA_CA_CERTS: bundle })).toBe('200');
      const untrusted = await run({ ...process.env, NODE_EXTRA_CA_CERTS: existing });
      expect(untrusted).toMatch(/^ERR /);
    } finally {
      if (previous === undefined) delete process.env['NODE_EXTRA_CA_CERTS'];
      else process.env['NODE_EXTRA_CA_CERTS'] = previous;
      fs.rmSync(dir, { recursive: true, force: true });
      await emulator.close();
    }
  });

  it('the CLI prints endpoint and CA file as one JSON line', async () => {
    const tsx = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');
    const child = spawn(
      tsx,
      [path.join('src', 'emulator', 'cli.ts'), '--vms', '5', '--subscriptions', '1', '--port', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        let errText = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(out.slice(0, nl));
        });
        child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
        child.on('exit', (code) => reject(new Error(`cli exited ${String(code)}: ${errText}`)));
      });
      const info = JSON.parse(line) as {
        endpoint: string;
        caFile: string;
        caBundle: string;
        subscriptionIds: string[];
        vms: number;
      };
      expect(info.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      expect(fs.readFileSync(info.caFile, 'utf8')).toContain('BEGIN CERTIFICATE');
      expect(info.subscriptionIds).toHaveLength(1);
      expect(info.vms).toBe(5);
      expect(fs.readFileSync(info.caBundle, 'utf8')).toContain(fs.readFileSync(info.caFile, 'utf8').trim());
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
    }
  });
});
