import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_DOCS } from '../../src/openapi/routeDocs';
import { createFunctionDefinitions, httpRoutes } from '../../src/runtime/definitions';
import { ids } from '../dependencies/handMadeEstate';
import { seedConnectedEstate } from '../support/connectedEstate';
import { startTestHost, type TestHost } from '../support/localHost';
import { checkAnswer } from '../support/openApiCheck';

type Operation = { operationId: string; parameters: Array<{ name: string; in: string; schema: object }> };
type Doc = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('the OpenAPI document at GET /api/openapi.json', () => {
  let host: TestHost;
  let doc: Doc;
  beforeAll(async () => {
    host = await startTestHost({ emulator: { subscriptionCount: 1, vmsPerSubscription: 30, pageSize: 20 } });
    await seedConnectedEstate(host.services);
    const res = await fetch(`${host.baseUrl}/api/openapi.json`);
    expect(res.status).toBe(200);
    doc = (await res.json()) as Doc;
  });
  afterAll(async () => host?.stop());

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(doc as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('describes every registered HTTP route and method, each with its line in ROUTE_DOCS', () => {
    const routes = httpRoutes(createFunctionDefinitions(() => Promise.reject(new Error('unused'))));
    expect(routes.length).toBeGreaterThanOrEqual(11);
    for (const r of routes) {
      expect(ROUTE_DOCS[r.name], `ROUTE_DOCS has no line for ${r.name}`).toBeDefined();
      for (const m of r.methods) {
        const op = doc.paths[`/${r.route}`]?.[m.toLowerCase()];
        expect(op?.operationId, `${m} /${r.route}`).toBe(r.name);
      }
    }
    expect(Object.keys(ROUTE_DOCS).sort()).toEqual(routes.map((r) => r.name).sort());
  });

  // The query parameters come from the zod schemas that validate them: what one rejects, so does the other.
  it.each([
    ['/resources', 'limit', '50', 200],
    ['/resources', 'limit', 'ten', 400],
    ['/resources', 'subscriptionId', 'not-a-guid', 400],
    ['/resources', 'subscriptionId', '11111111-1111-1111-1111-11111111111A', 200],
    ['/dependencies', 'direction', 'sideways', 400],
    ['/changes', 'scanId', 'a b', 400],
  ])('GET %s?%s=%s: document and API agree (%i)', async (path, name, value, status) => {
    const param = doc.paths[path]?.get?.parameters.find((p) => p.name === name);
    expect(param, `${path} documents ${name}`).toBeDefined();
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validate(param?.schema as object, value)).toBe(status === 200);
    const extra = path === '/dependencies' ? `&resourceId=${encodeURIComponent(ids.vm)}` : '';
    const res = await host.api('GET', `/api${path}?${name}=${encodeURIComponent(value)}${extra}`);
    expect(res.status).toBe(status);
  });

  it('matches every answer of every route after a scan of a connected estate', async () => {
    const started = await host.api<{ scanId: string }>('POST', '/api/scans', {});
    expect(started.status).toBe(202);
    const scan = await host.waitForScan(started.body.scanId);
    expect(scan.status).toBe('completed');
    const resources = await host.api<{ items: Array<{ key: string }> }>('GET', '/api/resources?limit=5');
    const vmKey = (
      await host.api<{ nodes: Array<{ id: string; key?: string }> }>('GET', '/api/graph')
    ).body.nodes.find((n) => n.id === ids.vm)?.key;
    // host.api checks each answer against the document and throws on a mismatch.
    const answers = [
      await host.api('GET', '/api/scans'),
      await host.api('GET', `/api/scans/${started.body.scanId}`),
      resources,
      await host.api('GET', `/api/resources/${vmKey}`),
      await host.api(
        'GET',
        `/api/dependencies?resourceId=${encodeURIComponent(ids.subnetWeb)}&direction=in&depth=5`,
      ),
      await host.api('GET', `/api/graph?subscriptionId=${ids.vm.split('/')[2]}`),
      await host.api('GET', '/api/changes?since=2020-01-01T00:00:00Z&limit=50'),
      await host.api('GET', '/api/scans/no-such-scan'),
      await host.api('GET', '/api/resources?limit=0'),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 404, 400]);
    expect((answers[4]?.body as { items: unknown[] }).items.length).toBeGreaterThan(3);
  });

  it('catches an answer that does not match (the check can fail)', () => {
    expect(checkAnswer('GET', '/api/scans', 200, { items: [{ scanId: 1 }] }).length).toBeGreaterThan(0);
    expect(checkAnswer('GET', '/api/graph', 200, { nodes: [] })).toEqual([
      expect.stringContaining("must have required property 'edges'"),
    ]);
    expect(checkAnswer('GET', '/api/nowhere-documented', 200, {})).toEqual([
      'GET /api/nowhere-documented is not in the OpenAPI document',
    ]);
  });
});
