// file_search with the built-in model assistd-extractive over
// examples/pump-manual.pdf: the answer quotes the manual with a file_citation
// annotation on the uploaded file; run steps carry the search results, with
// chunk text only under include[].
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toFile } from 'openai';
import { startEnv } from './lib/harness.mjs';
import { POLL_MS, collect, messageText, repoFile } from './lib/util.mjs';

const QUESTION = 'How often must the intake filter be replaced?';
const ANSWER = 'The intake filter must be replaced every 400 operating hours.';
const INCLUDE_CONTENT = 'step_details.tool_calls[*].file_search.results[*].content';

// Checks the text part's file_citation annotations: at least one, each on
// `fileId`, its [start_index, end_index) (Unicode code points) inside the text
// and covering exactly its `text`.
function assertCitesFile(message, fileId) {
  const part = message.content.find((p) => p.type === 'text');
  const codePoints = Array.from(part.text.value);
  const citations = part.text.annotations.filter((a) => a.type === 'file_citation');
  assert.ok(citations.length >= 1, `no file_citation in ${JSON.stringify(part.text)}`);
  for (const c of citations) {
    assert.equal(c.file_citation.file_id, fileId);
    assert.ok(0 <= c.start_index && c.start_index < c.end_index && c.end_index <= codePoints.length, JSON.stringify(c));
    assert.equal(codePoints.slice(c.start_index, c.end_index).join(''), c.text);
  }
}

describe('file_search', { concurrency: true }, () => {
  let env;
  let pdf;
  before(async () => {
    env = await startEnv();
    pdf = await repoFile('examples/pump-manual.pdf');
  });
  after(() => env?.stop());

  it('a cited answer from a store filled with fileBatches.uploadAndPoll; steps with include[]', async () => {
    const store = await env.a.vectorStores.create({ name: 'manuals' });
    const batch = await env.a.vectorStores.fileBatches.uploadAndPoll(
      store.id,
      { files: [await toFile(pdf, 'pump-manual.pdf', { type: 'application/pdf' })] },
      { pollIntervalMs: POLL_MS },
    );
    assert.equal(batch.status, 'completed');
    const [vsFile] = await collect(env.a.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id }));
    const fileId = vsFile.id;

    const assistant = await env.a.beta.assistants.create({
      model: 'assistd-extractive',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    assert.deepEqual(assistant.tool_resources.file_search.vector_store_ids, [store.id]);
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: QUESTION }] });
    const run = await env.a.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id, include: [INCLUDE_CONTENT] },
      { pollIntervalMs: POLL_MS },
    );
    assert.equal(run.status, 'completed', JSON.stringify(run.last_error));

    const [message] = await collect(env.a.beta.threads.messages.list(thread.id, { run_id: run.id }));
    assert.ok(messageText(message).includes(ANSWER), messageText(message));
    assertCitesFile(message, fileId);

    const steps = await collect(
      env.a.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc', include: [INCLUDE_CONTENT] }),
    );
    const toolStep = steps.find((s) => s.type === 'tool_calls');
    const call = toolStep.step_details.tool_calls.find((c) => c.type === 'file_search');
    assert.ok(call, JSON.stringify(toolStep.step_details));
    const results = call.file_search.results;
    assert.ok(results.length >= 1);
    assert.equal(results[0].file_id, fileId);
    assert.equal(results[0].file_name, 'pump-manual.pdf');
    assert.ok(results[0].score > 0 && results[0].score <= 1);
    assert.ok(results.some((r) => r.content?.some((c) => c.type === 'text' && c.text.includes('400 operating hours'))));

    const plain = await env.a.beta.threads.runs.steps.retrieve(toolStep.id, { thread_id: thread.id, run_id: run.id });
    const plainResults = plain.step_details.tool_calls.find((c) => c.type === 'file_search').file_search.results;
    assert.ok(
      plainResults.every((r) => r.content === undefined),
      'no chunk text without include[]',
    );
    const included = await env.a.beta.threads.runs.steps.retrieve(toolStep.id, {
      thread_id: thread.id,
      run_id: run.id,
      include: [INCLUDE_CONTENT],
    });
    assert.deepEqual(included.step_details, toolStep.step_details);
  });

  it('a message attachment fills the thread store; the streamed answer is cited', async () => {
    const file = await env.a.files.create({
      file: await toFile(pdf, 'pump-manual.pdf', { type: 'application/pdf' }),
      purpose: 'assistants',
    });
    const assistant = await env.a.beta.assistants.create({
      model: 'assistd-extractive',
      tools: [{ type: 'file_search' }],
    });
    const stream = env.a.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: {
        messages: [
          { role: 'user', content: QUESTION, attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }] },
        ],
      },
    });
    const toolCalls = [];
    stream.on('toolCallCreated', (call) => toolCalls.push(call.type));
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
    assert.deepEqual(toolCalls, ['file_search']);
    const [message] = await stream.finalMessages();
    assert.ok(messageText(message).includes(ANSWER), messageText(message));
    assertCitesFile(message, file.id);
    // The stored message carries the same annotated text. (The SDK's
    // snapshot, accumulated from deltas, keeps their `index` keys.)
    const stored = await env.a.beta.threads.messages.retrieve(message.id, { thread_id: run.thread_id });
    const withoutIndex = (value) => JSON.parse(JSON.stringify(value, (k, v) => (k === 'index' ? undefined : v)));
    assert.deepEqual(stored.content, withoutIndex(message.content));

    const thread = await env.a.beta.threads.retrieve(run.thread_id);
    const [storeId] = thread.tool_resources.file_search.vector_store_ids;
    assert.match(storeId, /^vs_/);
    const store = await env.a.vectorStores.retrieve(storeId);
    assert.equal(store.expires_after?.days, 7);
  });
});
