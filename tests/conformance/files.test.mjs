// files.{create, retrieve, list, delete, content, waitForProcessing}:
// multipart uploads in both field orders, list pagination, byte-exact
// downloads and the upload size limit (413).
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { MAX_UPLOAD_MB, startEnv } from './lib/harness.mjs';
import { REPO_ROOT, collect, rejectsWith, repoFile, textUpload } from './lib/util.mjs';

describe('files', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv({ projects: ['conf-files-list'] });
  });
  after(() => env?.stop());

  it('create with the file part first ({file, purpose}, as the SDK sends it), retrieve, delete', async () => {
    const text = 'The intake filter must be replaced every 400 operating hours.\n';
    const created = await env.a.files.create({ file: await textUpload('notes.txt', text), purpose: 'assistants' });
    assert.match(created.id, /^file-/);
    assert.equal(created.object, 'file');
    assert.equal(created.filename, 'notes.txt');
    assert.equal(created.purpose, 'assistants');
    assert.equal(created.bytes, Buffer.byteLength(text));
    assert.equal(typeof created.created_at, 'number');
    assert.ok(created.created_at < 1e11, 'created_at is in seconds');

    const got = await env.a.files.retrieve(created.id);
    assert.equal(got.id, created.id);
    assert.equal(got.filename, 'notes.txt');
    assert.equal(got.bytes, created.bytes);

    const deleted = await env.a.files.delete(created.id);
    assert.deepEqual(deleted, { id: created.id, object: 'file', deleted: true });
    await rejectsWith(env.a.files.retrieve(created.id), OpenAI.NotFoundError, {
      status: 404,
      message: `No such File object: ${created.id}`,
    });
  });

  it('create with the purpose part first; expires_after', async () => {
    const created = await env.a.files.create({
      purpose: 'user_data',
      expires_after: { anchor: 'created_at', seconds: 3600 },
      file: await textUpload('first.txt', 'purpose came first'),
    });
    assert.equal(created.purpose, 'user_data');
    assert.equal(created.filename, 'first.txt');
    assert.equal(created.expires_at, created.created_at + 3600);
  });

  it('content returns the exact bytes (a PDF streamed from disk)', async () => {
    const pdf = await repoFile('examples/pump-manual.pdf');
    const created = await env.a.files.create({
      file: createReadStream(`${REPO_ROOT}examples/pump-manual.pdf`),
      purpose: 'assistants',
    });
    assert.equal(created.filename, 'pump-manual.pdf');
    assert.equal(created.bytes, pdf.length);
    const response = await env.a.files.content(created.id);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.ok(bytes.equals(pdf), 'downloaded bytes equal the upload');

    const binary = Buffer.from([0, 1, 2, 255, 254, 13, 10, 0]);
    const raw = await env.a.files.create({ file: await toFile(binary, 'raw.bin'), purpose: 'assistants' });
    assert.ok(Buffer.from(await (await env.a.files.content(raw.id)).arrayBuffer()).equals(binary));
  });

  it(
    'a multipart body ending at its close delimiter, without CRLF (as Node 18 fetch sends it)',
    async () => {
      // RFC 2046: the CRLF after the close delimiter is optional. undici 5
      // (Node 18's fetch, Debian 12) omits it; Node 20+ sends it.
      const boundary = 'conformance-boundary';
      const body = Buffer.from(
        [
          `--${boundary}`,
          'Content-Disposition: form-data; name="purpose"',
          '',
          'assistants',
          `--${boundary}`,
          'Content-Disposition: form-data; name="file"; filename="t.txt"',
          'Content-Type: text/plain',
          '',
          'hello',
          `--${boundary}--`,
        ].join('\r\n'),
      );
      const file = await env.a.post('/files', {
        body,
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      });
      assert.equal(file.filename, 't.txt');
      assert.equal(file.bytes, 5);
    },
  );

  it('non-ASCII and awkward filenames round-trip', async () => {
    for (const name of ['données ü 東京.txt', 'semi;colon=x.txt', 'émoji 🚀.md']) {
      const created = await env.a.files.create({ file: await textUpload(name, 'x'), purpose: 'assistants' });
      assert.equal(created.filename, name);
      assert.equal((await env.a.files.retrieve(created.id)).filename, name);
    }
  });

  it('waitForProcessing ends at processed', async () => {
    const created = await env.a.files.create({ file: await textUpload('wait.txt', 'hello'), purpose: 'assistants' });
    const file = await env.a.files.waitForProcessing(created.id, { pollInterval: 50, maxWait: 30_000 });
    assert.equal(file.status, 'processed');
  });

  it('list: purpose filter, limit/after/has_more and for await in both orders', async () => {
    const c = env.clients['conf-files-list'];
    const ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await c.files.create({ file: await textUpload(`f${i}.txt`, `file ${i}`), purpose: 'assistants' })).id);
    }
    const other = await c.files.create({ file: await textUpload('v.txt', 'vision'), purpose: 'user_data' });

    const asc = await collect(c.files.list({ purpose: 'assistants', order: 'asc', limit: 2 }));
    assert.deepEqual(
      asc.map((f) => f.id),
      ids,
    );
    const desc = await collect(c.files.list({ purpose: 'assistants', limit: 2 }));
    assert.deepEqual(
      desc.map((f) => f.id),
      [...ids].reverse(),
    );
    const all = await collect(c.files.list());
    assert.deepEqual(all.map((f) => f.id).sort(), [...ids, other.id].sort());

    // One page as JSON (the SDK's page object keeps only data and has_more).
    const raw = await (await c.files.list({ purpose: 'assistants', order: 'asc', limit: 2 }).asResponse()).json();
    assert.equal(raw.object, 'list');
    assert.deepEqual(
      raw.data.map((f) => f.id),
      ids.slice(0, 2),
    );
    assert.equal(raw.first_id, ids[0]);
    assert.equal(raw.last_id, ids[1]);
    assert.equal(raw.has_more, true);
    const rest = await c.files.list({ purpose: 'assistants', order: 'asc', after: ids[1] });
    assert.deepEqual(
      rest.data.map((f) => f.id),
      ids.slice(2),
    );
    assert.equal(rest.has_more, false);
  });

  it(`an upload over --max_upload_mb (${MAX_UPLOAD_MB} MiB) is 413`, async () => {
    const big = Buffer.alloc(MAX_UPLOAD_MB * 1024 * 1024 + 1024, 'a');
    const error = await rejectsWith(
      env.a.files.create({ file: await toFile(big, 'big.txt'), purpose: 'assistants' }),
      OpenAI.APIError,
      { status: 413 },
    );
    assert.equal(error.error?.type, 'invalid_request_error');
  });
});
