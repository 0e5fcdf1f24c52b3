// Small helpers shared by the test files.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { toFile } from 'openai';

// Poll interval for the SDK's *AndPoll helpers and for waitUntil: short, so
// polling does not dominate the suite's time.
export const POLL_MS = 50;

// The repository root (tests/conformance/lib -> ../../..).
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

// A file of the repository, read as a Buffer.
export function repoFile(relativePath) {
  return readFile(new URL(relativePath, `file://${REPO_ROOT}`));
}

// An in-memory upload for files.create and the vector-store upload helpers.
export function textUpload(name, text) {
  return toFile(Buffer.from(text, 'utf8'), name, { type: 'text/plain' });
}

// Calls `fn` until `done(value)` holds, POLL_MS apart, failing after
// `timeoutMs`. Returns the last value.
export async function waitUntil(fn, done, { timeoutMs = 30_000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// Awaits `promise`, which must reject with an instance of `ErrorClass` (one of
// the SDK's: OpenAI.NotFoundError, ...) carrying `status`; `message` (string
// or RegExp) is checked against the server's error message. Returns the error.
export async function rejectsWith(promise, ErrorClass, { status, message } = {}) {
  let error;
  try {
    await promise;
  } catch (err) {
    error = err;
  }
  assert.ok(error, `expected ${ErrorClass.name}, but the call succeeded`);
  assert.ok(
    error instanceof ErrorClass,
    `expected ${ErrorClass.name}, got ${error?.constructor?.name}: ${error?.status} ${error?.message}`,
  );
  if (status !== undefined) assert.equal(error.status, status);
  if (message instanceof RegExp) assert.match(error.error?.message ?? '', message);
  else if (message !== undefined) assert.equal(error.error?.message, message);
  return error;
}

// Collects every item of an SDK list (auto-pagination with `for await`).
export async function collect(pagePromise) {
  const items = [];
  for await (const item of pagePromise) items.push(item);
  return items;
}

// The joined text of a message's text parts.
export function messageText(message) {
  return message.content
    .filter((part) => part.type === 'text')
    .map((part) => part.text.value)
    .join('');
}

// A function tool for the scripted model to call.
export const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

// An assistant (project conf-a) on a fresh scripted model playing `turns`;
// `extra` adds assistant fields (tools, instructions, ...).
export async function scriptedAssistant(env, turns, extra = {}) {
  const model = env.model.script(turns);
  const assistant = await env.a.beta.assistants.create({ model, ...extra });
  return { model, assistant };
}
