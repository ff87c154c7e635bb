import { RestError, createHttpHeaders, createPipelineRequest } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { classifyError, isTransientStatus, parseRetryAfterMs } from '../../src/errors/classifyError';
import { TopDeckError } from '../../src/errors/TopDeckError';

const NOW = Date.UTC(2015, 9, 21, 7, 28, 0);

function restError(
  status: number | undefined,
  code: string | undefined,
  headers: Record<string, string> = {},
): RestError {
  const request = createPipelineRequest({ url: 'https://management.azure.com/subscriptions/s1' });
  return new RestError(`status ${status}`, {
    statusCode: status,
    code,
    request,
    response: status === undefined ? undefined : { status, headers: createHttpHeaders(headers), request },
  });
}

function systemError(code: string, name = 'Error'): Error {
  const e = new Error(`connect ${code}`) as Error & { code: string };
  e.code = code;
  e.name = name;
  return e;
}

describe('isTransientStatus', () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [599, true],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [409, false],
    [200, false],
  ])('%i → %s', (status, transient) => {
    expect(isTransientStatus(status)).toBe(transient);
  });
});

describe('parseRetryAfterMs', () => {
  it.each<[string, Record<string, unknown> | undefined, number | undefined]>([
    ['seconds', { 'retry-after': '7' }, 7000],
    ['fractional seconds', { 'Retry-After': '1.5' }, 1500],
    ['zero', { 'retry-after': '0' }, 0],
    ['IMF-fixdate', { 'retry-after': 'Wed, 21 Oct 2015 07:28:30 GMT' }, 30_000],
    ['RFC 850 date', { 'retry-after': 'Wednesday, 21-Oct-15 07:28:10 GMT' }, 10_000],
    ['asctime date (UTC, not local)', { 'retry-after': 'Wed Oct 21 07:28:05 2015' }, 5000],
    ['date in the past', { 'retry-after': 'Wed, 21 Oct 2015 07:00:00 GMT' }, 0],
    ['retry-after-ms', { 'retry-after-ms': '250' }, 250],
    ['x-ms-retry-after-ms', { 'x-ms-retry-after-ms': '1200' }, 1200],
    ['ms header wins over seconds', { 'retry-after': '9', 'x-ms-retry-after-ms': '100' }, 100],
    ['malformed ms header falls through', { 'retry-after-ms': 'soon', 'retry-after': '3' }, 3000],
    ['malformed text', { 'retry-after': 'soon 2' }, undefined],
    ['V8-lenient junk', { 'retry-after': 'foo 1' }, undefined],
    ['negative', { 'retry-after': '-5' }, undefined],
    ['exponent', { 'retry-after': '1e3' }, undefined],
    ['empty', { 'retry-after': '  ' }, undefined],
    ['array value (IncomingHttpHeaders)', { 'retry-after': ['4'] }, 4000],
    ['missing', {}, undefined],
    ['no headers', undefined, undefined],
  ])('%s', (_name, headers, expected) => {
    expect(parseRetryAfterMs(headers, NOW)).toBe(expected);
  });

  it('reads HttpHeaders and fetch Headers through get()', () => {
    expect(parseRetryAfterMs(createHttpHeaders({ 'Retry-After': '2' }), NOW)).toBe(2000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '20' }), NOW)).toBe(20);
  });

  it('never throws on a broken header object', () => {
    const hostile = {
      get: () => {
        throw new Error('boom');
      },
    };
    expect(parseRetryAfterMs(hostile, NOW)).toBeUndefined();
  });
});

