import { createHash } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { validationError } from '../errors/TopDeckError';
import type { Application, Deployment, Pipeline, Repository } from '../devops/DevOpsItems';
import {
  entityToApplication,
  entityToDeployment,
  entityToPipeline,
  entityToRepository,
} from '../devops/devopsEntities';
import { applicationPartitionKey, devopsProjectPartitionKey, odataString } from '../storage/keys';
import type { Tables } from '../storage/tables';
import { continuationTokenSchema, pageLimitSchema, parseOrThrow } from './validation';

export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

const limitSchema = pageLimitSchema.optional();
const tokenSchema = continuationTokenSchema.optional();
const projectSchema = z.string().min(1).max(64).optional();

export const repositoriesQuerySchema = z
  .object({ project: projectSchema, limit: limitSchema, continuationToken: tokenSchema })
  .strict();
export const pipelinesQuerySchema = repositoriesQuerySchema;
export const deploymentsQuerySchema = z
  .object({
    project: projectSchema,
    repositoryId: z.string().min(1).max(64).optional(),
    status: z.enum(['success', 'failed', 'in_progress', 'cancelled']).optional(),
    since: z
      .string()
      .refine((s) => !Number.isNaN(Date.parse(s)), {
        message: 'must be an ISO 8601 time, e.g. 2026-11-01T00:00:00Z',
      })
      .transform((s) => new Date(s).toISOString())
      .optional(),
    limit: limitSchema,
    continuationToken: tokenSchema,
  })
  .strict();
export const applicationsQuerySchema = z
  .object({
    environment: z.enum(['production', 'staging', 'development', 'test', 'unknown']).optional(),
    limit: limitSchema,
    continuationToken: tokenSchema,
  })
  .strict();

function filterHash(filter: string): string {
  return createHash('sha1').update(filter).digest('base64url').slice(0, 12);
}

/** Continuation tokens are bound to the filter they were issued for (as on /api/resources). */
function decodeToken(token: string | undefined, filter: string): string | undefined {
  if (token === undefined) return undefined;
  let p: { t?: unknown; f?: unknown } | undefined;
  try {
    p = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as typeof p;
  } catch {
    p = undefined;
  }
  if (!p || typeof p.t !== 'string' || p.f !== filterHash(filter)) {
    throw validationError(
      'invalid continuationToken: pass back exactly the continuationToken of the previous page, with the same filters',
    );
  }
  return p.t;
}

/** The Azure DevOps routes: repositories, pipelines, deployments and applications, paged like /api/resources. */
export class DevOpsApi {
  constructor(
    private readonly tables: Pick<Tables, 'repositories' | 'pipelines' | 'deployments' | 'applications'>,
    /** The configured organisation (project filters are within it); absent when DevOps is off. */
    private readonly organization: string | undefined,
  ) {}

  private projectFilter(project: string | undefined): string[] {
    if (!project) return [];
    return [`PartitionKey eq ${odataString(devopsProjectPartitionKey(this.organization ?? '', project))}`];
  }

  async repositories(raw: Record<string, string>): Promise<Page<Repository>> {
    const q = parseOrThrow(repositoriesQuerySchema, raw, 'query');
    return this.page(this.tables.repositories, this.projectFilter(q.project), q, entityToRepository);
  }

  async pipelines(raw: Record<string, string>): Promise<Page<Pipeline>> {
    const q = parseOrThrow(pipelinesQuerySchema, raw, 'query');
    return this.page(this.tables.pipelines, this.projectFilter(q.project), q, entityToPipeline);
  }

  async deployments(raw: Record<string, string>): Promise<Page<Deployment>> {
    const q = parseOrThrow(deploymentsQuerySchema, raw, 'query');
    const filters = this.projectFilter(q.project);
    if (q.repositoryId) filters.push(`repositoryId eq ${odataString(q.repositoryId.toLowerCase())}`);
    if (q.status) filters.push(`status eq ${odataString(q.status)}`);
    if (q.since) filters.push(`startedAt ge ${odataString(q.since)}`);
    const page = await this.page(this.tables.deployments, filters, q, (e) =>
      typeof e.status === 'string' ? entityToDeployment(e) : undefined,
    );
    // Rows an environment record created before its build was read have no status yet: not served.
    return { ...page, items: page.items.filter((d): d is Deployment => d !== undefined) };
  }

  async applications(raw: Record<string, string>): Promise<Page<Application>> {
    const q = parseOrThrow(applicationsQuerySchema, raw, 'query');
    const filters = q.environment
      ? [`PartitionKey eq ${odataString(applicationPartitionKey(q.environment))}`]
      : [];
    return this.page(this.tables.applications, filters, q, entityToApplication);
  }

  private async page<T>(
    table: TableClient,
    filters: string[],
    q: { limit?: number; continuationToken?: string },
    map: (e: Record<string, unknown>) => T,
  ): Promise<Page<T>> {
    const filter = filters.join(' and ');
    const sdkToken = decodeToken(q.continuationToken, filter);
    const pages = table
      .listEntities({ queryOptions: filter ? { filter } : {} })
      .byPage({ maxPageSize: q.limit ?? 100, continuationToken: sdkToken });
    let page;
    try {
      page = await pages.next();
    } catch (e) {
      if ((e as { statusCode?: number }).statusCode === 400 && sdkToken)
        throw validationError(
          'invalid continuationToken: the storage service rejected it; start again without one',
        );
      throw e;
    }
    const items = page.done ? [] : page.value.map((e) => map(e as Record<string, unknown>));
    const next = page.done ? undefined : page.value.continuationToken;
    return next
      ? {
          items,
          continuationToken: Buffer.from(JSON.stringify({ t: next, f: filterHash(filter) }), 'utf8').toString(
            'base64url',
          ),
        }
      : { items };
  }
}
