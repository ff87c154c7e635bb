import { z } from 'zod';

/**
 * The shapes of the HTTP API's answers, for the OpenAPI document. The TypeScript interfaces in
 * src/ stay the source of truth for the code; these are checked against every answer the
 * end-to-end tests get (test/support/openApiCheck.ts), so they cannot drift silently.
 */

export const errorResponseSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: 'Error' });

export const startScanResponseSchema = z
  .object({ scanId: z.string(), status: z.string(), statusUrl: z.string() })
  .meta({ id: 'ScanStarted' });

const count = z.number().int().min(0);

export const scanSchema = z
  .object({
    scanId: z.string(),
    status: z.enum(['queued', 'running', 'completed', 'partial', 'failed']),
    trigger: z.string(),
    startedAt: z.string(),
    completedAt: z.string().optional(),
    subscriptionIds: z.array(z.string()),
    resourceTypes: z.array(z.string()),
    resourceGroup: z.string().optional(),
    inventory: z
      .object({
        source: z.enum(['resourcegraph', 'arm']),
        reason: z.string(),
        snapshotAt: z
          .string()
          .optional()
          .describe(
            'Resource Graph path: the earliest time Graph answered a page (Graph lags Azure by up to ~30 s)',
          ),
      })
      .optional()
      .describe('Who said what exists this scan (TOPDECK_INVENTORY_SOURCE) and why'),
    tasks: z.object({ total: count, completed: count, failed: count, skipped: count, pending: z.number() }),
    pages: count,
    counts: z.object({
      resources: count,
      dependencies: count,
      added: count,
      modified: count,
      removed: count,
      edgesAdded: count,
      edgesRemoved: count,
    }),
    errors: z.array(
      z.object({
        code: z.string(),
        count: count,
        message: z.string(),
        tasks: z.array(z.string()).optional(),
      }),
    ),
    /** While the scan runs: each task's state and counts so far. */
    taskProgress: z
      .array(
        z.object({
          taskId: z.string(),
          subscriptionId: z.string(),
          resourceType: z.string(),
          status: z.enum(['pending', 'running', 'completed', 'failed', 'skipped']),
          pages: count,
          resources: count,
          added: count,
          modified: count,
        }),
      )
      .optional(),
  })
  .meta({ id: 'Scan' });

export const scanListSchema = z.object({ items: z.array(scanSchema) }).meta({ id: 'ScanList' });

export const resourceSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    name: z.string(),
    type: z.string(),
    subscriptionId: z.string(),
    resourceGroup: z.string(),
    location: z.string(),
    status: z.enum(['running', 'stopped', 'error', 'degraded', 'unknown']),
    environment: z.string().nullable(),
    tags: z.record(z.string(), z.string()),
    properties: z.record(z.string(), z.unknown()),
    discoveredAt: z.string(),
    firstSeenAt: z.string().describe('When TopDeck first saw the resource'),
    lastSeenAt: z.string(),
    scanId: z.string(),
    refreshedAt: z.string().optional().describe('last read from Azure, by a scan or an event'),
    changedBy: z.string().optional().describe('the actor of its last change, when an event named one'),
  })
  .meta({ id: 'Resource' });

export const resourcePageSchema = z
  .object({ items: z.array(resourceSchema), continuationToken: z.string().optional() })
  .meta({ id: 'ResourcePage' });

export const edgeSchema = z
  .object({
    sourceId: z.string(),
    targetId: z.string(),
    category: z.enum(['network', 'data', 'configuration', 'compute']),
    strength: z.number().min(0).max(1),
    method: z.string(),
    evidence: z.string(),
    firstSeenScanId: z.string().optional(),
    lastSeenScanId: z.string().optional(),
  })
  .meta({ id: 'Edge' });

export const resourceWithEdgesSchema = resourceSchema
  .extend({ dependencies: z.object({ outgoing: z.array(edgeSchema), incoming: z.array(edgeSchema) }) })
  .meta({ id: 'ResourceWithDependencies' });

export const walkedEdgesSchema = z
  .object({ items: z.array(edgeSchema.extend({ depth: z.number().int().min(1) })) })
  .meta({ id: 'DependencyWalk' });

export const graphSchema = z
  .object({
    nodes: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        type: z.string(),
        external: z.boolean(),
        subscriptionId: z.string().optional(),
        resourceGroup: z.string().optional(),
        key: z.string().optional(),
        application: z.string().optional(),
      }),
    ),
    edges: z.array(edgeSchema),
  })
  .meta({ id: 'Graph' });

