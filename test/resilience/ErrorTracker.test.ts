import { describe, expect, it } from 'vitest';
import { TopDeckError } from '../../src/errors/TopDeckError';
import { ErrorTracker, errorTypeOf } from '../../src/resilience/ErrorTracker';

describe('ErrorTracker', () => {
  it.each<[string, number, number, { errorRate: number; allFailed: boolean }]>([
    ['nothing tracked', 0, 0, { errorRate: 0, allFailed: false }],
    ['all succeeded', 4, 0, { errorRate: 0, allFailed: false }],
    ['some failed', 3, 1, { errorRate: 0.25, allFailed: false }],
    ['all failed', 0, 3, { errorRate: 1, allFailed: true }],
  ])('%s: %i ok, %i failed', (_name, ok, failed, expected) => {
    const tracker = new ErrorTracker();
    for (let i = 0; i < ok; i++) tracker.success(`ok-${i}`);
    for (let i = 0; i < failed; i++) tracker.failure(`bad-${i}`, new Error('x'));
    const s = tracker.summary();
    expect(s).toMatchObject({
      total: ok + failed,
      success: ok,
      failure: failed,
      errorRate: expected.errorRate,
    });
    expect(s.errors).toHaveLength(failed);
    expect(tracker.shouldRaiseAllFailed()).toBe(expected.allFailed);
  });

  it('records itemId, errorType, redacted message and context', () => {
    const tracker = new ErrorTracker();
    tracker.failure(
      '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app',
      new Error('GET failed: Authorization: Bearer eyJhbGciOi.secret.token'),
      { page: 3, connectionString: 'AccountName=a;AccountKey=abc123==' },
    );
    const [e] = tracker.summary().errors;
    expect(e).toEqual({
      itemId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app',
      errorType: 'Error',
      errorMessage: 'GET failed: Authorization: Bearer [REDACTED]',
      context: { page: 3, connectionString: '[REDACTED]' },
    });
  });

  it('keeps at most maxErrors records but counts every failure', () => {
    const tracker = new ErrorTracker({ maxErrors: 2 });
    for (let i = 0; i < 5; i++) tracker.failure(`i${i}`, new Error(`e${i}`));
    const s = tracker.summary();
    expect(s.failure).toBe(5);
    expect(s.errors.map((e) => e.itemId)).toEqual(['i0', 'i1']);
    expect(tracker.groupedSummary()).toEqual([{ errorType: 'Error', count: 5, sample: 'e0' }]);
  });

  it('groups by type, most frequent first, capped', () => {
    const tracker = new ErrorTracker();
    const forbidden = new TopDeckError({
      code: 'AuthorizationFailed',
      message: 'no access to sub-1',
      transient: false,
      statusCode: 403,
    });
    for (let i = 0; i < 3; i++)
      tracker.failure(`a${i}`, Object.assign(new Error('reset'), { code: 'ECONNRESET' }));
    tracker.failure('b', forbidden);
    tracker.failure('c', forbidden);
    tracker.failure('d', new TypeError('undefined is not a function'));
    expect(tracker.groupedSummary()).toEqual([
      { errorType: 'ECONNRESET', count: 3, sample: 'reset' },
      { errorType: 'AuthorizationFailed', count: 2, sample: 'no access to sub-1' },
      { errorType: 'TypeError', count: 1, sample: 'undefined is not a function' },
    ]);
    expect(tracker.groupedSummary(1)).toHaveLength(1);
  });

  it.each<[unknown, string]>([
    [new TopDeckError({ code: 'CircuitOpen', message: 'x', transient: true }), 'CircuitOpen'],
    [Object.assign(new Error('x'), { statusCode: 404 }), 'Http404'],
    [new RangeError('x'), 'RangeError'],
    ['a string', 'string'],
  ])('errorTypeOf(%s) = %s', (error, expected) => {
    expect(errorTypeOf(error)).toBe(expected);
  });
});
