import { z } from 'zod';
import { errorResponseSchema, NAMED_SCHEMAS } from './responseSchemas';
import type { RouteDoc } from './routeDocs';

/** The part of an HTTP function definition the document is built from. */
export interface DocumentedRoute {
  name: string;
  /** Relative to the `api/` prefix, with `{param}` placeholders. */
  route: string;
  methods: string[];
  authLevel?: 'anonymous' | 'function';
}

type JsonSchema = Record<string, unknown>;

/**
 * Input schemas are described as the caller sends them (`io: 'input'`: a `limit` is a string
 * of digits in a query); refinements and transforms zod cannot express are left out rather than
 * failing the document. Named response schemas (`.meta({ id })`) land in `components.schemas`.
 */
function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const out = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete out.$schema;
  return stripNonStandardFormats(out) as JsonSchema;
}

/** zod names some string checks as formats (`starts_with`) that no validator knows; the pattern carries them. */
function stripNonStandardFormats(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripNonStandardFormats);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (k === 'format' && (v === 'starts_with' || v === 'ends_with' || v === 'includes')) continue;
    out[k] = stripNonStandardFormats(v);
  }
  return out;
}

/** Responses reference named schemas; the registry collects them once for the whole document. */
function responseSchemas(docs: RouteDoc[]): { refs: Map<z.ZodType, JsonSchema>; components: JsonSchema } {
  const registry = z.registry<{ id: string }>();
  const named = new Set<z.ZodType>(NAMED_SCHEMAS);
  for (const d of docs) if (typeof d.response !== 'string') named.add(d.response);
  for (const s of named) {
    const id = (s.meta() as { id?: string } | undefined)?.id;
    if (!id) throw new Error('every response schema needs .meta({ id }) to be named in the document');
    registry.add(s, { id });
  }
  const all = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    target: 'draft-2020-12',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  const components: JsonSchema = {};
  for (const [id, schema] of Object.entries(all.schemas)) {
    delete schema.$schema;
    delete schema.id;
    components[id] = stripNonStandardFormats(schema);
  }
  const refs = new Map<z.ZodType, JsonSchema>();
  for (const s of named) refs.set(s, { $ref: `#/components/schemas/${(s.meta() as { id: string }).id}` });
  return { refs, components };
}

function describeResponse(doc: RouteDoc, refs: Map<z.ZodType, JsonSchema>): JsonSchema {
  switch (doc.response) {
    case 'html':
      return { description: doc.summary, content: { 'text/html': { schema: { type: 'string' } } } };
    case 'asset':
      return {
        description: doc.summary,
        content: {
          'text/javascript': { schema: { type: 'string' } },
          'text/css': { schema: { type: 'string' } },
        },
      };
    case 'openapi':
      return { description: doc.summary, content: { 'application/json': { schema: { type: 'object' } } } };
    default:
      return {
        description: doc.summary,
        content: { 'application/json': { schema: refs.get(doc.response) } },
      };
  }
}

function queryParameters(schema: z.ZodType): JsonSchema[] {
  const json = toSchema(schema, 'input') as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: s,
  }));
}

/**
 * The OpenAPI 3.1 description of every HTTP route, built from the one list of definitions and
 * each route's line in ROUTE_DOCS. A route without a line is still listed (with a generic
 * answer) so the document never hides one; the test insists on the line.
 */
export function buildOpenApiDocument(
  routes: DocumentedRoute[],
  docs: Record<string, RouteDoc>,
  info: { version: string },
): JsonSchema {
  const { refs, components } = responseSchemas(Object.values(docs));
  const errorRef = refs.get(errorResponseSchema);
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema: errorRef } },
  });
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const r of routes) {
    const doc = docs[r.name];
    const path = `/${r.route}`;
    const params = [...r.route.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    for (const method of r.methods) {
      const op: JsonSchema = {
        operationId: r.name,
        summary: doc?.summary ?? r.name,
        parameters: [...params, ...(doc?.query ? queryParameters(doc.query) : [])],
        responses: doc
          ? {
              [String(doc.status)]: describeResponse(doc, refs),
              ...(typeof doc.response === 'string' && doc.response !== 'asset'
                ? {}
                : {
                    '400': error('invalid input; the message names every problem'),
                    '404': error('not found'),
                  }),
              '500': error('TopDeck failed; the log has the details'),
              '503': error('a dependency of TopDeck is unavailable; try again shortly'),
            }
          : { default: { description: 'not described yet' } },
      };
      if (doc?.body) {
        op.requestBody = {
          required: false,
          content: { 'application/json': { schema: toSchema(doc.body, 'input') } },
        };
      }
      if (r.authLevel === 'anonymous') op.security = [];
      (paths[path] ??= {})[method.toLowerCase()] = op;
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'TopDeck',
      version: info.version,
      description:
        'Maps an Azure estate. Deployed, every route except the page needs a function key (header x-functions-key).',
    },
    servers: [{ url: '/api' }],
    security: [{ functionKey: [] }],
    paths,
    components: {
      schemas: components,
      securitySchemes: { functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' } },
    },
  };
}
