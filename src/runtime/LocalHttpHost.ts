import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { HttpRequest, InvocationContext, type HttpResponseInit } from '@azure/functions';
import type { Logger } from '../telemetry/logger';
import { setRequestRoute } from '../telemetry/traceContext';
import type { Checkpoint } from './Checkpoint';
import type { FunctionDefinition } from './definitions';
import type { RuntimeStats } from './QueuePoller';

const MAX_BODY_BYTES = 1024 * 1024;

type HttpDefinition = Extract<FunctionDefinition, { kind: 'http' }>;
interface Route {
  def: HttpDefinition;
  names: string[];
  regex: RegExp;
}

export interface LocalHttpHostOptions {
  definitions: FunctionDefinition[];
  /** host.json's extensions.http.routePrefix ("api"). */
  routePrefix: string;
  /** 0 lets the OS pick. */
  port: number;
  /** Made durable before a write is answered. */
  checkpoint?: Checkpoint;
  stats: RuntimeStats;
  logger: Logger;
  logHandler: (functionName: string) => (level: string, ...args: unknown[]) => void;
}

/**
 * The HTTP functions on a loopback port, as the Functions host routes them: `{name}` route
 * parameters, 404 and 405 (with `allow`) in its shape, bodies up to 1 MiB, and a write answered
 * only once the store is durable.
 */
export class LocalHttpHost {
  private server?: http.Server;
  port = 0;

  constructor(private readonly options: LocalHttpHostOptions) {}

  async start(): Promise<number> {
    const prefix = `/${this.options.routePrefix}`.replace(/\/+$/, '');
    const routes = this.options.definitions
      .filter((d): d is HttpDefinition => d.kind === 'http')
      .map((def) => {
        const names: string[] = [];
        const pattern = def.route.replace(/\{(\w+)\}/g, (_, name: string) => {
          names.push(name);
          return '([^/]+)';
        });
        return { def, names, regex: new RegExp(`^${prefix}/${pattern}/?$`, 'i') };
      });
    this.server = http.createServer((req, res) => {
      void this.serve(req, res, routes).catch((e) => {
        this.options.logger.error('local HTTP host failed', { error: (e as Error).message });
        if (!res.headersSent)
          send(res, {
            status: 500,
            jsonBody: { error: { code: 'InternalError', message: 'local host failure' } },
          });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', (e: NodeJS.ErrnoException) =>
        reject(
          e.code === 'EADDRINUSE'
            ? new Error(
                `port ${this.options.port} is already in use: set PORT to a free port (or 0 to pick one)`,
              )
            : e,
        ),
      );
      this.server?.listen(this.options.port, '127.0.0.1', () => resolve());
    });
    const address = this.server.address();
    this.port = typeof address === 'object' && address ? address.port : this.options.port;
    return this.port;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse, routes: Route[]): Promise<void> {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${this.port}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const matching = routes
      .map((r) => ({ r, m: r.regex.exec(url.pathname) }))
      .filter((x): x is { r: (typeof routes)[number]; m: RegExpExecArray } => x.m !== null);
    if (!matching.length) {
      send(res, {
        status: 404,
        jsonBody: { error: { code: 'NotFound', message: `no route ${method} ${url.pathname}` } },
      });
      return;
    }
    const hit = matching.find((x) => x.r.def.methods.includes(method as 'GET' | 'POST'));
    if (!hit) {
      const allowed = [...new Set(matching.flatMap((x) => x.r.def.methods))].join(', ');
      send(res, {
        status: 405,
        headers: { allow: allowed },
        jsonBody: {
          error: {
            code: 'MethodNotAllowed',
            message: `${method} is not allowed on ${url.pathname}; use ${allowed}`,
          },
        },
      });
      return;
    }
    setRequestRoute(`/${this.options.routePrefix}/${hit.r.def.route}`.replace(/\/{2,}/g, '/'));
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) {
        send(res, {
          status: 413,
          jsonBody: { error: { code: 'PayloadTooLarge', message: 'request body over 1 MiB' } },
        });
        return;
      }
      chunks.push(chunk as Buffer);
    }
    const params: Record<string, string> = {};
    hit.r.names.forEach((name, i) => {
      params[name] = decodeURIComponent(hit.m[i + 1] ?? '');
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const query: Record<string, string> = {};
    url.searchParams.forEach((v, k) => {
      query[k] = v;
    });
    const request = new HttpRequest({
      method,
      url: url.toString(),
      headers,
      query,
      params,
      body: chunks.length ? { bytes: Buffer.concat(chunks) } : undefined,
    });
    const name = hit.r.def.name;
    const context = new InvocationContext({
      invocationId: randomUUID(),
      functionName: name,
      logHandler: this.options.logHandler(name),
    });
    this.options.stats.invocations[name] = (this.options.stats.invocations[name] ?? 0) + 1;
    const response = await hit.r.def.handler(request, context);
    // A write is answered once it is durable: a 202 means the scan survives a kill.
    if (method !== 'GET' && method !== 'HEAD') await this.options.checkpoint?.flush(true);
    send(res, response);
  }
}

function send(res: http.ServerResponse, response: HttpResponseInit): void {
  const headers: Record<string, string> = {};
  new Headers(response.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => {
    headers[k] = v;
  });
  let body: string | Buffer = '';
  if (response.jsonBody !== undefined) {
    // Compact, as the Functions host sends jsonBody: indenting the 12 MB graph answer cost 0.8 s.
    body = JSON.stringify(response.jsonBody);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  } else if (typeof response.body === 'string') {
    body = response.body;
  } else if (response.body instanceof Uint8Array) {
    body = Buffer.from(response.body);
  }
  res.writeHead(response.status ?? 200, headers);
  res.end(body);
}
