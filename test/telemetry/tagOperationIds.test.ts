import { describe, expect, it } from 'vitest';
import { tagMetricEnvelopes, tagOperationIds, type EnvelopeLike } from '../../src/telemetry/tagOperationIds';

const metric = (properties: Record<string, unknown>, tags: Record<string, string>): EnvelopeLike => ({
  tags,
  data: { baseType: 'MetricData', baseData: { properties } },
});

describe('operation ids on metric envelopes', () => {
  it('moves the operation id dimension into the tag, per envelope (the exporter shares one tags object)', () => {
    const shared = { 'ai.cloud.role': 'topdeck' };
    const a = metric({ correlationId: 's1', 'ai.operation.id': 'op-1' }, shared);
    const b = metric({ correlationId: 's2', 'ai.operation.id': 'op-2' }, shared);
    const c = metric({ operation: 'standard' }, shared);
    tagOperationIds([a, b, c]);
    expect(a.tags).toEqual({ 'ai.cloud.role': 'topdeck', 'ai.operation.id': 'op-1' });
    expect(b.tags).toEqual({ 'ai.cloud.role': 'topdeck', 'ai.operation.id': 'op-2' });
    expect(c.tags).toBe(shared);
    expect(shared).toEqual({ 'ai.cloud.role': 'topdeck' });
    expect(a.data?.baseData?.properties).toEqual({ correlationId: 's1' });
  });

  it('leaves envelopes without properties alone', () => {
    const e: EnvelopeLike = { tags: {} };
    tagOperationIds([e, { data: {} }]);
    expect(e).toEqual({ tags: {} });
  });

  it('hooks the exporter sender, passing every argument on', async () => {
    const sent: unknown[][] = [];
    const exporter = { _sender: { exportEnvelopes: async (...args: unknown[]) => void sent.push(args) } };
    expect(tagMetricEnvelopes(exporter)).toBe(true);
    const e = metric({ 'ai.operation.id': 'op-9' }, {});
    await exporter._sender.exportEnvelopes([e], true, 2);
    expect(sent).toEqual([[[e], true, 2]]);
    expect(e.tags).toEqual({ 'ai.operation.id': 'op-9' });
  });

  it('reports an exporter it cannot hook', () => {
    expect(tagMetricEnvelopes({})).toBe(false);
    expect(tagMetricEnvelopes({ _sender: {} })).toBe(false);
  });
});