export const changePageSchema = z
  .object({
    items: z.array(
      z.object({
        scanId: z.string(),
        at: z.string(),
        kind: z.enum(['baseline', 'added', 'modified', 'removed', 'edgeAdded', 'edgeRemoved']),
        resourceId: z.string(),
        targetId: z.string().optional(),
        method: z.string().optional(),
        type: z.string(),
        name: z.string(),
        subscriptionId: z.string().optional(),
        paths: z
          .array(
            z.object({
              path: z.string(),
              old: z.unknown().optional(),
              new: z.unknown().optional(),
              redacted: z.literal(true).optional(),
            }),
          )
          .optional(),
        trigger: z.enum(['scan', 'event']).optional(),
        actor: z
          .string()
          .optional()
          .describe("events: the caller's UPN, else display name, else application id"),
        operation: z.string().optional().describe("events: the event's operationName"),
        correlationId: z.string().optional().describe('events: joins the Azure Activity Log'),
      }),
    ),
    continuationToken: z.string().optional(),
  })
  .meta({ id: 'ChangePage' });

const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), continuationToken: z.string().optional() });

export const repositorySchema = z
  .object({
    key: z.string(),
    id: z.string(),
    name: z.string(),
    organization: z.string(),
    project: z.string(),
    url: z.string().optional(),
    webUrl: z.string().optional(),
    defaultBranch: z.string().optional(),
    sizeBytes: z.number().optional(),
    isDisabled: z.boolean(),
    lastCommit: z
      .object({
        sha: z.string(),
        message: z.string().optional(),
        author: z.string().optional(),
        date: z.string().optional(),
      })
      .optional(),
  })
  .meta({ id: 'Repository' });

export const pipelineSchema = z
  .object({
    key: z.string(),
    id: z.number().int(),
    name: z.string(),
    folder: z.string().optional(),
    revision: z.number().int().optional(),
    organization: z.string(),
    project: z.string(),
    url: z.string().optional(),
  })
  .meta({ id: 'Pipeline' });

export const deploymentSchema = z
  .object({
    key: z.string(),
    id: z.number().int(),
    organization: z.string(),
    project: z.string(),
    pipelineId: z.number().int().optional(),
    pipelineName: z.string().optional(),
    runNumber: z.number().int().optional(),
    version: z.string().optional(),
    status: z.enum(['success', 'failed', 'in_progress', 'cancelled']),
    commitSha: z.string().optional(),
    branch: z.string().optional(),
    repositoryId: z.string().optional(),
    repositoryName: z.string().optional(),
    requestedBy: z.string().optional(),
    queuedAt: z.string().optional(),
    startedAt: z.string().optional(),
    finishedAt: z.string().optional(),
    durationSeconds: z.number().optional(),
    environment: z.string().optional(),
    environments: z.array(z.string()),
  })
  .meta({ id: 'Deployment' });

export const applicationSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    environment: z.enum(['production', 'staging', 'development', 'test', 'unknown']),
    repositoryIds: z.array(z.string()),
    resourceIds: z.array(z.string()),
    deploymentIds: z.array(z.number().int()),
    owner: z.string().optional(),
    currentVersion: z.string().optional(),
    lastDeployedAt: z.string().optional(),
    deploymentCount: count,
  })
  .meta({ id: 'Application' });

export const repositoryPageSchema = page(repositorySchema).meta({ id: 'RepositoryPage' });
export const pipelinePageSchema = page(pipelineSchema).meta({ id: 'PipelinePage' });
export const deploymentPageSchema = page(deploymentSchema).meta({ id: 'DeploymentPage' });
export const applicationPageSchema = page(applicationSchema).meta({ id: 'ApplicationPage' });

/** Every named schema, so that each lands once in `components.schemas` and others refer to it. */
export const NAMED_SCHEMAS: z.ZodType[] = [
  errorResponseSchema,
  startScanResponseSchema,
  scanSchema,
  scanListSchema,
  resourceSchema,
  resourcePageSchema,
  edgeSchema,
  resourceWithEdgesSchema,
  walkedEdgesSchema,
  graphSchema,
  changePageSchema,
  repositorySchema,
  pipelineSchema,
  deploymentSchema,
  applicationSchema,
  repositoryPageSchema,
  pipelinePageSchema,
  deploymentPageSchema,
  applicationPageSchema,
];
