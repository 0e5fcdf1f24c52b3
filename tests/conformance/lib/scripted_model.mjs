// A scripted OpenAI-compatible model server for assistd's runs to call
// (POST /v1/chat/completions, on loopback, port 0).
//
// assistd routes every model named `scripted*` here (--model_endpoints). Each
// test scripts its own model name, so tests running at the same time never
// take each other's turns:
//
//   const model = modelServer.script([
//     toolCallsTurn([{ name: 'get_weather', arguments: '{"city":"Paris"}' }]),
//     textTurn('It is sunny.', { deltas: 3 }),
//   ]);                                      // -> 'scripted-7'
//   ... create an assistant with { model } and run it ...
//   modelServer.requests(model)[1].messages  // what assistd sent
//
// Answers are streamed (SSE chat.completion.chunk records, a usage chunk when
// asked, then [DONE]). Turns are used once each, in order. A request with no
// turn left is answered 400 (assistd fails the run with invalid_prompt; it
// does not retry 4xx), so a test that runs out of script fails fast instead of
// hanging.
import http from 'node:http';

// Plain text, streamed in `deltas` pieces; `finishReason` 'length' says the
// answer hit max_tokens.
export function textTurn(text, { deltas = 1, finishReason = 'stop' } = {}) {
  return { kind: 'text', text, deltas, finishReason };
}

// Function calls ({name, arguments: JSON string}); each call's arguments are
// streamed in `fragments` pieces.
export function toolCallsTurn(calls, { fragments = 3 } = {}) {
  return { kind: 'tool_calls', calls, fragments };
}

// An HTTP error with an OpenAI-style error body.
export function errorTurn(status, message = 'scripted error') {
  return { kind: 'error', status, message };
}

// Streams the first piece of `text`, then stalls until assistd hangs up (as it
// does when the run is cancelled) or `stallMs` passes.
export function slowTurn(text, { stallMs = 60_000 } = {}) {
  return { kind: 'slow', text, stallMs };
}

// Splits `text` into `n` pieces of about equal length (never empty ones).
function split(text, n) {
  const chars = Array.from(text);
  const count = Math.max(1, Math.min(n, chars.length));
  const size = Math.ceil(chars.length / count);
  const pieces = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(''));
  return pieces.length ? pieces : [''];
}

export class ScriptedModelServer {
  #server;
  #turns = new Map(); // model name -> queued turns
  #requests = new Map(); // model name -> request bodies, in arrival order
  #sockets = new Set();
  #nextModel = 0;
  #nextCall = 0;

  // Starts listening on 127.0.0.1 (any free port).
  static async start() {
    const s = new ScriptedModelServer();
    s.#server = http.createServer((req, res) => s.#handle(req, res));
    s.#server.on('connection', (socket) => {
      s.#sockets.add(socket);
      socket.on('close', () => s.#sockets.delete(socket));
    });
    await new Promise((resolve) => s.#server.listen(0, '127.0.0.1', resolve));
    s.#server.unref(); // see harness.mjs: a failed before() must not hang the run
    return s;
  }

  // The base URL assistd is given: http://127.0.0.1:PORT/v1
  get url() {
    return `http://127.0.0.1:${this.#server.address().port}/v1`;
  }

  // Queues `turns` under a fresh model name and returns the name.
  script(turns) {
    const model = `scripted-${++this.#nextModel}`;
    this.#turns.set(model, [...turns]);
    this.#requests.set(model, []);
    return model;
  }

  // The chat-completion request bodies received for `model`.
  requests(model) {
    return this.#requests.get(model) ?? [];
  }

  async stop() {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return sendJson(res, 404, { error: { message: `no route ${req.method} ${req.url}` } });
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const log = this.#requests.get(body.model);
    const turn = this.#turns.get(body.model)?.shift();
    if (log) log.push(body);
    if (!turn) {
      return sendJson(res, 400, errorBody(`nothing scripted for model '${body.model}'`));
    }
    if (turn.kind === 'error') return sendJson(res, turn.status, errorBody(turn.message));
    // assistd always streams (services/orchestrator/model/openai_chat_model.cc).
    if (!body.stream) return sendJson(res, 400, errorBody('the scripted model only streams'));
    const choice = this.#choice(turn);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const chunk = (delta, finishReason = null) =>
      res.write(
        `data: ${JSON.stringify({
          id: 'chatcmpl-scripted',
          object: 'chat.completion.chunk',
          created: Math.floor(Date.now() / 1000),
          model: body.model,
          choices: [{ index: 0, delta, finish_reason: finishReason }],
        })}\n\n`,
      );
    if (turn.kind === 'slow') {
      chunk({ role: 'assistant', content: split(turn.text, 2)[0] });
      if (await hungUp(res, turn.stallMs)) return;
    }
    for (const delta of choice.deltas) chunk(delta);
    chunk({}, choice.finishReason);
    if (body.stream_options?.include_usage) {
      res.write(
        `data: ${JSON.stringify({
          id: 'chatcmpl-scripted',
          object: 'chat.completion.chunk',
          model: body.model,
          choices: [],
          usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
        })}\n\n`,
      );
    }
    res.end('data: [DONE]\n\n');
  }

  // The turn as stream deltas and its finish_reason.
  #choice(turn) {
    if (turn.kind === 'tool_calls') {
      // Each call: id, type and name in its first delta, then its arguments
      // in fragments (as OpenAI and vLLM stream them).
      const deltas = [];
      turn.calls.forEach((c, index) => {
        const id = `call_scripted${++this.#nextCall}`;
        deltas.push({
          role: 'assistant',
          tool_calls: [{ index, id, type: 'function', function: { name: c.name, arguments: '' } }],
        });
        for (const piece of split(c.arguments, turn.fragments)) {
          deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
        }
      });
      return { deltas, finishReason: 'tool_calls' };
    }
    // text, or the rest of a slow answer after its first piece
    const pieces = turn.kind === 'slow' ? split(turn.text, 2).slice(1) : split(turn.text, turn.deltas);
    return {
      deltas: pieces.map((content, i) =>
        i === 0 && turn.kind !== 'slow' ? { role: 'assistant', content } : { content },
      ),
      finishReason: turn.finishReason ?? 'stop',
    };
  }
}

function errorBody(message) {
  return { error: { message, type: 'invalid_request_error', param: null, code: null } };
}

function sendJson(res, status, value) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

// Waits until the client hangs up (true) or `ms` passes (false).
function hungUp(res, ms) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    res.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
