import type { HttpRequest, HttpResponseInit, InvocationContext, Timer } from '@azure/functions';
import { errorResponse, errorToResponse, json } from '../api/httpResult';
import type { z } from 'zod';
import type { Services } from '../app/Services';
import { DEVOPS_QUEUES } from '../devops/DevOpsScanExtension';
import { KUBERNETES_QUEUE } from '../kubernetes/KubernetesScanExtension';
import { DISCOVERERS, FINALIZE_QUEUE, POISON_SUFFIX, discoverQueueName } from '../discovery/registry';
import { validationError } from '../errors/TopDeckError';
import { RESOURCE_EVENTS_QUEUE } from '../events/ResourceEvent';
import { finalizeMessageSchema, pageMessageSchema, parseQueuePayload } from '../scan/messages';
import { packageVersion } from '../app/packageRoot';
import { buildOpenApiDocument, type DocumentedRoute } from '../openapi/buildOpenApiDocument';
import { ROUTE_DOCS } from '../openapi/routeDocs';
import { UiAssets } from '../ui/UiAssets';
import { countingCalls } from '../telemetry/callCounts';
import { createLogger, withOperation } from '../telemetry/logger';
import { currentTraceparent, runWithTraceparent, type HandlerSpanKind } from '../telemetry/traceContext';

/**
 * The ONE list of function definitions. `functions/index.ts` registers it with the Azure
 * Functions host (app.http / app.timer / app.storageQueue); the local runtime hosts the very
 * same objects. Handlers are thin: parse, call src/, map the result.
 */
export type HttpMethod = 'GET' | 'POST';

export type FunctionDefinition =
  | {
      kind: 'http';
      name: string;
      /** Relative to the `api/` route prefix. */
      route: string;
      methods: HttpMethod[];
      /** `anonymous` only for what holds no data (the page); the rest needs a function key in Azure. */
      authLevel?: 'anonymous' | 'function';
      handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>;
    }
  | {
      kind: 'timer';
      name: string;
      /** NCRONTAB, or `%SETTING%` resolved from settings as the Functions host does. */
      schedule: string;
      handler: (timer: Timer, context: InvocationContext) => Promise<void>;
    }
  | {
      kind: 'queue';
      name: string;
      queueName: string;
      handler: (message: unknown, context: InvocationContext) => Promise<void>;
    };

export const WATCHDOG_SCHEDULE = '0 */5 * * * *';

const log = createLogger('functions');

function header(request: HttpRequest, name: string): string | undefined {
  return request.headers.get(name) ?? undefined;
}

function queryRecord(request: HttpRequest): Record<string, string> {
  const out: Record<string, string> = {};
  request.query.forEach((value, key) => {
    // `code` is the function key when a caller passes it in the URL: the host's, never input.
    if (key !== 'code') out[key] = value;
  });
  return out;
}

async function readJsonBody(request: HttpRequest): Promise<unknown> {
  const text = (await request.text()).trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw validationError(
      `request body is not valid JSON (${(e as Error).message}); send {"subscriptionIds"?, "resourceTypes"?, "resourceGroup"?} or no body`,
    );
  }
}

function pascal(s: string): string {
  return s.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());
}

/**
 * Every handler runs in a span that continues the trace it was given (so one scan is one App
 * Insights operation) and counts the Resource Manager calls it makes (for its metrics).
 */
function traced<T>(
  traceparent: string | undefined,
  name: string,
  kind: HandlerSpanKind,
  fn: () => Promise<T>,
): Promise<T> {
  return runWithTraceparent(traceparent, name, () => countingCalls(fn), {
    kind,
    preferActive: kind === 'request',
  });
}

