import type { HttpResponseInit } from '@azure/functions';
import { classifyError } from '../errors/classifyError';
import { isTopDeckError } from '../errors/TopDeckError';
import type { Logger } from '../telemetry/logger';

export function json(status: number, body: unknown, headers?: Record<string, string>): HttpResponseInit {
  return { status, jsonBody: body, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } };
}

export function errorResponse(status: number, code: string, message: string): HttpResponseInit {
  return json(status, { error: { code, message } });
}

/** Anything thrown at the HTTP boundary becomes `{error:{code,message}}` with the right status. */
export function errorToResponse(error: unknown, logger: Logger): HttpResponseInit {
  if (isTopDeckError(error) && error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return errorResponse(error.statusCode, error.code, error.message);
  }
  const e = classifyError(error);
  logger.error('request failed', { errorCode: e.code, error: e.message, statusCode: e.statusCode });
  if (e.transient) {
    return errorResponse(503, 'ServiceUnavailable', 'a dependency of TopDeck is unavailable right now; try again shortly');
  }
  return errorResponse(500, 'InternalError', 'TopDeck failed to answer this request; the log has the details');
}
