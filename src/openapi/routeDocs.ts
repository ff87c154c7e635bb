import { z } from 'zod';
import { changesQuerySchema } from '../api/ChangesApi';
import { dependenciesQuerySchema, graphQuerySchema } from '../api/DependenciesApi';
import {
  applicationsQuerySchema,
  deploymentsQuerySchema,
  pipelinesQuerySchema,
  repositoriesQuerySchema,
} from '../api/DevOpsApi';
import { listResourcesQuerySchema } from '../api/ResourcesApi';
import { listScansQuerySchema } from '../api/ScansApi';
import { startScanBodySchema } from '../api/validation';
import {
  applicationPageSchema,
  changePageSchema,
  deploymentPageSchema,
  graphSchema,
  pipelinePageSchema,
  repositoryPageSchema,
  resourcePageSchema,
  resourceWithEdgesSchema,
  scanListSchema,
  scanSchema,
  startScanResponseSchema,
  walkedEdgesSchema,
} from './responseSchemas';

/** What the OpenAPI document says of one HTTP function; `query` and `body` are the validating schemas. */
export interface RouteDoc {
  summary: string;
  query?: z.ZodType;
  body?: z.ZodType;
  /** The success status and its body; `html`/`asset` for the page and its files. */
  status: number;
  response: z.ZodType | 'html' | 'asset' | 'openapi';
}

/**
 * THE place to describe an HTTP route, one line per function name of src/runtime/definitions.ts.
 * test/openapi/openApiDocument.test.ts fails for a registered route that has no line here.
 */
// prettier-ignore
export const ROUTE_DOCS: Record<string, RouteDoc> = {
  startScan: { summary: 'Start a scan', body: startScanBodySchema, status: 202, response: startScanResponseSchema },
  listScans: { summary: 'Recent scans, newest first', query: listScansQuerySchema, status: 200, response: scanListSchema },
  getScan: { summary: 'One scan, with live progress while it runs', status: 200, response: scanSchema },
  listResources: { summary: 'Resources, filtered and paged; with q, the best matches of a name, id or type', query: listResourcesQuerySchema, status: 200, response: resourcePageSchema },
  getResource: { summary: 'One resource by key, with its edges both ways', status: 200, response: resourceWithEdgesSchema },
  listDependencies: { summary: 'What a resource depends on (out) or what depends on it (in), transitively', query: dependenciesQuerySchema, status: 200, response: walkedEdgesSchema },
  getGraph: { summary: 'Nodes and edges of the estate or one scope, for a viewer', query: graphQuerySchema, status: 200, response: graphSchema },
  listChanges: { summary: 'The change history, newest first, paged', query: changesQuerySchema, status: 200, response: changePageSchema },
  listRepositories: { summary: 'Azure DevOps repositories, paged', query: repositoriesQuerySchema, status: 200, response: repositoryPageSchema },
  listPipelines: { summary: 'Azure DevOps pipeline definitions, paged', query: pipelinesQuerySchema, status: 200, response: pipelinePageSchema },
  listDeployments: { summary: 'Azure DevOps builds as deployments, newest first, paged', query: deploymentsQuerySchema, status: 200, response: deploymentPageSchema },
  listApplications: { summary: 'Applications inferred from repositories, resource tags and deployments, paged', query: applicationsQuerySchema, status: 200, response: applicationPageSchema },
  getOpenApi: { summary: 'This document', status: 200, response: 'openapi' },
  getUi: { summary: 'The operator page', status: 200, response: 'html' },
  getUiAsset: { summary: "A file of the operator page (script, style)", status: 200, response: 'asset' },
};
