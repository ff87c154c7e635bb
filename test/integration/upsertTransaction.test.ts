import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TableClient, type TableEntityResult } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../src/runtime/azurite';
import type { TableEntity } from '../../src/storage/resourceEntity';
import { upsertTransaction } from '../../src/storage/upsertTransaction';

const PK = "sub~microsoft.web~sites~rg-o'neil 100%+&=ü";

/** Entities with the keys and values a transaction must carry exactly. */
function awkwardEntities(): TableEntity[] {
  return [
    { partitionKey: PK, rowKey: "a'b", text: 'x"y\\z\r\nü€😀', n: 7, f: 1.5, yes: true, none: null },
    { partitionKey: PK, rowKey: 'c%20d+e f&g=h', big: 2n ** 40n, when: new Date('2026-01-02T03:04:05.678Z') },
    { partitionKey: PK, rowKey: 'guid', id: { value: '2f1a8e4c-3c1d-4a4b-9d65-1f0c1d2e3f40', type: 'Guid' } },
    { partitionKey: PK, rowKey: 'bin', bytes: new Uint8Array([0, 1, 254, 255]), long: 'L'.repeat(30_000) },
  ];
}

type Row = Record<string, unknown>;
async function rowsOf(table: TableClient): Promise<Row[]> {
  const out: Row[] = [];
  for await (const e of table.listEntities({ disableTypeConversion: true })) {
    const { etag: _e, timestamp: _t, ...rest } = e as TableEntityResult<Row>;
    out.push(rest);
  }
  return out.sort((a, b) => String(a.rowKey).localeCompare(String(b.rowKey)));
}

describe('upsertTransaction against Azurite', () => {
  let azurite: RunningAzurite;
  const table = async (name: string) => {
    const t = TableClient.fromConnectionString(azurite.connectionString, name, {
      allowInsecureConnection: true,
    });
    await t.createTable();
    return t;
  };

  beforeAll(async () => {
    azurite = await startAzurite({ queuePort: 0, tablePort: 0 });
  });
  afterAll(async () => {
    await azurite?.close();
  });

  it("stores exactly what the SDK's own transaction stores: keys, types and values", async () => {
    const viaSdk = await table('viasdk');
    const viaOurs = await table('viaours');
    await viaSdk.submitTransaction(awkwardEntities().map((e) => ['upsert', e, 'Merge']));
    await upsertTransaction(viaOurs, awkwardEntities(), 'Merge');
    const expected = await rowsOf(viaSdk);
    expect(expected).toHaveLength(4);
    expect(await rowsOf(viaOurs)).toEqual(expected);
    // and read back typed, as the SDK gives it
    const bin = await viaOurs.getEntity<Row>(PK, 'bin');
    expect(Buffer.from(bin.bytes as Uint8Array)).toEqual(Buffer.from([0, 1, 254, 255]));
    expect((await viaOurs.getEntity<Row>(PK, "a'b")).text).toBe('x"y\\z\r\nü€😀');
  });

  it('Merge keeps the columns a row has; Replace drops them', async () => {
    const t = await table('modes');
    await upsertTransaction(
      t,
      [
        { partitionKey: 'p', rowKey: '1', a: 1, b: 'old' },
        { partitionKey: 'p', rowKey: '2', a: 2 },
      ],
      'Merge',
    );
    await upsertTransaction(
      t,
      [
        { partitionKey: 'p', rowKey: '1', a: 10 },
        { partitionKey: 'p', rowKey: '3', a: 3 },
      ],
      'Merge',
    );
    expect(await t.getEntity<Row>('p', '1')).toMatchObject({ a: 10, b: 'old' });
    await upsertTransaction(
      t,
      [
        { partitionKey: 'p', rowKey: '1', a: 11 },
        { partitionKey: 'p', rowKey: '2', c: true },
      ],
      'Replace',
    );
    const one = await t.getEntity<Row>('p', '1');
    expect(one.a).toBe(11);
    expect(one.b).toBeUndefined();
    expect((await rowsOf(t)).map((r) => r.rowKey)).toEqual(['1', '2', '3']);
  });

  it('a failing operation fails the whole transaction with its status code and the service message; nothing is written', async () => {
    const t = await table('failing');
    const error = await upsertTransaction(
      t,
      [
        { partitionKey: 'p', rowKey: 'fine', a: 1 },
        { partitionKey: 'p', rowKey: 'too-large', s: 'x'.repeat(70_000) },
      ],
      'Merge',
    ).then(
      () => ({ name: 'resolved', message: '' }),
      (e: unknown) => e as { statusCode?: number; message: string; name: string },
    );
    expect(error).toMatchObject({ name: 'RestError', statusCode: 400 });
    expect(error.message.length).toBeGreaterThan(0);
    expect(await rowsOf(t)).toEqual([]);
  });

  it('refuses a value Table storage cannot hold, naming the property', async () => {
    const t = await table('refuses');
    await expect(
      upsertTransaction(t, [{ partitionKey: 'p', rowKey: '1', nested: { a: 1 } }], 'Merge'),
    ).rejects.toThrow(/property "nested"/);
    expect(await rowsOf(t)).toEqual([]);
  });
});

