/**
 * The faults the emulator answers with before serving a request: the rules tests and benchmarks
 * add (first match wins, each for its count), then random throttling and server errors at the
 * configured rates, each shaped like Azure's own reply so the SDK handles it as the real one.
 */
import { armError, faultScope, type Reply, type RouteMatch } from './armRequest';
import { compileRule, defaultErrorCode, defaultErrorMessage, type ActiveRule } from './faultRule';
import { mixSeed, Prng } from './prng';
import type { ArmEmulatorOptions, EmulatorStats, FaultRule } from './types';

/** The request as the rules match it. */
export interface FaultRequest {
  pathname: string;
  /** 1-based page (a list's skip token, a Resource Graph query's body); undefined for a bad token */
  page: number | undefined;
  body: unknown;
  statusOnly: boolean;
  route: RouteMatch;
  requestId: string;
}

export interface InjectedFault {
  /** the emulator's counter it adds to */
  counter: keyof Pick<EmulatorStats, 'faults' | 'throttled' | 'errors'>;
  reply: Reply;
}

function checkRate(name: string, value: number | undefined): number {
  const v = value ?? 0;
  if (!(v >= 0 && v <= 1)) throw new RangeError(`${name} must be between 0 and 1 (got ${String(value)})`);
  return v;
}

export class FaultInjector {
  private readonly throttleRate: number;
  private readonly errorRate: number;
  private readonly retryAfterSeconds: number;
  private readonly rng: Prng;
  private rules: ActiveRule[] = [];

  constructor(options: ArmEmulatorOptions, seed: number) {
    this.throttleRate = checkRate('throttleRate', options.throttleRate);
    this.errorRate = checkRate('errorRate', options.errorRate);
    this.retryAfterSeconds = Math.max(0, options.retryAfterSeconds ?? 1);
    this.rng = new Prng(mixSeed(seed, 0xfa017));
  }

  add(rule: FaultRule): void {
    this.rules.push(compileRule(rule));
  }

  clear(): void {
    this.rules = [];
  }

  /** The fault to answer `request` with, or undefined to serve it. */
  inject(request: FaultRequest): InjectedFault | undefined {
    const { pathname, route, requestId } = request;
    // fault rules first, in the order they were added
    for (const active of this.rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (!active.regex.test(pathname)) continue;
      if (rule.page !== undefined && rule.page !== request.page) continue;
      if (rule.body && !rule.body.test(JSON.stringify(request.body ?? null))) continue;
      if (rule.statusOnly !== undefined && rule.statusOnly !== request.statusOnly) continue;
      active.remaining--;
      this.rules = this.rules.filter((r) => r.remaining > 0);
      if (rule.reset) return { counter: 'faults', reply: { status: rule.status, reset: true } };
      const code = rule.code ?? defaultErrorCode(rule.status);
      const headers: Record<string, string> = {};
      const retryAfter = rule.retryAfterSeconds ?? (rule.status === 429 ? this.retryAfterSeconds : undefined);
      if ((rule.status === 429 || rule.status === 503) && retryAfter !== undefined && retryAfter >= 0) {
        headers['retry-after'] = String(Math.ceil(retryAfter));
      }
      if (rule.status === 429) headers['x-ms-ratelimit-remaining-subscription-reads'] = '0';
      const message = rule.message ?? defaultErrorMessage(code, faultScope(route), pathname, requestId);
      return { counter: 'faults', reply: armError(rule.status, code, message, headers) };
    }

    // Random faults, in Azure's shape: a 429 or (half each) a 503 or a 500.
    const random = (
      counter: InjectedFault['counter'],
      status: number,
      code: string,
      headers?: Record<string, string>,
    ): InjectedFault => ({
      counter,
      reply: armError(
        status,
        code,
        defaultErrorMessage(code, faultScope(route), pathname, requestId),
        headers,
      ),
    });
    const retryAfter = { 'retry-after': String(Math.ceil(this.retryAfterSeconds)) };
    if (this.throttleRate > 0 && this.rng.chance(this.throttleRate))
      return random('throttled', 429, 'TooManyRequests', {
        ...retryAfter,
        'x-ms-ratelimit-remaining-subscription-reads': '0',
      });
    if (this.errorRate > 0 && this.rng.chance(this.errorRate))
      return this.rng.chance(0.5)
        ? random('errors', 503, 'ServiceUnavailable', retryAfter)
        : random('errors', 500, 'InternalServerError');
    return undefined;
  }
}