describe('classifyError', () => {
  it.each<[string, unknown, { code: string; transient: boolean; statusCode?: number }]>([
    [
      'RestError 429',
      restError(429, 'TooManyRequests'),
      { code: 'TooManyRequests', transient: true, statusCode: 429 },
    ],
    [
      'RestError 503 without code',
      restError(503, undefined),
      { code: 'Http503', transient: true, statusCode: 503 },
    ],
    ['RestError 408', restError(408, undefined), { code: 'Http408', transient: true, statusCode: 408 }],
    [
      'RestError 400',
      restError(400, 'InvalidParameter'),
      { code: 'InvalidParameter', transient: false, statusCode: 400 },
    ],
    [
      'RestError 401',
      restError(401, 'InvalidAuthenticationToken'),
      { code: 'InvalidAuthenticationToken', transient: false, statusCode: 401 },
    ],
    [
      'RestError 403',
      restError(403, 'AuthorizationFailed'),
      { code: 'AuthorizationFailed', transient: false, statusCode: 403 },
    ],
    [
      'RestError 404',
      restError(404, 'ResourceNotFound'),
      { code: 'ResourceNotFound', transient: false, statusCode: 404 },
    ],
    ['RestError 409', restError(409, 'Conflict'), { code: 'Conflict', transient: false, statusCode: 409 }],
    [
      'RestError send error (no status)',
      restError(undefined, 'REQUEST_SEND_ERROR'),
      { code: 'REQUEST_SEND_ERROR', transient: true },
    ],
    [
      'status on response only',
      { message: 'x', response: { status: 502 } },
      { code: 'Http502', transient: true, statusCode: 502 },
    ],
    ['status field', { message: 'x', status: 404 }, { code: 'Http404', transient: false, statusCode: 404 }],
    ['ECONNRESET', systemError('ECONNRESET'), { code: 'ECONNRESET', transient: true }],
    ['ETIMEDOUT', systemError('ETIMEDOUT'), { code: 'ETIMEDOUT', transient: true }],
    ['EAI_AGAIN', systemError('EAI_AGAIN'), { code: 'EAI_AGAIN', transient: true }],
    [
      'undici socket error',
      systemError('UND_ERR_SOCKET', 'SocketError'),
      { code: 'UND_ERR_SOCKET', transient: true },
    ],
    [
      'fetch failed with the code on its cause',
      new TypeError('fetch failed', { cause: systemError('UND_ERR_CONNECT_TIMEOUT', 'ConnectTimeoutError') }),
      { code: 'UND_ERR_CONNECT_TIMEOUT', transient: true },
    ],
    [
      'AggregateError of refused connects',
      Object.assign(new AggregateError([systemError('ECONNREFUSED')], 'x'), {}),
      { code: 'ECONNREFUSED', transient: true },
    ],
    [
      'AbortError',
      Object.assign(new Error('aborted'), { name: 'AbortError' }),
      { code: 'Timeout', transient: true },
    ],
    [
      'TimeoutError (AbortSignal.timeout)',
      new DOMException('timed out', 'TimeoutError'),
      { code: 'Timeout', transient: true },
    ],
    [
      'ZodError',
      Object.assign(new Error('bad input'), { name: 'ZodError' }),
      { code: 'ValidationError', transient: false, statusCode: 400 },
    ],
    ['TypeError', new TypeError('x is not a function'), { code: 'UnexpectedError', transient: false }],
    ['a string', 'plain failure', { code: 'UnexpectedError', transient: false }],
    ['nonsense status', { message: 'x', statusCode: 'abc' }, { code: 'UnexpectedError', transient: false }],
  ])('%s', (_name, error, expected) => {
    const c = classifyError(error);
    expect(c).toBeInstanceOf(TopDeckError);
    expect({ code: c.code, transient: c.transient, statusCode: c.statusCode }).toEqual({
      statusCode: undefined,
      ...expected,
    });
  });

  it('takes Retry-After from a RestError response (HttpHeaders with get)', () => {
    const c = classifyError(restError(429, 'TooManyRequests', { 'Retry-After': '12' }));
    expect(c.retryAfterMs).toBe(12_000);
    expect(c.cause).toBeInstanceOf(RestError);
  });

  it('ignores a malformed Retry-After without failing', () => {
    const c = classifyError(restError(503, undefined, { 'retry-after': 'later, maybe' }));
    expect(c.transient).toBe(true);
    expect(c.retryAfterMs).toBeUndefined();
  });

  it('passes a TopDeckError through and prefixes context otherwise', () => {
    const original = new TopDeckError({ code: 'CircuitOpen', message: 'open', transient: true });
    expect(classifyError(original, 'ignored')).toBe(original);
    expect(classifyError(new Error('boom'), 'listing VMs').message).toBe('listing VMs: boom');
  });

  it('survives a cyclic cause chain', () => {
    const a = new Error('a') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(classifyError(a).code).toBe('UnexpectedError');
  });
});
