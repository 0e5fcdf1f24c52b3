// Streaming: runs.stream, threads.createAndRunStream and
// runs.submitToolOutputsStream (the SDK's AssistantStream and its events),
// and the raw `stream: true` forms of runs.create, threads.createAndRun and
// runs.submitToolOutputs (Stream<AssistantStreamEvent>).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startEnv } from './lib/harness.mjs';
import { errorTurn, slowTurn, textTurn, toolCallsTurn } from './lib/scripted_model.mjs';
import { WEATHER_TOOL, collect, messageText, rejectsWith, scriptedAssistant } from './lib/util.mjs';

// Records what an AssistantStream emits: event names in order, text deltas,
// tool-call events.
function record(stream) {
  const seen = { events: [], textDeltas: [], toolCallsCreated: [], toolCallDeltas: [], toolCallsDone: [] };
  stream
    .on('event', (e) => seen.events.push(e.event))
    .on('textDelta', (delta) => seen.textDeltas.push(delta.value ?? ''))
    .on('toolCallCreated', (call) => seen.toolCallsCreated.push(structuredClone(call)))
    .on('toolCallDelta', (delta) => seen.toolCallDeltas.push(structuredClone(delta)))
    .on('toolCallDone', (call) => seen.toolCallsDone.push(structuredClone(call)));
  return seen;
}

