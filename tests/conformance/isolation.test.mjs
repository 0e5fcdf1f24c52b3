// Cross-project isolation: every object project conf-a creates is
// NotFoundError (404) for project conf-b's key, for reads, writes and deletes,
// and never appears in conf-b's lists.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startEnv } from './lib/harness.mjs';
import { POLL_MS, collect, rejectsWith, textUpload } from './lib/util.mjs';

describe('isolation', { concurrency: true }, () => {
  let env;
  let ids; // objects of project conf-a
  before(async () => {
    env = await startEnv();
    const { a } = env;
    const file = await a.files.create({
      file: await textUpload('secret.txt', 'The vault code of project A is 7341.'),
      purpose: 'assistants',
    });
    const store = await a.vectorStores.create({ name: 'a-store' });
    const batch = await a.vectorStores.fileBatches.createAndPoll(
      store.id,
      { file_ids: [file.id] },
      { pollIntervalMs: POLL_MS },
    );
    const assistant = await a.beta.assistants.create({ model: 'assistd-extractive', name: 'a-assistant' });
    const run = await a.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'What can you do?' }] } },
      { pollIntervalMs: POLL_MS },
    );
    assert.equal(run.status, 'completed');
    const [message] = await collect(a.beta.threads.messages.list(run.thread_id));
    const [step] = await collect(a.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id }));
    ids = {
      file: file.id,
      store: store.id,
      batch: batch.id,
      assistant: assistant.id,
      thread: run.thread_id,
      run: run.id,
      message: message.id,
      step: step.id,
    };
  });
  after(() => env?.stop());

  // Each read of a conf-a object, made with a client.
  const reads = (c) => ({
    assistant: () => c.beta.assistants.retrieve(ids.assistant),
    thread: () => c.beta.threads.retrieve(ids.thread),
    message: () => c.beta.threads.messages.retrieve(ids.message, { thread_id: ids.thread }),
    messages: () => c.beta.threads.messages.list(ids.thread),
    run: () => c.beta.threads.runs.retrieve(ids.run, { thread_id: ids.thread }),
    runs: () => c.beta.threads.runs.list(ids.thread),
    step: () => c.beta.threads.runs.steps.retrieve(ids.step, { thread_id: ids.thread, run_id: ids.run }),
    steps: () => c.beta.threads.runs.steps.list(ids.run, { thread_id: ids.thread }),
    file: () => c.files.retrieve(ids.file),
    'file content': () => c.files.content(ids.file),
    'vector store': () => c.vectorStores.retrieve(ids.store),
    'vector store file': () => c.vectorStores.files.retrieve(ids.file, { vector_store_id: ids.store }),
    'vector store files': () => c.vectorStores.files.list(ids.store),
    'vector store file content': () => c.vectorStores.files.content(ids.file, { vector_store_id: ids.store }),
    batch: () => c.vectorStores.fileBatches.retrieve(ids.batch, { vector_store_id: ids.store }),
    'batch files': () => c.vectorStores.fileBatches.listFiles(ids.batch, { vector_store_id: ids.store }),
    search: () => c.vectorStores.search(ids.store, { query: 'vault code' }),
  });

  it('every read of another project is NotFoundError; the owner still reads it', async () => {
    const mine = reads(env.a);
    const theirs = reads(env.b);
    for (const [what, read] of Object.entries(theirs)) {
      await assert.doesNotReject(mine[what](), `project A reads its ${what}`);
      const error = await rejectsWith(read(), OpenAI.NotFoundError, { status: 404 });
      assert.doesNotMatch(error.message, /conf-a/, `the ${what} 404 does not name the owner`);
    }
  });

  it('writes and deletes across projects are NotFoundError and change nothing', async () => {
    const { b } = env;
    const writes = {
      'update assistant': () => b.beta.assistants.update(ids.assistant, { name: 'stolen' }),
      'delete assistant': () => b.beta.assistants.delete(ids.assistant),
      'update thread': () => b.beta.threads.update(ids.thread, { metadata: { x: 'y' } }),
      'add message': () => b.beta.threads.messages.create(ids.thread, { role: 'user', content: 'hi' }),
      'update message': () =>
        b.beta.threads.messages.update(ids.message, { thread_id: ids.thread, metadata: { x: 'y' } }),
      'delete message': () => b.beta.threads.messages.delete(ids.message, { thread_id: ids.thread }),
      'update run': () => b.beta.threads.runs.update(ids.run, { thread_id: ids.thread, metadata: { x: 'y' } }),
      'cancel run': () => b.beta.threads.runs.cancel(ids.run, { thread_id: ids.thread }),
      'delete file': () => b.files.delete(ids.file),
      'update store': () => b.vectorStores.update(ids.store, { name: 'stolen' }),
      'delete store': () => b.vectorStores.delete(ids.store),
      'update store file': () =>
        b.vectorStores.files.update(ids.file, { vector_store_id: ids.store, attributes: { x: 'y' } }),
      'detach store file': () => b.vectorStores.files.delete(ids.file, { vector_store_id: ids.store }),
      'cancel batch': () => b.vectorStores.fileBatches.cancel(ids.batch, { vector_store_id: ids.store }),
      'delete thread': () => b.beta.threads.delete(ids.thread),
    };
    for (const [what, write] of Object.entries(writes)) {
      await rejectsWith(write(), OpenAI.NotFoundError, { status: 404 }).catch((err) => {
        throw new Error(`${what}: ${err.message}`);
      });
    }
    // B cannot use A's assistant or file from B's own objects either.
    const bThread = await b.beta.threads.create();
    await rejectsWith(b.beta.threads.runs.create(bThread.id, { assistant_id: ids.assistant }), OpenAI.NotFoundError);
    const bStore = await b.vectorStores.create({ name: 'b-store' });
    await rejectsWith(b.vectorStores.files.create(bStore.id, { file_id: ids.file }), OpenAI.NotFoundError);

    const { a } = env;
    assert.equal((await a.beta.assistants.retrieve(ids.assistant)).name, 'a-assistant');
    assert.equal((await a.vectorStores.retrieve(ids.store)).name, 'a-store');
    assert.equal((await a.beta.threads.retrieve(ids.thread)).id, ids.thread);
    assert.equal((await a.files.retrieve(ids.file)).id, ids.file);
  });

  it("another project's lists are empty", async () => {
    const { b } = env;
    assert.deepEqual(await collect(b.beta.assistants.list()), []);
    assert.deepEqual(await collect(b.files.list()), []);
    const stores = await collect(b.vectorStores.list());
    assert.ok(stores.every((s) => s.name !== 'a-store'));
  });
});
