// beta.assistants.{create, retrieve, update, list, delete}, with the SDK's
// auto-pagination over several pages in both orders.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startEnv } from './lib/harness.mjs';
import { collect, rejectsWith } from './lib/util.mjs';

describe('assistants', { concurrency: true }, () => {
  let env;
  before(async () => {
    env = await startEnv({ projects: ['conf-list'] });
  });
  after(() => env?.stop());

  it('create, retrieve, update and delete', async () => {
    const tools = [
      { type: 'code_interpreter' },
      { type: 'file_search', file_search: { max_num_results: 5 } },
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
        },
      },
    ];
    const created = await env.a.beta.assistants.create({
      model: 'assistd-extractive',
      name: 'crud',
      instructions: 'Be brief.',
      tools,
      metadata: { team: 'conformance' },
      temperature: 0.5,
    });
    assert.match(created.id, /^asst_/);
    assert.equal(created.object, 'assistant');
    assert.equal(typeof created.created_at, 'number');
    assert.ok(created.created_at < 1e11, 'created_at is in seconds');
    assert.equal(created.name, 'crud');
    assert.equal(created.description, null);
    assert.equal(created.model, 'assistd-extractive');
    assert.equal(created.instructions, 'Be brief.');
    assert.deepEqual(created.metadata, { team: 'conformance' });
    assert.equal(created.temperature, 0.5);
    assert.deepEqual(
      created.tools.map((t) => t.type),
      ['code_interpreter', 'file_search', 'function'],
    );
    assert.equal(created.tools[1].file_search.max_num_results, 5);
    assert.equal(created.tools[2].function.name, 'get_weather');
    assert.deepEqual(created.tools[2].function.parameters, tools[2].function.parameters);

    const got = await env.a.beta.assistants.retrieve(created.id);
    assert.deepEqual(got, created);

    const updated = await env.a.beta.assistants.update(created.id, {
      name: 'renamed',
      description: 'updated',
      metadata: { team: 'x' },
    });
    assert.equal(updated.name, 'renamed');
    assert.equal(updated.description, 'updated');
    assert.deepEqual(updated.metadata, { team: 'x' });
    assert.equal(updated.instructions, 'Be brief.', 'fields not in the update are kept');

    const deleted = await env.a.beta.assistants.delete(created.id);
    assert.deepEqual(deleted, { id: created.id, object: 'assistant.deleted', deleted: true });
    await rejectsWith(env.a.beta.assistants.retrieve(created.id), OpenAI.NotFoundError, {
      status: 404,
      message: `No assistant found with id '${created.id}'.`,
    });
  });

  it('list pages through every assistant with for await, in both orders', async () => {
    // A project of its own keeps other tests' assistants out of the list.
    const c = env.clients['conf-list'];
    const ids = [];
    for (let i = 0; i < 7; i++)
      ids.push((await c.beta.assistants.create({ model: 'assistd-extractive', name: `a${i}` })).id);

    const asc = await collect(c.beta.assistants.list({ order: 'asc', limit: 2 }));
    assert.deepEqual(
      asc.map((a) => a.id),
      ids,
    );
    const desc = await collect(c.beta.assistants.list({ limit: 3 })); // default order is desc
    assert.deepEqual(
      desc.map((a) => a.id),
      [...ids].reverse(),
    );

    // One page by hand: the envelope and the cursors.
    const page = await c.beta.assistants.list({ order: 'asc', limit: 3 });
    assert.deepEqual(
      page.data.map((a) => a.id),
      ids.slice(0, 3),
    );
    assert.equal(page.has_more, true);
    assert.equal(page.hasNextPage(), true);
    const next = await page.getNextPage();
    assert.deepEqual(
      next.data.map((a) => a.id),
      ids.slice(3, 6),
    );
    const last = await c.beta.assistants.list({ order: 'asc', after: ids[5] });
    assert.deepEqual(
      last.data.map((a) => a.id),
      [ids[6]],
    );
    assert.equal(last.has_more, false);
    const before = await c.beta.assistants.list({ order: 'asc', before: ids[2] });
    assert.deepEqual(
      before.data.map((a) => a.id),
      ids.slice(0, 2),
    );
  });
});
