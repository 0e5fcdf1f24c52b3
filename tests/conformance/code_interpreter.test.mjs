// code_interpreter with the built-in model assistd-extractive, which runs the
// fenced ```python block of the user's message in the sandbox: the chart
// comes back as an image_file part whose file downloads as PNG bytes
// (files.content), and as the tool call's image output; files of
// tool_resources are in /mnt/data, and files the code writes come back as
// file_path annotations.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { toFile } from 'openai';
import { startEnv } from './lib/harness.mjs';
import { POLL_MS, collect, messageText, repoFile } from './lib/util.mjs';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const QUESTION = [
  'Plot the squares, please.',
  '```python',
  'import matplotlib.pyplot as plt',
  'xs = [1, 2, 3, 4]',
  'plt.plot(xs, [x * x for x in xs])',
  'plt.title("squares")',
  'plt.show()',
  'print("sum of squares:", sum(x * x for x in xs))',
  '```',
].join('\n');

describe('code_interpreter', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv();
  });
  after(() => env?.stop());

  // The sandbox needs namespaces and root; without them assistd logs
  // "sandbox: disabled: <reason>" and these tests cannot pass.
  const needSandbox = () => {
    assert.ok(env.sandbox.ready, `the sandbox is not available: ${env.sandbox.detail}`);
  };

  it('createAndRunPoll: logs, an image output and an image_file part that downloads as PNG', async () => {
    needSandbox();
    const assistant = await env.a.beta.assistants.create({
      model: 'assistd-extractive',
      tools: [{ type: 'code_interpreter' }],
    });
    const run = await env.a.beta.threads.createAndRunPoll(
      { assistant_id: assistant.id, thread: { messages: [{ role: 'user', content: QUESTION }] } },
      { pollIntervalMs: POLL_MS },
    );
    assert.equal(run.status, 'completed', JSON.stringify(run.last_error));

    const [message] = await collect(env.a.beta.threads.messages.list(run.thread_id, { run_id: run.id }));
    assert.match(messageText(message), /sum of squares: 30/);
    const images = message.content.filter((part) => part.type === 'image_file');
    assert.equal(images.length, 1, JSON.stringify(message.content));
    const fileId = images[0].image_file.file_id;
    assert.match(fileId, /^file-/);

    const steps = await collect(env.a.beta.threads.runs.steps.list(run.id, { thread_id: run.thread_id, order: 'asc' }));
    const call = steps.find((s) => s.type === 'tool_calls').step_details.tool_calls[0];
    assert.equal(call.type, 'code_interpreter');
    assert.match(call.id, /^call_/);
    assert.match(call.code_interpreter.input, /plt\.plot/);
    const outputs = call.code_interpreter.outputs;
    assert.ok(
      outputs.some((o) => o.type === 'logs' && /sum of squares: 30/.test(o.logs)),
      JSON.stringify(outputs),
    );
    assert.deepEqual(
      outputs.filter((o) => o.type === 'image').map((o) => o.image.file_id),
      [fileId],
    );

    const meta = await env.a.files.retrieve(fileId);
    assert.equal(meta.purpose, 'assistants_output');
    const bytes = Buffer.from(await (await env.a.files.content(fileId)).arrayBuffer());
    assert.ok(bytes.subarray(0, 8).equals(PNG_MAGIC), `not a PNG: ${bytes.subarray(0, 8).toString('hex')}`);
    assert.equal(bytes.length, meta.bytes);
  });

  it('tool_resources files are in /mnt/data; a written file gets a file_path annotation', async () => {
    needSandbox();
    const csv = await env.a.files.create({
      file: await toFile(await repoFile('examples/sales.csv'), 'sales.csv'),
      purpose: 'assistants',
    });
    const code = [
      'import pandas as pd',
      'sales = pd.read_csv("/mnt/data/sales.csv")',
      'totals = sales.groupby("region")["revenue"].sum()',
      'totals.to_csv("/mnt/data/totals.csv")',
      'print("rows:", len(sales))',
    ].join('\n');
    const assistant = await env.a.beta.assistants.create({
      model: 'assistd-extractive',
      tools: [{ type: 'code_interpreter' }],
      tool_resources: { code_interpreter: { file_ids: [csv.id] } },
    });
    assert.deepEqual(assistant.tool_resources.code_interpreter.file_ids, [csv.id]);
    const run = await env.a.beta.threads.createAndRunPoll(
      {
        assistant_id: assistant.id,
        thread: {
          messages: [{ role: 'user', content: `Total the revenue per region.\n\`\`\`python\n${code}\n\`\`\`` }],
        },
      },
      { pollIntervalMs: POLL_MS },
    );
    assert.equal(run.status, 'completed', JSON.stringify(run.last_error));
    const [message] = await collect(env.a.beta.threads.messages.list(run.thread_id, { run_id: run.id }));
    const part = message.content.find((p) => p.type === 'text');
    assert.match(part.text.value, /rows: \d+/);
    const paths = part.text.annotations.filter((a) => a.type === 'file_path');
    assert.equal(paths.length, 1, JSON.stringify(part.text));
    const [link] = paths;
    assert.equal(link.text, 'sandbox:/mnt/data/totals.csv');
    assert.equal(Array.from(part.text.value).slice(link.start_index, link.end_index).join(''), link.text);
    const written = await env.a.files.retrieve(link.file_path.file_id);
    assert.equal(written.purpose, 'assistants_output');
    const content = await (await env.a.files.content(written.id)).text();
    assert.match(content, /^region,revenue/);
  });

  it('streamed: code_interpreter toolCall events and imageFileDone', async () => {
    needSandbox();
    const assistant = await env.a.beta.assistants.create({
      model: 'assistd-extractive',
      tools: [{ type: 'code_interpreter' }],
    });
    const stream = env.a.beta.threads.createAndRunStream({
      assistant_id: assistant.id,
      thread: { messages: [{ role: 'user', content: QUESTION }] },
    });
    const created = [];
    const done = [];
    const images = [];
    stream
      .on('toolCallCreated', (call) => created.push(call.type))
      .on('toolCallDone', (call) => done.push(structuredClone(call)))
      .on('imageFileDone', (image) => images.push(image.file_id));
    const run = await stream.finalRun();
    assert.equal(run.status, 'completed');
    assert.deepEqual(created, ['code_interpreter']);
    assert.match(done[0].code_interpreter.input, /plt\.plot/);
    assert.equal(images.length, 1);
    assert.match(images[0], /^file-/);
  });
});
