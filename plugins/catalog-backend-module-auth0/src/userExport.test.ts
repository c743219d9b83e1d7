import { gzipSync, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { readLines, redactUrl } from './userExport';

function body(...chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function collect(lines: AsyncIterable<string>): Promise<string[]> {
  const result: string[] = [];
  for await (const line of lines) result.push(line);
  return result;
}

const ndjson = '{"user_id":"auth0|a"}\n{"user_id":"auth0|b"}\n';

describe('readLines', () => {
  it('reads a gzipped body line by line', async () => {
    expect(await collect(readLines(body(gzipSync(ndjson))))).toEqual([
      '{"user_id":"auth0|a"}',
      '{"user_id":"auth0|b"}',
    ]);
  });

  it('reads a body that is already decoded, with CRLF and without a last newline', async () => {
    expect(
      await collect(readLines(body(Buffer.from('one\r\ntwo\r\nthree')))),
    ).toEqual(['one', 'two', 'three']);
  });

  it('keeps characters whose bytes arrive in two chunks', async () => {
    const bytes = Buffer.from('{"name":"Zoë"}\n');
    const split = bytes.indexOf(0xc3) + 1;
    expect(
      await collect(
        readLines(body(bytes.subarray(0, split), bytes.subarray(split))),
      ),
    ).toEqual(['{"name":"Zoë"}']);
  });

  it('reads nothing from an empty body', async () => {
    expect(await collect(readLines(body()))).toEqual([]);
  });

  it('fails on a truncated gzip file', async () => {
    const gzipped = gzipSync(ndjson.repeat(100));
    await expect(
      collect(readLines(body(gzipped.subarray(0, gzipped.length - 20)))),
    ).rejects.toThrow(/unexpected end of file/);
  });

  it('fails when the body fails midway', async () => {
    const gzipped = gzipSync(ndjson.repeat(1000));
    let sent = false;
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) {
          controller.error(new Error('connection reset'));
        } else {
          sent = true;
          controller.enqueue(gzipped.subarray(0, 100));
        }
      },
    });
    await expect(collect(readLines(failing))).rejects.toThrow(
      'connection reset',
    );
  });

  it('reads as the body arrives, never holding the whole file', async () => {
    // A 100,000-user export, gzipped as it is pulled: reading the first lines must not pull it all.
    const userLine = (i: number) =>
      `{"user_id":"auth0|${i}","email":"user${i}@example.com","padding":"${i
        .toString(36)
        .repeat(20)}"}\n`;
    const users = Readable.from(
      (function* lines() {
        for (let i = 0; i < 100_000; i++) yield userLine(i);
      })(),
    ).pipe(createGzip());
    let pulledBytes = 0;
    const iterator = users[Symbol.asyncIterator]();
    const source = new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
          } else {
            pulledBytes += next.value.length;
            controller.enqueue(next.value);
          }
        },
      },
      { highWaterMark: 0 },
    );
    const first: string[] = [];
    for await (const line of readLines(source)) {
      first.push(line);
      if (first.length === 3) break;
    }
    expect(first[2]).toContain('"auth0|2"');
    const wholeFile = gzipSync(
      Array.from({ length: 100_000 }, (_, i) => userLine(i)).join(''),
    ).length;
    expect(pulledBytes).toBeLessThan(wholeFile / 10);
  });
});

describe('redactUrl', () => {
  it('drops the query of a signed URL', () => {
    expect(
      redactUrl(
        'https://bucket.s3.amazonaws.com/tenant/job_1.json.gz?X-Amz-Signature=secret',
      ),
    ).toBe('https://bucket.s3.amazonaws.com/tenant/job_1.json.gz');
  });
});
