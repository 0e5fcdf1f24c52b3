// beta.threads.runs.{create, retrieve, update, list, cancel, poll,
// createAndPoll, submitToolOutputs, submitToolOutputsAndPoll},
// beta.threads.createAndRun(Poll) and runs.steps.{retrieve, list}, with the
// scripted model (function calls, errors, a slow answer to cancel).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startEnv } from './lib/harness.mjs';
import { errorTurn, slowTurn, textTurn, toolCallsTurn } from './lib/scripted_model.mjs';
import { POLL_MS, WEATHER_TOOL, collect, messageText, rejectsWith, scriptedAssistant, waitUntil } from './lib/util.mjs';

const poll = { pollIntervalMs: POLL_MS };

describe('runs', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv();
  });
  after(() => env?.stop());

  it('create, retrieve, update, list; the run object has every key', async () => {
    const { model, assistant } = await scriptedAssistant(env, [textTurn('Hello from the script.', { deltas: 3 })]);
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
    const run = await env.a.beta.threads.runs.create(thread.id, {
      assistant_id: assistant.id,
      additional_instructions: 'Answer in English.',
      metadata: { n: '1' },
    });
    assert.match(run.id, /^run_/);
    assert.equal(run.object, 'thread.run');
    assert.equal(run.thread_id, thread.id);
    assert.equal(run.assistant_id, assistant.id);
    assert.equal(run.model, model);
    assert.deepEqual(run.metadata, { n: '1' });
    for (const key of [
      'id',
      'object',
      'created_at',
      'thread_id',
      'assistant_id',
      'status',
      'required_action',
      'last_error',
      'expires_at',
      'started_at',
      'cancelled_at',
      'failed_at',
      'completed_at',
      'incomplete_details',
      'model',
      'instructions',
      'tools',
      'metadata',
      'usage',
      'max_prompt_tokens',
      'max_completion_tokens',
      'truncation_strategy',
      'tool_choice',
      'parallel_tool_calls',
      'response_format',
    ]) {
      assert.ok(key in run, `run has ${key}`);
    }

    const done = await env.a.beta.threads.runs.poll(run.id, { thread_id: thread.id }, poll);
    assert.equal(done.status, 'completed');
    assert.ok(done.completed_at >= done.created_at);
    assert.ok(done.usage && done.usage.total_tokens > 0, 'usage is set on a terminal run');
    const retrieved = await env.a.beta.threads.runs.retrieve(run.id, { thread_id: thread.id });
    assert.equal(retrieved.status, 'completed');

    const updated = await env.a.beta.threads.runs.update(run.id, { thread_id: thread.id, metadata: { n: '2' } });
    assert.deepEqual(updated.metadata, { n: '2' });

    const second = await env.a.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id, additional_messages: [{ role: 'user', content: 'Again' }] },
      poll,
    );
    assert.equal(second.status, 'failed', 'nothing more was scripted');
    assert.equal(second.last_error.code, 'invalid_prompt');
    const runs = await collect(env.a.beta.threads.runs.list(thread.id, { limit: 1 }));
    assert.deepEqual(
      runs.map((r) => r.id),
      [second.id, run.id],
    );

    // The model saw the instructions and the user's message.
    const [request] = env.model.requests(model);
    assert.equal(request.messages[0].role, 'system');
    assert.match(request.messages[0].content, /Answer in English\./);
    assert.deepEqual(request.messages.at(-1), { role: 'user', content: 'Hi' });
    const [answer] = await collect(env.a.beta.threads.messages.list(thread.id, { run_id: run.id }));
    assert.equal(messageText(answer), 'Hello from the script.');
  });

  it('steps.list and steps.retrieve', async () => {
    const { assistant } = await scriptedAssistant(
      env,
      [toolCallsTurn([{ name: 'get_weather', arguments: '{"city":"Paris"}' }]), textTurn('Sunny.')],
      { tools: [WEATHER_TOOL] },
    );
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'Weather?' }] });
    const waiting = await env.a.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, poll);
    assert.equal(waiting.status, 'requires_action');
    const [call] = waiting.required_action.submit_tool_outputs.tool_calls;
    const run = await env.a.beta.threads.runs.submitToolOutputsAndPoll(
      waiting.id,
      { thread_id: thread.id, tool_outputs: [{ tool_call_id: call.id, output: 'sunny' }] },
      poll,
    );
    assert.equal(run.status, 'completed');

    const steps = await collect(
      env.a.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc', limit: 1 }),
    );
    assert.deepEqual(
      steps.map((s) => s.type),
      ['tool_calls', 'message_creation'],
    );
    for (const step of steps) {
      assert.match(step.id, /^step_/);
      assert.equal(step.object, 'thread.run.step');
      assert.equal(step.run_id, run.id);
      assert.equal(step.thread_id, thread.id);
      assert.equal(step.assistant_id, assistant.id);
      assert.equal(step.status, 'completed');
    }
    assert.deepEqual(steps[0].step_details.tool_calls, [
      {
        id: call.id,
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: 'sunny' },
      },
    ]);
    const got = await env.a.beta.threads.runs.steps.retrieve(steps[1].id, { thread_id: thread.id, run_id: run.id });
    assert.deepEqual(got, steps[1]);
    const [message] = await collect(env.a.beta.threads.messages.list(thread.id, { run_id: run.id }));
    assert.equal(got.step_details.message_creation.message_id, message.id);
  });

  it('a function call answered with submitToolOutputs reaches the model', async () => {
    const { model, assistant } = await scriptedAssistant(
      env,
      [
        toolCallsTurn([
          { name: 'get_weather', arguments: '{"city":"Paris"}' },
          { name: 'get_weather', arguments: '{"city":"Oslo"}' },
        ]),
        textTurn('Paris is sunny, Oslo is cold.'),
      ],
      { tools: [WEATHER_TOOL] },
    );
    const run = await env.a.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Weather in Paris and Oslo?' }] } },
      poll,
    );
    assert.equal(run.status, 'requires_action');
    assert.equal(run.required_action.type, 'submit_tool_outputs');
    const calls = run.required_action.submit_tool_outputs.tool_calls;
    assert.deepEqual(
      calls.map((c) => [c.type, c.function.name, JSON.parse(c.function.arguments).city]),
      [
        ['function', 'get_weather', 'Paris'],
        ['function', 'get_weather', 'Oslo'],
      ],
    );
    for (const c of calls) assert.match(c.id, /^call_/);

    // The plain (non-polling) submit returns the run, queued again.
    const submitted = await env.a.beta.threads.runs.submitToolOutputs(run.id, {
      thread_id: run.thread_id,
      tool_outputs: calls.map((c, i) => ({ tool_call_id: c.id, output: i === 0 ? 'sunny, 24C' : 'cold, -3C' })),
    });
    assert.equal(submitted.id, run.id);
    assert.ok(['queued', 'in_progress', 'completed'].includes(submitted.status), submitted.status);
    const done = await env.a.beta.threads.runs.poll(run.id, { thread_id: run.thread_id }, poll);
    assert.equal(done.status, 'completed');

    const second = env.model.requests(model)[1];
    const toolMessages = second.messages.filter((m) => m.role === 'tool');
    assert.deepEqual(
      toolMessages.map((m) => [m.tool_call_id, m.content]),
      [
        [calls[0].id, 'sunny, 24C'],
        [calls[1].id, 'cold, -3C'],
      ],
    );
    assert.ok(
      second.tools.some((t) => t.function.name === 'get_weather'),
      'the function was offered',
    );
  });

  it('run options reach the model: tool_choice, parallel_tool_calls, response_format, budgets, truncation', async () => {
    const { model, assistant } = await scriptedAssistant(
      env,
      [toolCallsTurn([{ name: 'get_weather', arguments: '{"city":"Rome"}' }])],
      { tools: [WEATHER_TOOL], instructions: 'Assistant instructions.' },
    );
    const thread = await env.a.beta.threads.create({
      messages: [
        { role: 'user', content: 'old question' },
        { role: 'user', content: 'new question' },
      ],
    });
    const run = await env.a.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistant.id,
        instructions: 'Run instructions.',
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        parallel_tool_calls: false,
        response_format: { type: 'json_object' },
        max_completion_tokens: 300,
        truncation_strategy: { type: 'last_messages', last_messages: 1 },
        temperature: 0.2,
      },
      poll,
    );
    assert.equal(run.status, 'requires_action');
    assert.equal(run.instructions, 'Run instructions.');
    assert.deepEqual(run.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(run.parallel_tool_calls, false);
    assert.deepEqual(run.response_format, { type: 'json_object' });
    assert.equal(run.max_completion_tokens, 300);
    assert.deepEqual(run.truncation_strategy, { type: 'last_messages', last_messages: 1 });
    assert.equal(run.temperature, 0.2);

    const [request] = env.model.requests(model);
    assert.deepEqual(request.tool_choice, { type: 'function', function: { name: 'get_weather' } });
    assert.equal(request.parallel_tool_calls, false);
    assert.deepEqual(request.response_format, { type: 'json_object' });
    assert.ok(request.max_tokens > 0 && request.max_tokens <= 300, `max_tokens ${request.max_tokens}`);
    assert.equal(request.temperature, 0.2);
    assert.match(request.messages[0].content, /Run instructions\./);
    assert.doesNotMatch(request.messages[0].content, /Assistant instructions/);
    const userTexts = request.messages.filter((m) => m.role === 'user').map((m) => m.content);
    assert.deepEqual(userTexts, ['new question'], 'last_messages: 1 keeps the newest message');
    await env.a.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  });

  it('a model error fails the run with last_error', async () => {
    const { assistant } = await scriptedAssistant(env, [errorTurn(400, 'context too long')]);
    const run = await env.a.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: 'Hi' }] } },
      poll,
    );
    assert.equal(run.status, 'failed');
    assert.equal(run.last_error.code, 'invalid_prompt');
    assert.equal(typeof run.last_error.message, 'string');
    assert.ok(run.failed_at > 0);
  });

  it('cancel a run whose model answer is slow', async () => {
    const { assistant } = await scriptedAssistant(env, [slowTurn('This answer never finishes.')]);
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
    const run = await env.a.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    // Cancel once the model is answering: the answer's message exists (its
    // first piece arrived; the rest is stalled).
    await waitUntil(
      () => collect(env.a.beta.threads.messages.list(thread.id, { run_id: run.id })),
      (messages) => messages.length === 1,
      { what: 'the answer to start' },
    );
    const cancelling = await env.a.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
    assert.ok(['cancelling', 'cancelled'].includes(cancelling.status), cancelling.status);
    const done = await env.a.beta.threads.runs.poll(run.id, { thread_id: thread.id }, poll);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.cancelled_at > 0);
    // The half-written answer is kept, marked incomplete.
    const [partial] = await collect(env.a.beta.threads.messages.list(thread.id, { run_id: run.id }));
    assert.equal(partial?.status, 'incomplete', JSON.stringify(partial));
    assert.deepEqual(partial.incomplete_details, { reason: 'run_cancelled' });
  });

  // A run whose answer the model cut at max_tokens (finish_reason "length").
  async function cutRun() {
    const { assistant } = await scriptedAssistant(env, [textTurn('This answer is cut', { finishReason: 'length' })]);
    const run = await env.a.beta.threads.createAndRunPoll(
      {
        assistant_id: assistant.id,
        max_completion_tokens: 256,
        thread: { messages: [{ role: 'user', content: 'Write a lot' }] },
      },
      poll,
    );
    const [message] = await collect(env.a.beta.threads.messages.list(run.thread_id, { run_id: run.id }));
    return { run, message };
  }

  it('an answer cut at max_tokens makes the run incomplete', async () => {
    const { run, message } = await cutRun();
    assert.equal(run.status, 'incomplete');
    assert.deepEqual(run.incomplete_details, { reason: 'max_completion_tokens' });
    assert.equal(messageText(message), 'This answer is cut');
  });

  it(
    'the cut answer is an incomplete message (max_tokens)',
    async () => {
      const { message } = await cutRun();
      assert.equal(message.status, 'incomplete');
      assert.deepEqual(message.incomplete_details, { reason: 'max_tokens' });
      assert.equal(typeof message.incomplete_at, 'number');
      assert.equal(message.completed_at, null);
    },
  );

  it('twenty streamed runs at once all complete', async () => {
    const runs = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const { assistant } = await scriptedAssistant(env, [textTurn(`Answer ${i}.`, { deltas: 3 })]);
        const stream = env.a.beta.threads.createAndRunStream({
          assistant_id: assistant.id,
          thread: { messages: [{ role: 'user', content: `Question ${i}` }] },
        });
        const run = await stream.finalRun();
        const [message] = await stream.finalMessages();
        return [run.status, messageText(message)];
      }),
    );
    assert.deepEqual(
      runs,
      Array.from({ length: 20 }, (_, i) => ['completed', `Answer ${i}.`]),
    );
  });

  it('a thread with an active run is locked (400)', async () => {
    const { assistant } = await scriptedAssistant(
      env,
      [toolCallsTurn([{ name: 'get_weather', arguments: '{"city":"Rome"}' }])],
      { tools: [WEATHER_TOOL] },
    );
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'Weather?' }] });
    const run = await env.a.beta.threads.runs.createAndPoll(thread.id, { assistant_id: assistant.id }, poll);
    assert.equal(run.status, 'requires_action');
    await rejectsWith(
      env.a.beta.threads.messages.create(thread.id, { role: 'user', content: 'more' }),
      OpenAI.BadRequestError,
      { status: 400, message: `Can't add messages to ${thread.id} while a run ${run.id} is active.` },
    );
    await rejectsWith(
      env.a.beta.threads.runs.create(thread.id, { assistant_id: assistant.id }),
      OpenAI.BadRequestError,
      { status: 400, message: `Thread ${thread.id} already has an active run ${run.id}.` },
    );
    // Cancelling a run that waits for tool outputs ends it at once.
    const cancelled = await env.a.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
    const done = await env.a.beta.threads.runs.poll(cancelled.id, { thread_id: thread.id }, poll);
    assert.equal(done.status, 'cancelled');
    await env.a.beta.threads.messages.create(thread.id, { role: 'user', content: 'unlocked' });
  });
});