describe('streams', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv();
  });
  after(() => env?.stop());

  it('runs.stream: text deltas join to the final message, events in canonical order', async () => {
    const text = 'Streaming works in several pieces, one after another.';
    const { assistant } = await scriptedAssistant(env, [textTurn(text, { deltas: 5 })]);
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'Hi' }] });
    const stream = env.a.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const seen = record(stream);
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed');
    assert.ok(seen.textDeltas.length >= 2, `text came in ${seen.textDeltas.length} delta(s)`);
    assert.equal(seen.textDeltas.join(''), text);
    const [message] = await stream.finalMessages();
    assert.equal(messageText(message), text);
    const stored = await env.a.beta.threads.messages.retrieve(message.id, { thread_id: thread.id });
    assert.equal(messageText(stored), text);

    const distinct = seen.events.filter((e, i) => e !== seen.events[i - 1]);
    assert.deepEqual(distinct, [
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
  });

  it('multi-byte text (CJK, emoji, combining marks) survives being cut into deltas', async () => {
    const text = 'Grüße 🌍🚀 — 東京の天気は晴れ; naïve café; 👩‍👩‍👧 family.';
    const { assistant } = await scriptedAssistant(env, [textTurn(text, { deltas: 9 })]);
    const stream = env.a.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Say it' }] },
    });
    const seen = record(stream);
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed');
    assert.equal(seen.textDeltas.join(''), text);
    const [message] = await collect(env.a.beta.threads.messages.list(run.thread_id, { run_id: run.id }));
    assert.equal(messageText(message), text);
  });

  it('every AssistantStream event kind fires, consistently (createAndStream alias)', async () => {
    const { assistant } = await scriptedAssistant(
      env,
      [toolCallsTurn([{ name: 'get_weather', arguments: '{"city":"Bern"}' }]), textTurn('Bern: snow.', { deltas: 3 })],
      { tools: [WEATHER_TOOL] },
    );
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Bern?' }] });
    // Names of the events fired, with the ids they carry.
    const fired = [];
    const watch = (stream) => {
      stream
        .on('messageCreated', (m) => fired.push(['messageCreated', m.id]))
        .on('messageDelta', (_d, snapshot) => fired.push(['messageDelta', snapshot.id]))
        .on('messageDone', (m) => fired.push(['messageDone', m.id]))
        .on('textCreated', () => fired.push(['textCreated']))
        .on('textDone', (text) => fired.push(['textDone', text.value]))
        .on('runStepCreated', (step) => fired.push(['runStepCreated', step.id, step.type]))
        .on('runStepDelta', (_d, snapshot) => fired.push(['runStepDelta', snapshot.id]))
        .on('runStepDone', (step) => fired.push(['runStepDone', step.id, step.status]));
      return stream;
    };
    const first = watch(env.a.beta.threads.runs.createAndStream(thread.id, { assistant_id: assistant.id }));
    const waiting = await first.finalRun();
    const [call] = waiting.required_action.submit_tool_outputs.tool_calls;
    const [toolStep] = await first.finalRunSteps();
    // The tool-call step opens and streams its call; it stays open (in
    // progress) while the run waits for outputs.
    assert.deepEqual(fired[0], ['runStepCreated', toolStep.id, 'tool_calls']);
    assert.ok(fired.length >= 2, JSON.stringify(fired));
    assert.ok(
      fired.slice(1).every((e) => e[0] === 'runStepDelta' && e[1] === toolStep.id),
      JSON.stringify(fired),
    );

    fired.length = 0;
    const second = watch(
      env.a.beta.threads.runs.submitToolOutputsStream(waiting.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: call.id, output: 'snow' }],
      }),
    );
    await second.finalRun();
    const [message] = await second.finalMessages();
    const kinds = fired.map((e) => e[0]).filter((k, i, all) => k !== all[i - 1]);
    assert.deepEqual(kinds, [
      'runStepDone', // the tool-call step, completed once its outputs are in
      'runStepCreated',
      'messageCreated',
      'textCreated',
      'messageDelta',
      'textDone',
      'messageDone',
      'runStepDone',
    ]);
    assert.deepEqual(fired[0], ['runStepDone', toolStep.id, 'completed']);
    const messageEvents = fired.filter((e) => e[0].startsWith('message'));
    assert.ok(messageEvents.every((e) => e[1] === message.id));
    assert.deepEqual(
      fired.find((e) => e[0] === 'textDone'),
      ['textDone', 'Bern: snow.'],
    );
    assert.equal(fired.find((e) => e[0] === 'runStepCreated')[2], 'message_creation');
  });

  it('a client that hangs up stops the stream, not the run', async () => {
    const { assistant } = await scriptedAssistant(env, [textTurn('Finished without a listener.', { deltas: 4 })]);
    const stream = env.a.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });
    const created = await new Promise((resolve) =>
      stream.on('event', (e) => e.event === 'thread.run.created' && resolve(e.data)),
    );
    stream.abort();
    await assert.rejects(stream.finalRun(), OpenAI.APIUserAbortError);
    const run = await env.a.beta.threads.runs.poll(
      created.id,
      { thread_id: created.thread_id },
      { pollIntervalMs: 50 },
    );
    assert.equal(run.status, 'completed');
  });

  it('createAndRunStream starts with thread.created', async () => {
    const { assistant } = await scriptedAssistant(env, [textTurn('A new thread.', { deltas: 2 })]);
    const stream = env.a.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });
    const seen = record(stream);
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed');
    assert.equal(seen.events[0], 'thread.created');
    assert.equal(seen.events[1], 'thread.run.created');
    assert.equal(seen.textDeltas.join(''), 'A new thread.');
    const thread = await env.a.beta.threads.retrieve(run.thread_id);
    assert.equal(thread.id, run.thread_id);
  });

  it('toolCall events, then submitToolOutputsStream continues the run', async () => {
    const args = '{"city":"Lisbon","unit":"celsius"}';
    const { model, assistant } = await scriptedAssistant(
      env,
      [
        toolCallsTurn([{ name: 'get_weather', arguments: args }], { fragments: 4 }),
        textTurn('Lisbon: 21C.', { deltas: 3 }),
      ],
      { tools: [WEATHER_TOOL] },
    );
    const thread = await env.a.beta.threads.create({ messages: [{ role: 'user', content: 'Weather in Lisbon?' }] });
    const first = env.a.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const seen = record(first);
    const waiting = await first.finalRun();
    assert.equal(waiting.status, 'requires_action');
    assert.equal(seen.events.at(-1), 'thread.run.requires_action');

    assert.equal(seen.toolCallsCreated.length, 1);
    const [created] = seen.toolCallsCreated;
    assert.equal(created.type, 'function');
    assert.match(created.id, /^call_/);
    assert.equal(created.function.name, 'get_weather');
    const streamedArgs = seen.toolCallDeltas.map((d) => d.function?.arguments ?? '').join('');
    assert.equal(streamedArgs, args);
    const [call] = waiting.required_action.submit_tool_outputs.tool_calls;
    assert.equal(call.id, created.id);
    assert.equal(call.function.arguments, args);

    const second = env.a.beta.threads.runs.submitToolOutputsStream(waiting.id, {
      thread_id: thread.id,
      tool_outputs: [{ tool_call_id: call.id, output: '21C and clear' }],
    });
    const seen2 = record(second);
    const done = await second.finalRun();
    assert.equal(done.status, 'completed');
    assert.equal(done.id, waiting.id);
    assert.equal(seen2.events[0], 'thread.run.queued');
    assert.equal(seen2.textDeltas.join(''), 'Lisbon: 21C.');
    // The tool-call step completes with the output recorded.
    const toolStep = (await second.finalRunSteps()).find((s) => s.type === 'tool_calls');
    assert.equal(toolStep?.step_details.tool_calls[0].function.output, '21C and clear');

    const tool = env.model.requests(model)[1].messages.find((m) => m.role === 'tool');
    assert.deepEqual(tool, { role: 'tool', tool_call_id: call.id, content: '21C and clear' });
  });

  it('raw stream:true on runs.create, threads.createAndRun and submitToolOutputs', async () => {
    const { assistant } = await scriptedAssistant(
      env,
      [toolCallsTurn([{ name: 'get_weather', arguments: '{"city":"Oslo"}' }]), textTurn('Cold.'), textTurn('Hello.')],
      { tools: [WEATHER_TOOL] },
    );
    const names = async (stream) => {
      const events = [];
      for await (const event of stream) events.push(event);
      return events;
    };
    const started = await names(
      await env.a.beta.threads.createAndRun({
        assistant_id: assistant.id,
        thread: { messages: [{ role: 'user', content: 'Weather?' }] },
        stream: true,
      }),
    );
    assert.equal(started[0].event, 'thread.created');
    const waiting = started.at(-1);
    assert.equal(waiting.event, 'thread.run.requires_action');
    const call = waiting.data.required_action.submit_tool_outputs.tool_calls[0];

    const resumed = await names(
      await env.a.beta.threads.runs.submitToolOutputs(waiting.data.id, {
        thread_id: waiting.data.thread_id,
        tool_outputs: [{ tool_call_id: call.id, output: '-3C' }],
        stream: true,
      }),
    );
    assert.equal(resumed.at(-1).event, 'thread.run.completed');

    const again = await names(
      await env.a.beta.threads.runs.create(waiting.data.thread_id, { assistant_id: assistant.id, stream: true }),
    );
    assert.equal(again[0].event, 'thread.run.created');
    assert.equal(again.at(-1).event, 'thread.run.completed');
    const deltas = again.filter((e) => e.event === 'thread.message.delta');
    assert.equal(deltas.map((e) => e.data.delta.content.map((c) => c.text.value).join('')).join(''), 'Hello.');
    assert.equal(deltas[0].data.object, 'thread.message.delta');
  });

  it('errors before the first event surface as SDK errors; a failed run ends its stream', async () => {
    const thread = await env.a.beta.threads.create();
    const missing = env.a.beta.threads.runs.stream(thread.id, { assistant_id: 'asst_missing' });
    await rejectsWith(missing.finalRun(), OpenAI.NotFoundError, {
      status: 404,
      message: "No assistant found with id 'asst_missing'.",
    });
    await rejectsWith(
      (async () => {
        for await (const _ of env.a.beta.threads.createAndRunStream({ assistant_id: 'asst_missing' }));
      })(),
      OpenAI.NotFoundError,
    );

    // Tool outputs that do not match the pending calls are refused before
    // the stream starts.
    const { assistant: caller } = await scriptedAssistant(
      env,
      [toolCallsTurn([{ name: 'get_weather', arguments: '{"city":"Oslo"}' }])],
      { tools: [WEATHER_TOOL] },
    );
    const waiting = await env.a.beta.threads
      .createAndRunStream({
        assistant_id: caller.id,
        thread: { messages: [{ role: 'user', content: 'Weather?' }] },
      })
      .finalRun();
    assert.equal(waiting.status, 'requires_action');
    const wrong = env.a.beta.threads.runs.submitToolOutputsStream(waiting.id, {
      thread_id: waiting.thread_id,
      tool_outputs: [{ tool_call_id: 'call_unknown', output: 'x' }],
    });
    await rejectsWith(wrong.finalRun(), OpenAI.BadRequestError, { status: 400 });
    const callId = waiting.required_action.submit_tool_outputs.tool_calls[0].id;
    await env.a.beta.threads.runs.cancel(waiting.id, { thread_id: waiting.thread_id });
    const late = env.a.beta.threads.runs.submitToolOutputsStream(waiting.id, {
      thread_id: waiting.thread_id,
      tool_outputs: [{ tool_call_id: callId, output: 'x' }],
    });
    await rejectsWith(late.finalRun(), OpenAI.BadRequestError, { status: 400 });

    const { assistant } = await scriptedAssistant(env, [errorTurn(400, 'scripted failure')]);
    await env.a.beta.threads.messages.create(thread.id, { role: 'user', content: 'Hi' });
    const failing = env.a.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    const seen = record(failing);
    const run = await failing.finalRun();
    assert.equal(run.status, 'failed');
    assert.equal(run.last_error.code, 'invalid_prompt');
    assert.equal(seen.events.at(-1), 'thread.run.failed');
  });
});

// A stream that breaks after it started (here: assistd shuts down mid-answer)
// ends with `event: error`, which the SDK raises as an APIError.
describe('a stream cut by a server shutdown', () => {
  let env;
  before(async () => {
    env = await startEnv();
  });
  after(() => env?.stop());

  it('raises an APIError of type server_error', async () => {
    const model = env.model.script([slowTurn('Half of this answer arrives, the rest never does.')]);
    const assistant = await env.a.beta.assistants.create({ model });
    const stream = env.a.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: 'Hi' }] },
    });
    stream.once('textDelta', () => process.kill(env.pid, 'SIGTERM'));
    const error = await rejectsWith(stream.finalRun(), OpenAI.APIError);
    assert.equal(error.type, 'server_error');
    assert.equal(error.status, undefined, 'raised from the stream, not from an HTTP status');
  });
});
