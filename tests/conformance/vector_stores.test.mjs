// vectorStores.{create, retrieve, update, list, delete, search},
// vectorStores.files.{create, retrieve, update, list, delete, content,
// createAndPoll, poll, upload, uploadAndPoll} and
// vectorStores.fileBatches.{create, retrieve, cancel, listFiles, poll,
// createAndPoll, uploadAndPoll}.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { startEnv } from './lib/harness.mjs';
import { POLL_MS, collect, rejectsWith, textUpload } from './lib/util.mjs';

const poll = { pollIntervalMs: POLL_MS };

const PUMP = 'The intake filter must be replaced every 400 operating hours. Dry running voids the warranty.';
const GARDEN = 'Tomatoes need six hours of direct sunlight and deep watering twice a week.';

describe('vector stores', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv({ projects: ['conf-vs-list'] });
  });
  after(() => env?.stop());

  const upload = async (name, text) =>
    env.a.files.create({ file: await textUpload(name, text), purpose: 'assistants' });

  it('create, retrieve, update, list, delete', async () => {
    const c = env.clients['conf-vs-list'];
    const store = await c.vectorStores.create({ name: 'docs', metadata: { k: 'v' } });
    assert.match(store.id, /^vs_/);
    assert.equal(store.object, 'vector_store');
    assert.equal(store.name, 'docs');
    assert.deepEqual(store.metadata, { k: 'v' });
    assert.equal(store.status, 'completed');
    assert.deepEqual(store.file_counts, { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 });
    assert.equal(store.usage_bytes, 0);

    assert.deepEqual(await c.vectorStores.retrieve(store.id), store);
    const updated = await c.vectorStores.update(store.id, {
      name: 'renamed',
      metadata: { k: 'w' },
      expires_after: { anchor: 'last_active_at', days: 7 },
    });
    assert.equal(updated.name, 'renamed');
    assert.deepEqual(updated.metadata, { k: 'w' });
    assert.deepEqual(updated.expires_after, { anchor: 'last_active_at', days: 7 });
    assert.equal(typeof updated.expires_at, 'number');

    const more = [];
    for (let i = 0; i < 4; i++) more.push((await c.vectorStores.create({ name: `s${i}` })).id);
    const asc = await collect(c.vectorStores.list({ order: 'asc', limit: 2 }));
    assert.deepEqual(
      asc.map((s) => s.id),
      [store.id, ...more],
    );
    const desc = await collect(c.vectorStores.list({ limit: 3 }));
    assert.deepEqual(
      desc.map((s) => s.id),
      [store.id, ...more].reverse(),
    );

    const deleted = await c.vectorStores.delete(store.id);
    assert.deepEqual(deleted, { id: store.id, object: 'vector_store.deleted', deleted: true });
    await rejectsWith(c.vectorStores.retrieve(store.id), OpenAI.NotFoundError, {
      message: `No vector store found with id '${store.id}'.`,
    });
  });

  it('files: create, createAndPoll, retrieve, update attributes, list with filter, content, delete', async () => {
    const store = await env.a.vectorStores.create({ name: 'files' });
    const pump = await upload('pump.txt', PUMP);
    const garden = await upload('garden.txt', GARDEN);

    const attached = await env.a.vectorStores.files.create(store.id, {
      file_id: pump.id,
      attributes: { lang: 'en', pages: 1 },
      chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 } },
    });
    assert.equal(attached.id, pump.id);
    assert.equal(attached.object, 'vector_store.file');
    assert.equal(attached.vector_store_id, store.id);
    assert.ok(['in_progress', 'completed'].includes(attached.status), attached.status);
    const ready = await env.a.vectorStores.files.poll(store.id, pump.id, poll);
    assert.equal(ready.status, 'completed');
    assert.equal(ready.last_error, null);
    assert.ok(ready.usage_bytes > 0);
    assert.deepEqual(ready.attributes, { lang: 'en', pages: 1 });
    assert.deepEqual(ready.chunking_strategy, {
      type: 'static',
      static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 50 },
    });

    const second = await env.a.vectorStores.files.createAndPoll(store.id, { file_id: garden.id }, poll);
    assert.equal(second.status, 'completed');
    assert.deepEqual(second.chunking_strategy, {
      type: 'static',
      static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 },
    });

    const got = await env.a.vectorStores.files.retrieve(pump.id, { vector_store_id: store.id });
    assert.equal(got.status, 'completed');
    const updated = await env.a.vectorStores.files.update(pump.id, {
      vector_store_id: store.id,
      attributes: { lang: 'de', reviewed: true },
    });
    assert.deepEqual(updated.attributes, { lang: 'de', reviewed: true });

    const completed = await collect(env.a.vectorStores.files.list(store.id, { filter: 'completed', limit: 1 }));
    assert.deepEqual(completed.map((f) => f.id).sort(), [pump.id, garden.id].sort());
    assert.deepEqual(await collect(env.a.vectorStores.files.list(store.id, { filter: 'failed' })), []);
    const counted = await env.a.vectorStores.retrieve(store.id);
    assert.equal(counted.file_counts.completed, 2);
    assert.equal(counted.file_counts.total, 2);

    const pages = await collect(env.a.vectorStores.files.content(pump.id, { vector_store_id: store.id }));
    assert.ok(pages.length > 0);
    assert.ok(pages.every((p) => p.type === 'text'));
    assert.match(pages.map((p) => p.text).join('\n'), /400 operating hours/);

    const detached = await env.a.vectorStores.files.delete(garden.id, { vector_store_id: store.id });
    assert.deepEqual(detached, { id: garden.id, object: 'vector_store.file.deleted', deleted: true });
    await rejectsWith(
      env.a.vectorStores.files.retrieve(garden.id, { vector_store_id: store.id }),
      OpenAI.NotFoundError,
    );
    assert.equal((await env.a.files.retrieve(garden.id)).id, garden.id, 'detaching keeps the file');

    // Deleting the file itself removes it from every store.
    await env.a.files.delete(pump.id);
    await rejectsWith(env.a.vectorStores.files.retrieve(pump.id, { vector_store_id: store.id }), OpenAI.NotFoundError);
  });

  it('create with file_ids; upload and uploadAndPoll', async () => {
    const pump = await upload('pump.txt', PUMP);
    const store = await env.a.vectorStores.create({ name: 'with files', file_ids: [pump.id] });
    assert.equal(store.file_counts.total, 1);
    await env.a.vectorStores.files.poll(store.id, pump.id, poll);

    const uploaded = await env.a.vectorStores.files.upload(store.id, await textUpload('garden.txt', GARDEN));
    assert.match(uploaded.id, /^file-/);
    assert.equal((await env.a.files.retrieve(uploaded.id)).purpose, 'assistants');
    const polled = await env.a.vectorStores.files.poll(store.id, uploaded.id, poll);
    assert.equal(polled.status, 'completed');

    const third = await env.a.vectorStores.files.uploadAndPoll(
      store.id,
      await textUpload('third.txt', 'A third document about bicycles.'),
      poll,
    );
    assert.equal(third.status, 'completed');
    const done = await env.a.vectorStores.retrieve(store.id);
    assert.equal(done.file_counts.completed, 3);
  });

  it('tool_resources: the vector_stores helper creates a store; ids can be swapped by update', async () => {
    const pump = await upload('pump.txt', PUMP);
    const thread = await env.a.beta.threads.create({
      tool_resources: { file_search: { vector_stores: [{ file_ids: [pump.id], metadata: { made: 'by helper' } }] } },
    });
    const [storeId] = thread.tool_resources.file_search.vector_store_ids;
    assert.match(storeId, /^vs_/);
    const store = await env.a.vectorStores.retrieve(storeId);
    assert.deepEqual(store.metadata, { made: 'by helper' });
    assert.equal((await env.a.vectorStores.files.poll(storeId, pump.id, poll)).status, 'completed');

    const other = await env.a.vectorStores.create({ name: 'other' });
    const assistant = await env.a.beta.assistants.create({
      model: 'assistd-extractive',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_stores: [{ file_ids: [pump.id] }] } },
    });
    assert.match(assistant.tool_resources.file_search.vector_store_ids[0], /^vs_/);
    const updated = await env.a.beta.assistants.update(assistant.id, {
      tool_resources: { file_search: { vector_store_ids: [other.id] } },
    });
    assert.deepEqual(updated.tool_resources.file_search.vector_store_ids, [other.id]);
    const updatedThread = await env.a.beta.threads.update(thread.id, {
      tool_resources: { file_search: { vector_store_ids: [other.id] } },
    });
    assert.deepEqual(updatedThread.tool_resources.file_search.vector_store_ids, [other.id]);
  });

  it('a file that cannot be parsed fails with last_error', async () => {
    const store = await env.a.vectorStores.create({ name: 'bad' });
    const junk = await env.a.files.create({
      file: await toFile(Buffer.from('%PDF-1.7 this is not really a PDF'), 'broken.pdf'),
      purpose: 'assistants',
    });
    const failed = await env.a.vectorStores.files.createAndPoll(store.id, { file_id: junk.id }, poll);
    assert.equal(failed.status, 'failed');
    assert.ok(
      ['invalid_file', 'unsupported_file', 'server_error'].includes(failed.last_error?.code),
      JSON.stringify(failed.last_error),
    );
    const listed = await collect(env.a.vectorStores.files.list(store.id, { filter: 'failed' }));
    assert.deepEqual(
      listed.map((f) => f.id),
      [junk.id],
    );
  });

  it('search: results with file, score, content; attribute filters', async () => {
    const store = await env.a.vectorStores.create({ name: 'search' });
    const pump = await upload('pump.txt', PUMP);
    const garden = await upload('garden.txt', GARDEN);
    await env.a.vectorStores.files.createAndPoll(store.id, { file_id: pump.id, attributes: { topic: 'pump' } }, poll);
    await env.a.vectorStores.files.createAndPoll(
      store.id,
      { file_id: garden.id, attributes: { topic: 'garden' } },
      poll,
    );

    const results = await collect(
      env.a.vectorStores.search(store.id, {
        query: 'How often must the intake filter be replaced?',
        max_num_results: 2,
      }),
    );
    assert.ok(results.length >= 1);
    const [best] = results;
    assert.equal(best.file_id, pump.id);
    assert.equal(best.filename, 'pump.txt');
    assert.ok(best.score > 0 && best.score <= 1, `score ${best.score}`);
    assert.deepEqual(best.attributes, { topic: 'pump' });
    assert.equal(best.content[0].type, 'text');
    assert.match(best.content.map((c) => c.text).join(' '), /400 operating hours/);

    // As JSON: the SDK's page object keeps only data.
    const page = await (
      await env.a.vectorStores
        .search(store.id, { query: 'watering', filters: { type: 'eq', key: 'topic', value: 'garden' } })
        .asResponse()
    ).json();
    assert.equal(page.object, 'vector_store.search_results.page');
    assert.equal(page.has_more, false);
    assert.deepEqual(page.search_query, ['watering']);
    assert.ok(page.data.length >= 1);
    assert.ok(page.data.every((r) => r.file_id === garden.id));

    const compound = await collect(
      env.a.vectorStores.search(store.id, {
        query: ['filter', 'watering'],
        filters: {
          type: 'or',
          filters: [
            { type: 'eq', key: 'topic', value: 'pump' },
            { type: 'in', key: 'topic', value: ['nothing', 'other'] },
          ],
        },
        ranking_options: { score_threshold: 0 },
      }),
    );
    assert.ok(compound.length >= 1);
    assert.ok(compound.every((r) => r.file_id === pump.id));
  });

  it('fileBatches: create, retrieve, listFiles, poll, createAndPoll (both forms), uploadAndPoll, cancel', async () => {
    const store = await env.a.vectorStores.create({ name: 'batches' });
    const pump = await upload('pump.txt', PUMP);
    const garden = await upload('garden.txt', GARDEN);

    const batch = await env.a.vectorStores.fileBatches.create(store.id, { file_ids: [pump.id, garden.id] });
    assert.match(batch.id, /^vsfb_/);
    assert.equal(batch.object, 'vector_store.files_batch');
    assert.equal(batch.vector_store_id, store.id);
    assert.equal(batch.file_counts.total, 2);
    const got = await env.a.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: store.id });
    assert.equal(got.id, batch.id);
    const done = await env.a.vectorStores.fileBatches.poll(store.id, batch.id, poll);
    assert.equal(done.status, 'completed');
    assert.equal(done.file_counts.completed, 2);
    const listed = await collect(
      env.a.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id, filter: 'completed', limit: 1 }),
    );
    assert.deepEqual(listed.map((f) => f.id).sort(), [pump.id, garden.id].sort());

    // The `files` form: attributes and chunking per file.
    const third = await upload('third.txt', 'Bicycles need chain oil every 300 kilometres.');
    const small = { type: 'static', static: { max_chunk_size_tokens: 100, chunk_overlap_tokens: 0 } };
    const polled = await env.a.vectorStores.fileBatches.createAndPoll(
      store.id,
      { files: [{ file_id: third.id, attributes: { topic: 'bikes' }, chunking_strategy: small }] },
      poll,
    );
    assert.equal(polled.status, 'completed');
    const thirdInStore = await env.a.vectorStores.files.retrieve(third.id, { vector_store_id: store.id });
    assert.deepEqual(thirdInStore.attributes, { topic: 'bikes' });
    assert.deepEqual(thirdInStore.chunking_strategy, small);

    const uploaded = await env.a.vectorStores.fileBatches.uploadAndPoll(
      store.id,
      { files: [await textUpload('u1.txt', 'Upload one.'), await textUpload('u2.txt', 'Upload two.')], fileIds: [] },
      poll,
    );
    assert.equal(uploaded.status, 'completed');
    assert.equal(uploaded.file_counts.completed, 2);
    assert.equal((await env.a.vectorStores.retrieve(store.id)).file_counts.completed, 5);

    // Cancel right after create: the batch either stops (cancelled) or had
    // already finished, and then the cancel is a 400 (as for a finished
    // run); either way it ends in a terminal status.
    const many = [];
    for (let i = 0; i < 4; i++) many.push((await upload(`c${i}.txt`, `${PUMP} ${i}`)).id);
    const toCancel = await env.a.vectorStores.fileBatches.create(store.id, { file_ids: many });
    try {
      const cancelled = await env.a.vectorStores.fileBatches.cancel(toCancel.id, { vector_store_id: store.id });
      assert.equal(cancelled.id, toCancel.id);
      assert.ok(['in_progress', 'cancelled'].includes(cancelled.status), cancelled.status);
    } catch (error) {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.match(error.message, /already completed/);
    }
    const end = await env.a.vectorStores.fileBatches.poll(store.id, toCancel.id, poll);
    assert.ok(['cancelled', 'completed'].includes(end.status), end.status);
    const counts = end.file_counts;
    assert.equal(counts.completed + counts.cancelled + counts.failed, counts.total);
  });
});
