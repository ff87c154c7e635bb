import { Ajv2020 } from 'ajv/dist/2020';
import { buildOpenApiDocument } from '../../src/openapi/buildOpenApiDocument';
import { ROUTE_DOCS } from '../../src/openapi/routeDocs';
import { createFunctionDefinitions, httpRoutes } from '../../src/runtime/definitions';

type Json = Record<string, unknown>;

/** The document as the running API serves it, built the same way (no services needed). */
export function openApiDocument(): Json {
  const defs = createFunctionDefinitions(() => Promise.reject(new Error('no services in this check')));
  return buildOpenApiDocument(httpRoutes(defs), ROUTE_DOCS, { version: 'test' });
}

const doc = openApiDocument();
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ $id: 'https://topdeck.test/openapi.json', components: doc.components });

const operations = Object.entries(doc.paths as Record<string, Record<string, Json>>).map(
  ([template, ops]) => ({
    template,
    regex: new RegExp(`^/api${template.replace(/\{\w+\}/g, '[^/]+').replace(/\./g, '\\.')}/?$`, 'i'),
    ops,
  }),
);

/**
 * Checks one answer of the API against the document: the route must be described, and a JSON
 * body must match the schema of its status (any error status: the Error schema). Returns the
 * problems (empty when it matches).
 */
export function checkAnswer(method: string, url: string, status: number, body: unknown): string[] {
  const path = new URL(url, 'http://x').pathname;
  const op = operations.find((o) => o.regex.test(path))?.ops[method.toLowerCase()];
  if (!op)
    return status === 404 || status === 405 ? [] : [`${method} ${path} is not in the OpenAPI document`];
  const responses = op.responses as Record<string, Json>;
  const response = responses[String(status)] ?? (status >= 400 ? responses['500'] : undefined);
  if (!response) return [`${method} ${path} answered ${status}, a status the document does not list`];
  const schema = (response.content as Record<string, { schema?: Json }> | undefined)?.['application/json']
    ?.schema;
  if (!schema || !schema.$ref) return [];
  const validate = ajv.getSchema(`https://topdeck.test/openapi.json${schema.$ref as string}`);
  if (!validate) return [`no schema ${String(schema.$ref)}`];
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${method} ${path} ${status}: ${e.instancePath} ${e.message}`);
}

/** Throws when an answer does not match the document; the e2e helper calls it on every answer. */
export function assertAnswerMatches(method: string, url: string, status: number, body: unknown): void {
  const problems = checkAnswer(method, url, status, body);
  if (problems.length)
    throw new Error(`answer does not match the OpenAPI document:\n${problems.slice(0, 10).join('\n')}`);
}
