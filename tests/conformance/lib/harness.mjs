// Starts the real assistd binary for one test file and hands out openai-node
// clients bound to it:
//
//   const env = await startEnv();          // in before()
//   env.a.beta.assistants.create(...)      // project conf-a
//   env.b.beta.assistants.retrieve(...)    // project conf-b (isolation)
//   env.clients[name]                      // projects asked for in startEnv({projects})
//   env.model.script([...])                // scripted model, see scripted_model.mjs
//   await env.stop();                      // in after()
//
// The binary is $ASSISTD_BIN (default /tmp/conf-bin/assistd). Each env has its
// own temporary data dir, two API keys (projects conf-a and conf-b) made with
// `assistd keys create`, and a scripted model server that every model named
// `scripted*` is routed to. Ports are all 0, read back from the logs.
import { spawn, execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { ScriptedModelServer } from './scripted_model.mjs';

// Node 18 has no global File, which openai-node's uploads (toFile, and Blobs
// turned into multipart parts) need; the SDK's own error message recommends
// this polyfill. Node 20+ already has it.
if (typeof globalThis.File === 'undefined') {
  globalThis.File = (await import('node:buffer')).File;
}

export const ASSISTD_BIN = process.env.ASSISTD_BIN || '/tmp/conf-bin/assistd';

// Largest upload the test server accepts (--max_upload_mb), so the 413 test
// needs only a small body.
export const MAX_UPLOAD_MB = 1;

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 40_000; // longer than assistd's 30 s drain

const run = promisify(execFile);

// `assistd keys create`: the key it prints on stdout.
async function createKey(dataDir, project) {
  const { stdout } = await run(ASSISTD_BIN, ['keys', 'create', '--project', project, '--data_dir', dataDir]);
  const key = stdout.split('\n').find((line) => line.startsWith('sk-'));
  if (!key) throw new Error(`assistd keys create printed no key: ${stdout}`);
  return key.trim();
}

// Follows a child's stderr line by line: keeps the whole log (for failure
// messages) and resolves waiters whose regexp matches a line.
class LogWatcher {
  #text = '';
  #pending = '';
  #waiters = [];
  #closed = false;

  constructor(stream) {
    stream.setEncoding('utf8');
    stream.on('data', (data) => {
      this.#pending += data;
      this.#text += data;
      let nl;
      while ((nl = this.#pending.indexOf('\n')) >= 0) {
        const line = this.#pending.slice(0, nl);
        this.#pending = this.#pending.slice(nl + 1);
        this.#waiters = this.#waiters.filter((w) => {
          const m = line.match(w.re);
          if (m) w.resolve(m);
          return !m;
        });
      }
    });
    stream.on('close', () => {
      this.#closed = true;
      for (const w of this.#waiters) w.reject(new Error(`assistd exited before logging ${w.re}:\n${this.#text}`));
      this.#waiters = [];
    });
  }

  // The match of the first line (from now on) matching `re`.
  waitFor(re, timeoutMs) {
    if (this.#closed) return Promise.reject(new Error(`assistd exited:\n${this.#text}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w.re !== re);
        reject(new Error(`assistd did not log ${re} within ${timeoutMs} ms:\n${this.#text}`));
      }, timeoutMs);
      this.#waiters.push({
        re,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
    });
  }
}

// `projects`: more projects (beyond conf-a and conf-b) to make keys for, e.g.
// one whose lists no other test fills; env.clients[name] is their client.
export async function startEnv({ projects = [] } = {}) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'assistd-conformance-'));
  const model = await ScriptedModelServer.start();
  const keys = {};
  for (const project of ['conf-a', 'conf-b', ...projects]) keys[project] = await createKey(dataDir, project);
  const child = spawn(
    ASSISTD_BIN,
    [
      `--data_dir=${dataDir}`,
      '--grpc_addr=127.0.0.1:0',
      '--http_addr=127.0.0.1:0',
      '--auth=keys',
      `--model_endpoints=scripted*=${model.url}`,
      `--max_upload_mb=${MAX_UPLOAD_MB}`,
      // the first matplotlib import in a fresh sandbox can be slow on a busy machine
      '--sandbox_timeout=120s',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // Never outlive the test process, and never keep it alive: Node 18 skips
  // after() hooks when a before() hook fails, so stop() may not be called.
  const killOnExit = () => {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', killOnExit);
  child.unref();
  child.stderr.unref();
  const log = new LogWatcher(child.stderr);
  // Both lines are logged once at startup; listen for both before either comes.
  const httpLine = log.waitFor(/HTTP listening on 127\.0\.0\.1:(\d+)/, STARTUP_TIMEOUT_MS);
  const sandboxLine = log.waitFor(/sandbox: (ready|disabled)(.*)/, STARTUP_TIMEOUT_MS);
  let lines;
  try {
    lines = await Promise.all([httpLine, sandboxLine]);
  } catch (err) {
    process.off('exit', killOnExit);
    killOnExit();
    await model.stop();
    throw err;
  }
  const [[, port], [, sandboxState, sandboxDetail]] = lines;
  const sandbox = { ready: sandboxState === 'ready', detail: `${sandboxState}${sandboxDetail}` };
  const baseURL = `http://127.0.0.1:${port}/v1`;
  const client = (apiKey) => new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: 60_000 });

  const clients = Object.fromEntries(Object.entries(keys).map(([project, key]) => [project, client(key)]));
  return {
    a: clients['conf-a'],
    b: clients['conf-b'],
    clients,
    client, // client(apiKey): e.g. a client with a wrong key
    model,
    sandbox, // {ready, detail} from the "sandbox: ..." log line
    pid: child.pid, // to signal assistd (e.g. SIGTERM mid-stream)
    // SIGTERM, then waits for the exit (SIGKILL past the deadline).
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      await model.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