describe('upsertTransaction on the wire', () => {
  let server: http.Server;
  const seen: Array<{ url: string; auth: string; body: string }> = [];
  let answers: Array<(res: http.ServerResponse, body: string) => void> = [];
  const client = () =>
    TableClient.fromConnectionString(
      `DefaultEndpointsProtocol=http;AccountName=acct;AccountKey=${Buffer.from('key').toString('base64')};` +
        `TableEndpoint=http://127.0.0.1:${(server.address() as AddressInfo).port}/acct;`,
      'things',
      { allowInsecureConnection: true, retryOptions: { maxRetries: 2, retryDelayInMs: 10 } },
    );
  /** A batch answer with one sub-response per status given. */
  const batchAnswer =
    (...statuses: number[]) =>
    (res: http.ServerResponse) => {
      res.writeHead(202, { 'content-type': 'multipart/mixed; boundary=batchresponse_1' });
      const parts = statuses.map(
        (s) =>
          `--changesetresponse_2\r\nContent-Type: application/http\r\n\r\nHTTP/1.1 ${s} Whatever\r\n\r\n`,
      );
      res.end(
        `--batchresponse_1\r\nContent-Type: multipart/mixed; boundary=changesetresponse_2\r\n\r\n${parts.join('')}--changesetresponse_2--\r\n--batchresponse_1--\r\n`,
      );
    };

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', auth: String(req.headers.authorization ?? ''), body });
        (answers.shift() ?? batchAnswer())(res, body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const two: TableEntity[] = [
    { partitionKey: 'p', rowKey: '1', a: 1 },
    { partitionKey: 'p', rowKey: '2', a: 2 },
  ];

  it("goes through the client's pipeline: signed, and retried when the service is busy", async () => {
    seen.length = 0;
    answers = [(res) => res.writeHead(503).end(), batchAnswer(204, 204)];
    await upsertTransaction(client(), two, 'Replace');
    expect(seen).toHaveLength(2);
    expect(seen[1]?.url).toBe('/acct/$batch');
    expect(seen[1]?.auth).toMatch(/^SharedKeyLite acct:/);
    expect(seen[1]?.body).toContain(
      `PUT http://127.0.0.1:${(server.address() as AddressInfo).port}/acct/things(PartitionKey='p',RowKey='2') HTTP/1.1`,
    );
  });

  it('addresses each entity as the SDK does: quotes doubled, then URL-encoded', async () => {
    seen.length = 0;
    answers = [batchAnswer(204)];
    await upsertTransaction(client(), [{ partitionKey: "o'neil", rowKey: '100% a+b ü', a: 1 }], 'Merge');
    expect(seen[0]?.body).toContain(
      `/acct/things(PartitionKey='o''neil',RowKey='100%25%20a%2Bb%20%C3%BC') HTTP/1.1\r\nContent-Type: application/json`,
    );
    expect(seen[0]?.body).toMatch(/^PATCH /m);
  });

  it('fails when any operation fails, and when fewer operations were answered than sent', async () => {
    answers = [batchAnswer(204, 409)];
    await expect(upsertTransaction(client(), two, 'Merge')).rejects.toMatchObject({ statusCode: 409 });
    answers = [batchAnswer(204)];
    await expect(upsertTransaction(client(), two, 'Merge')).rejects.toThrow(
      /expected 2 operation responses, got 1/,
    );
  });
});
