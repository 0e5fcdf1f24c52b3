// beta.threads.{create, retrieve, update, delete} and
// beta.threads.messages.{create, retrieve, update, list (+ run_id), delete}.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import { startEnv } from './lib/harness.mjs';
import { POLL_MS, collect, messageText, rejectsWith } from './lib/util.mjs';

describe('threads and messages', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv();
  });
  after(() => env?.stop());

  it('thread create (empty and with messages), retrieve, update, delete', async () => {
    const empty = await env.a.beta.threads.create();
    assert.match(empty.id, /^thread_/);
    assert.equal(empty.object, 'thread');
    assert.equal(typeof empty.created_at, 'number');
    assert.ok(empty.metadata === null || Object.keys(empty.metadata).length === 0);

    const thread = await env.a.beta.threads.create({
      messages: [
        { role: 'user', content: 'first' },
        { role: 'assistant', content: [{ type: 'text', text: 'second' }] },
      ],
      metadata: { k: 'v' },
    });
    assert.deepEqual(thread.metadata, { k: 'v' });
    const messages = await collect(env.a.beta.threads.messages.list(thread.id, { order: 'asc' }));
    assert.deepEqual(
      messages.map((m) => [m.role, messageText(m)]),
      [
        ['user', 'first'],
        ['assistant', 'second'],
      ],
    );

    assert.deepEqual(await env.a.beta.threads.retrieve(thread.id), thread);
    const updated = await env.a.beta.threads.update(thread.id, { metadata: { k: 'w', n: '1' } });
    assert.deepEqual(updated.metadata, { k: 'w', n: '1' });

    const deleted = await env.a.beta.threads.delete(thread.id);
    assert.deepEqual(deleted, { id: thread.id, object: 'thread.deleted', deleted: true });
    await rejectsWith(env.a.beta.threads.retrieve(thread.id), OpenAI.NotFoundError, {
      message: `No thread found with id '${thread.id}'.`,
    });
  });

  it('message create, retrieve, update, list and delete', async () => {
    const thread = await env.a.beta.threads.create();
    const created = await env.a.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'Hello there',
      metadata: { n: '1' },
    });
    assert.match(created.id, /^msg_/);
    assert.equal(created.object, 'thread.message');
    assert.equal(created.thread_id, thread.id);
    assert.equal(created.role, 'user');
    assert.equal(created.status, 'completed');
    assert.equal(created.run_id, null);
    assert.equal(created.assistant_id, null);
    assert.deepEqual(created.content, [{ type: 'text', text: { value: 'Hello there', annotations: [] } }]);
    assert.deepEqual(created.metadata, { n: '1' });

    const second = await env.a.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: [
        { type: 'text', text: 'part one' },
        { type: 'text', text: 'part two' },
      ],
    });
    assert.equal(second.content.length, 2);

    const got = await env.a.beta.threads.messages.retrieve(created.id, { thread_id: thread.id });
    assert.deepEqual(got, created);
    const updated = await env.a.beta.threads.messages.update(created.id, {
      thread_id: thread.id,
      metadata: { n: '2' },
    });
    assert.deepEqual(updated.metadata, { n: '2' });

    const desc = await collect(env.a.beta.threads.messages.list(thread.id, { limit: 1 }));
    assert.deepEqual(
      desc.map((m) => m.id),
      [second.id, created.id],
    );

    const deleted = await env.a.beta.threads.messages.delete(created.id, { thread_id: thread.id });
    assert.deepEqual(deleted, { id: created.id, object: 'thread.message.deleted', deleted: true });
    const left = await collect(env.a.beta.threads.messages.list(thread.id));
    assert.deepEqual(
      left.map((m) => m.id),
      [second.id],
    );
    await rejectsWith(
      env.a.beta.threads.messages.retrieve(created.id, { thread_id: thread.id }),
      OpenAI.NotFoundError,
      { message: `No message found with id '${created.id}'.` },
    );
  });

  it('image parts and attachments round-trip; list cursors', async () => {
    const png = Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    );
    const image = await env.a.files.create({ file: await toFile(png, 'dot.png'), purpose: 'vision' });
    const doc = await env.a.files.create({
      file: await toFile(Buffer.from('a,b\n1,2\n'), 'data.csv'),
      purpose: 'assistants',
    });
    const thread = await env.a.beta.threads.create();
    const message = await env.a.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: [
        { type: 'text', text: 'Look at these' },
        { type: 'image_file', image_file: { file_id: image.id, detail: 'low' } },
        { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
      ],
      attachments: [{ file_id: doc.id, tools: [{ type: 'code_interpreter' }] }],
    });
    assert.deepEqual(message.content.slice(1), [
      { type: 'image_file', image_file: { file_id: image.id, detail: 'low' } },
      { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'high' } },
    ]);
    assert.deepEqual(message.attachments, [{ file_id: doc.id, tools: [{ type: 'code_interpreter' }] }]);
    // A code_interpreter attachment joins the thread's tool_resources.
    const withFiles = await env.a.beta.threads.retrieve(thread.id);
    assert.deepEqual(withFiles.tool_resources.code_interpreter.file_ids, [doc.id]);

    const more = [];
    for (let i = 0; i < 3; i++)
      more.push((await env.a.beta.threads.messages.create(thread.id, { role: 'user', content: `m${i}` })).id);
    const ids = [message.id, ...more];
    const before = await env.a.beta.threads.messages.list(thread.id, { order: 'asc', before: ids[2] });
    assert.deepEqual(
      before.data.map((m) => m.id),
      ids.slice(0, 2),
    );
    const after = await env.a.beta.threads.messages.list(thread.id, { order: 'asc', after: ids[1], limit: 1 });
    assert.deepEqual(
      after.data.map((m) => m.id),
      [ids[2]],
    );
    assert.equal(after.has_more, true);
  });

  it('messages.list filters by run_id', async () => {
    const assistant = await env.a.beta.assistants.create({ model: 'assistd-extractive' });
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'What can you do?' }] });
    const run = await env.a.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: POLL_MS },
    );
    assert.equal(run.status, 'completed');
    const all = await collect(env.a.beta.threads.messages.list(thread.id));
    assert.equal(all.length, 2);
    const ofRun = await collect(env.a.beta.threads.messages.list(thread.id, { run_id: run.id }));
    assert.equal(ofRun.length, 1);
    assert.equal(ofRun[0].role, 'assistant');
    assert.equal(ofRun[0].run_id, run.id);
    assert.equal(ofRun[0].assistant_id, assistant.id);
    assert.ok(messageText(ofRun[0]).length > 0);
  });
});