export function createFunctionDefinitions(getServices: () => Promise<Services>): FunctionDefinition[] {
  const httpRoute = (
    name: string,
    route: string,
    methods: HttpMethod[],
    run: (request: HttpRequest, traceparent?: string) => Promise<HttpResponseInit>,
    authLevel?: 'anonymous',
  ): FunctionDefinition => ({
    kind: 'http',
    name,
    route,
    methods,
    ...(authLevel ? { authLevel } : {}),
    handler: async (request, context) => {
      const incoming = header(request, 'traceparent') ?? context.traceContext?.traceParent ?? undefined;
      const correlationId = header(request, 'x-correlation-id') ?? context.invocationId;
      return traced(incoming, name, 'request', () => {
        const traceparent = currentTraceparent() ?? incoming;
        return withOperation(
          { correlationId, traceparent, functionName: name, invocationId: context.invocationId },
          async () => {
            try {
              return await run(request, traceparent);
            } catch (e) {
              if ((e as Error).name === 'SettingsError') {
                log.error('settings are invalid', { error: (e as Error).message });
                return errorResponse(500, 'ConfigurationError', (e as Error).message);
              }
              return errorToResponse(e, log);
            }
          },
        );
      });
    },
  });

  const http = (
    name: string,
    path: string,
    methods: HttpMethod[],
    run: (services: Services, request: HttpRequest, traceparent?: string) => Promise<HttpResponseInit>,
  ): FunctionDefinition =>
    httpRoute(name, path, methods, async (request, traceparent) =>
      run(await getServices(), request, traceparent),
    );

  /**
   * A queue function: the message is parsed first (a malformed one is logged and dropped, never
   * retried), then handled inside the trace and correlation id it carries.
   */
  const queue = <T extends { correlationId: string; traceparent?: string }>(
    name: string,
    queueName: string,
    schema: z.ZodType<T>,
    label: string,
    run: (services: Services, message: T, context: InvocationContext) => Promise<void>,
  ): FunctionDefinition => ({
    kind: 'queue',
    name,
    queueName,
    handler: async (message, context) => {
      const parsed = parseQueuePayload(schema, message);
      if (!parsed.ok) {
        log.error(`malformed ${label} message dropped`, { queue: queueName, reason: parsed.error });
        return;
      }
      const m = parsed.value;
      await traced(m.traceparent, name, 'consumer', () =>
        withOperation(
          {
            correlationId: m.correlationId,
            traceparent: currentTraceparent() ?? m.traceparent,
            functionName: name,
            invocationId: context.invocationId,
          },
          async () => run(await getServices(), m, context),
        ),
      );
    },
  });

  const delivery = (context: InvocationContext) => ({
    messageId: String(context.triggerMetadata?.id ?? context.invocationId),
    dequeueCount: Number(context.triggerMetadata?.dequeueCount ?? 1),
  });

  const ui = new UiAssets();
  let openApi: Record<string, unknown> | undefined;
  const defs: FunctionDefinition[] = [
    {
      kind: 'timer',
      name: 'scheduledScan',
      schedule: '%SCAN_SCHEDULE%',
      handler: async (_timer, context) => {
        const incoming = context.traceContext?.traceParent ?? undefined;
        await traced(incoming, 'scheduledScan', 'request', () =>
          withOperation({ functionName: 'scheduledScan', invocationId: context.invocationId }, async () => {
            const services = await getServices();
            const scan = await services.scans.startScan({
              trigger: 'timer',
              traceparent: currentTraceparent() ?? incoming,
            });
            log.info('scheduled scan started', { scanId: scan.scanId, correlationId: scan.scanId });
          }),
        );
      },
    },
    {
      kind: 'timer',
      name: 'scanWatchdog',
      schedule: WATCHDOG_SCHEDULE,
      handler: async (_timer, context) => {
        await traced(context.traceContext?.traceParent ?? undefined, 'scanWatchdog', 'request', async () => {
          const services = await getServices();
          await services.scans.watchdog();
        });
      },
    },
    http('startScan', 'scans', ['POST'], async (s, request, traceparent) => {
      const body = await readJsonBody(request);
      const started = await s.scansApi.start(body, 'http', traceparent);
      return json(202, started, { location: started.statusUrl });
    }),
    http('listScans', 'scans', ['GET'], async (s, request) =>
      json(200, await s.scansApi.list(queryRecord(request))),
    ),
    http('getScan', 'scans/{scanId}', ['GET'], async (s, request) =>
      json(200, await s.scansApi.get(request.params.scanId ?? '')),
    ),
    http('listResources', 'resources', ['GET'], async (s, request) =>
      json(200, await s.resourcesApi.list(queryRecord(request))),
    ),
    http('getResource', 'resources/{key}', ['GET'], async (s, request) =>
      json(200, await s.resourcesApi.get(request.params.key ?? '')),
    ),
    http('listDependencies', 'dependencies', ['GET'], async (s, request) =>
      json(200, await s.dependenciesApi.query(queryRecord(request))),
    ),
    http('getGraph', 'graph', ['GET'], async (s, request) =>
      json(200, await s.dependenciesApi.graph(queryRecord(request))),
    ),
    http('listChanges', 'changes', ['GET'], async (s, request) =>
      json(200, await s.changesApi.list(queryRecord(request))),
    ),
    http('listRepositories', 'repositories', ['GET'], async (s, request) =>
      json(200, await s.devopsApi.repositories(queryRecord(request))),
    ),
    http('listPipelines', 'pipelines', ['GET'], async (s, request) =>
      json(200, await s.devopsApi.pipelines(queryRecord(request))),
    ),
    http('listDeployments', 'deployments', ['GET'], async (s, request) =>
      json(200, await s.devopsApi.deployments(queryRecord(request))),
    ),
    http('listApplications', 'applications', ['GET'], async (s, request) =>
      json(200, await s.devopsApi.applications(queryRecord(request))),
    ),
    // Neither needs settings or storage: the description and the page work even when those fail.
    httpRoute('getOpenApi', 'openapi.json', ['GET'], async () => {
      openApi ??= buildOpenApiDocument(httpRoutes(defs), ROUTE_DOCS, { version: packageVersion() });
      return json(200, openApi);
    }),
    httpRoute('getUi', 'ui', ['GET'], async () => ui.page(), 'anonymous'),
    httpRoute(
      'getUiAsset',
      'ui/{asset}',
      ['GET'],
      async (request) => ui.asset(request.params.asset ?? ''),
      'anonymous',
    ),
  ];

  for (const d of DISCOVERERS) {
    const queueName = discoverQueueName(d);
    defs.push(
      queue(`discover${pascal(d.slug)}`, queueName, pageMessageSchema, 'page', async (s, m, context) => {
        await s.scans.processPage(m, delivery(context));
      }),
      queue(`poison${pascal(d.slug)}`, queueName + POISON_SUFFIX, pageMessageSchema, 'poison', (s, m) =>
        s.scans.handlePoison(m),
      ),
    );
  }
  // Azure DevOps (one queue per kind of task) and Kubernetes: the same page handler and poison handling.
  for (const queueName of [...DEVOPS_QUEUES, KUBERNETES_QUEUE]) {
    const name = pascal(queueName.replace(/^discover-/, ''));
    defs.push(
      queue(`discover${name}`, queueName, pageMessageSchema, 'page', async (s, m, context) => {
        await s.scans.processPage(m, delivery(context));
      }),
      queue(`poison${name}`, queueName + POISON_SUFFIX, pageMessageSchema, 'poison', (s, m) =>
        s.scans.handlePoison(m),
      ),
    );
  }
  defs.push(
    queue('finalizeScan', FINALIZE_QUEUE, finalizeMessageSchema, 'finalize', async (s, m) => {
      await s.scans.finalize(m);
    }),
    queue('poisonFinalizeScan', FINALIZE_QUEUE + POISON_SUFFIX, finalizeMessageSchema, 'poison', (s, m) =>
      s.scans.handleFinalizePoison(
        m,
        'the finalize step failed on every delivery; see the log for its errors',
      ),
    ),
  );
  // Azure's resource events (Event Grid's own format, not TopDeck's messages): each refresh is
  // its own operation, carrying the event's correlation id (src/events/EventRefresher.ts).
  defs.push(
    {
      kind: 'queue',
      name: 'resourceEvents',
      queueName: RESOURCE_EVENTS_QUEUE,
      handler: async (message, context) =>
        withOperation({ functionName: 'resourceEvents', invocationId: context.invocationId }, async () => {
          await (await getServices()).resourceEvents.handle(message);
        }),
    },
    {
      kind: 'queue',
      name: 'poisonResourceEvents',
      queueName: RESOURCE_EVENTS_QUEUE + POISON_SUFFIX,
      handler: async (_message, context) => {
        // Resource Manager kept failing for this resource: the next scan reconciles it.
        log.warn('resource event failed on every delivery; the next scan reconciles the resource', {
          functionName: 'poisonResourceEvents',
          invocationId: context.invocationId,
        });
      },
    },
  );
  return defs;
}

/** The HTTP routes of a list of definitions, as the OpenAPI document describes them. */
export function httpRoutes(defs: FunctionDefinition[]): DocumentedRoute[] {
  return defs.flatMap((d) =>
    d.kind === 'http' ? [{ name: d.name, route: d.route, methods: d.methods, authLevel: d.authLevel }] : [],
  );
}
