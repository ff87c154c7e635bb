import type { HttpResponseInit } from '@azure/functions';
import { classifyError } from '../errors/classifyError';
import { isTopDeckError } from '../errors/TopDeckError';
import type { Logger } from '../telemetry/logger';
import { redactText } from '../telemetry/redact';

export function json(status: number, body: unknown, headers?: Record<string, string>): HttpResponseInit {
  return {
    status,
    jsonBody: body,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  };
}

export function errorResponse(status: number, code: string, message: string): HttpResponseInit {
  return json(status, { error: { code, message } });
}

/** Errors about the caller's own request; any other 4xx came from a service TopDeck called. */
const CLIENT_ERROR_CODES = new Set(['ValidationError', 'NotFound']);

/**
 * Anything thrown at the HTTP boundary becomes `{error:{code,message}}` with the right status:
 * 400/404 for the caller's input, 502 when a service TopDeck depends on refused it (e.g. Resource
 * Manager answered 403 while listing subscriptions), 503 when it is unavailable, else 500.
 */
export function errorToResponse(error: unknown, logger: Logger): HttpResponseInit {
  if (isTopDeckError(error) && error.statusCode && CLIENT_ERROR_CODES.has(error.code)) {
    return errorResponse(error.statusCode, error.code, error.message);
  }
  const e = classifyError(error);
  logger.error('request failed', { errorCode: e.code, error: e.message, statusCode: e.statusCode });
  if (e.transient) {
    return errorResponse(
      503,
      'ServiceUnavailable',
      'a dependency of TopDeck is unavailable right now; try again shortly',
    );
  }
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) {
    return errorResponse(
      502,
      'UpstreamError',
      `a service TopDeck called refused the request (${e.statusCode} ${e.code}): ${redactText(e.message)}`,
    );
  }
  return errorResponse(
    500,
    'InternalError',
    'TopDeck failed to answer this request; the log has the details',
  );
}
