// Errors as the SDK's classes: NotFoundError for unknown ids (OpenAI's
// wording), BadRequestError for validation, AuthenticationError for a bad key,
// with OpenAI's error body and a request id. (The thread-lock 400 is in
// runs.test.mjs, errors of streams in streams.test.mjs, 413 in files.test.mjs.)
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startEnv } from './lib/harness.mjs';
import { collect, rejectsWith, textUpload } from './lib/util.mjs';

describe('errors', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv();
  });
  after(() => env?.stop());

  it('unknown ids are NotFoundError in OpenAI wording', async () => {
    const { a } = env;
    const thread = await a.beta.threads.create();
    // Thunks: the SDK sends a request as soon as the call is made.
    const cases = [
      [() => a.beta.assistants.retrieve('asst_nope'), "No assistant found with id 'asst_nope'."],
      [() => a.beta.threads.retrieve('thread_nope'), "No thread found with id 'thread_nope'."],
      [
        () => a.beta.threads.messages.retrieve('msg_nope', { thread_id: thread.id }),
        "No message found with id 'msg_nope'.",
      ],
      [() => a.beta.threads.runs.retrieve('run_nope', { thread_id: thread.id }), "No run found with id 'run_nope'."],
      [() => a.files.retrieve('file-nope'), 'No such File object: file-nope'],
      [() => a.vectorStores.retrieve('vs_nope'), "No vector store found with id 'vs_nope'."],
    ];
    for (const [call, message] of cases) {
      const error = await rejectsWith(call(), OpenAI.NotFoundError, { status: 404, message });
      assert.equal(error.type, 'invalid_request_error');
      assert.match(error.requestID, /^req_/);
    }
    await rejectsWith(a.beta.threads.messages.list('thread_nope'), OpenAI.NotFoundError, {
      message: "No thread found with id 'thread_nope'.",
    });
  });

  it('a child object under the wrong parent is NotFoundError', async () => {
    const { a } = env;
    const assistant = await a.beta.assistants.create({ model: 'assistd-extractive' });
    const run = await a.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } },
      { pollIntervalMs: 50 },
    );
    const other = await a.beta.threads.create();
    const otherRun = await a.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } },
      { pollIntervalMs: 50 },
    );
    const [message] = await collect(a.beta.threads.messages.list(run.thread_id));
    const [step] = await collect(a.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id }));
    const file = await a.files.create({ file: await textUpload('f.txt', 'text'), purpose: 'assistants' });
    const store = await a.vectorStores.create({ file_ids: [file.id] });
    const otherStore = await a.vectorStores.create({});
    const batch = await a.vectorStores.fileBatches.create(store.id, { file_ids: [file.id] });
    const cases = {
      'run of another thread': () => a.beta.threads.runs.retrieve(run.id, { thread_id: other.id }),
      'message of another thread': () => a.beta.threads.messages.retrieve(message.id, { thread_id: other.id }),
      'step of another run': () =>
        a.beta.threads.runs.steps.retrieve(step.id, { thread_id: run.thread_id, run_id: otherRun.id }),
      'steps of a run of another thread': () => a.beta.threads.runs.steps.list(run.id, { thread_id: other.id }),
      'file of another store': () => a.vectorStores.files.retrieve(file.id, { vector_store_id: otherStore.id }),
      'batch of another store': () => a.vectorStores.fileBatches.retrieve(batch.id, { vector_store_id: otherStore.id }),
    };
    for (const [what, call] of Object.entries(cases)) {
      await rejectsWith(call(), OpenAI.NotFoundError, { status: 404 }).catch((err) => {
        throw new Error(`${what}: ${err.message}`);
      });
    }
  });

  it('list limits: 1..100, files up to 10,000', async () => {
    const { a } = env;
    await rejectsWith(a.beta.assistants.list({ limit: 101 }), OpenAI.BadRequestError);
    assert.ok(Array.isArray((await a.files.list({ limit: 10_000 })).data));
    await rejectsWith(a.files.list({ limit: 10_001 }), OpenAI.BadRequestError);
  });

  it('validation errors are BadRequestError with the param', async () => {
    const { a } = env;
    const hot = await rejectsWith(
      a.beta.assistants.create({ model: 'assistd-extractive', temperature: 3 }),
      OpenAI.BadRequestError,
      { status: 400 },
    );
    assert.equal(hot.type, 'invalid_request_error');
    assert.match(hot.message, /temperature/);
    assert.equal(hot.param, 'temperature');

    await rejectsWith(a.beta.assistants.create({}), OpenAI.BadRequestError, { message: /model/ });
    await rejectsWith(a.beta.assistants.create({ model: 'assistd-extractive', bogus: 1 }), OpenAI.BadRequestError, {
      message: 'Unrecognized request argument supplied: bogus',
    });
    const bad = await rejectsWith(
      a.beta.assistants.create({
        model: 'assistd-extractive',
        tools: [{ type: 'function', function: { name: 'has spaces' } }],
      }),
      OpenAI.BadRequestError,
    );
    assert.match(bad.message, /tools\[0\]\.function\.name/);
    await rejectsWith(
      a.beta.assistants.create({ model: 'assistd-extractive', metadata: { ['k'.repeat(65)]: 'v' } }),
      OpenAI.BadRequestError,
    );

    const thread = await a.beta.threads.create();
    await rejectsWith(
      a.beta.threads.messages.create(thread.id, { role: 'system', content: 'x' }),
      OpenAI.BadRequestError,
    );
    const assistant = await a.beta.assistants.create({ model: 'assistd-extractive' });
    await rejectsWith(
      a.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, include: ['nonsense'] }),
      OpenAI.BadRequestError,
    );
    await rejectsWith(
      a.beta.threads.runs.create(thread.id, { assistant_id: assistant.id, max_completion_tokens: 10 }),
      OpenAI.BadRequestError,
    );
  });

  it('files and vector stores validate like OpenAI (400 with the param)', async () => {
    const { a } = env;
    const upload = () => textUpload('v.txt', 'validation');
    const cases = [
      ['purpose', async () => a.files.create({ file: await upload(), purpose: 'nonsense' })],
      [
        'expires_after.seconds',
        async () =>
          a.files.create({
            file: await upload(),
            purpose: 'batch',
            expires_after: { anchor: 'created_at', seconds: 10 },
          }),
      ],
      ['chunking_strategy', () => a.vectorStores.create({ chunking_strategy: { type: 'auto' } })],
      [
        'max_num_results',
        async () => a.vectorStores.search((await a.vectorStores.create({})).id, { query: 'x', max_num_results: 51 }),
      ],
      [
        'chunking_strategy.static.chunk_overlap_tokens',
        async () => {
          const file = await a.files.create({ file: await upload(), purpose: 'assistants' });
          return a.vectorStores.create({
            file_ids: [file.id],
            chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 150 } },
          });
        },
      ],
    ];
    for (const [param, call] of cases) {
      const error = await rejectsWith(call(), OpenAI.BadRequestError, { status: 400 });
      assert.equal(error.param, param);
    }
  });

  it('a bad API key is AuthenticationError', async () => {
    const wrong = env.client('sk-assistd-wrong');
    const error = await rejectsWith(wrong.beta.assistants.list(), OpenAI.AuthenticationError, { status: 401 });
    assert.equal(error.type, 'invalid_request_error');
    assert.match(error.requestID, /^req_/);
    await rejectsWith(wrong.files.list(), OpenAI.AuthenticationError, { status: 401 });
  });
});
