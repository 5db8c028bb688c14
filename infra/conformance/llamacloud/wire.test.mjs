// Wire fidelity: the semantics the official @llamaindex/llama-cloud client
// documents (resources/files.d.ts, core/pagination.js), each tried the way
// the client uses it. Project C is this file's alone: node runs test files
// in parallel, and files.test.mjs counts what project A holds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';

import LlamaCloud, { toFile, APIError, BadRequestError, UnprocessableEntityError } from '@llamaindex/llama-cloud';

import { env, nativeCall, nativeUpload, rawList, collect, filToUUID, uuidToFil, minimalPDF } from './fixtures.mjs';

const baseURL = env('FILEGATE_URL');
const key = env('FILEGATE_KEY_C');
const maxDirect = Number(env('FILEGATE_DIRECT_UPLOAD_MAX'));
const lambdaPayload = Number(env('FILEGATE_LAMBDA_PAYLOAD_MAX'));
const c = new LlamaCloud({ apiKey: key, baseURL, maxRetries: 0 });

const uuidV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const text = (s) => Buffer.from(`${s}\n`);

async function upload(name, purpose = 'user_data', params = {}, bytes = text(name)) {
  return c.files.create({ file: await toFile(bytes, name), purpose, ...params });
}

// walk follows next_page_token the way the client does, and fails on the one
// page shape that makes the client stop early: an empty page with a token.
async function walk(params) {
  const items = [];
  let page = await c.files.list(params);
  for (let n = 0; ; n++) {
    assert.ok(page.items.length > 0 || !page.next_page_token, `page ${n} of ${JSON.stringify(params)} is empty but has next_page_token`);
    items.push(...page.items);
    if (!page.next_page_token) return items;
    page = await page.getNextPage();
  }
}

const byID = (x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
const byNameThenID = (x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : byID(x, y));
const ids = (fs) => fs.map((f) => f.id);

// 422s look like FastAPI's: {"detail": [{loc, msg, type, ...}]}.
async function rejects422(fn, want) {
  await assert.rejects(fn, (err) => {
    assert.ok(err instanceof UnprocessableEntityError, `want UnprocessableEntityError, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, 422);
    assert.ok(Array.isArray(err.error?.detail), `detail ${JSON.stringify(err.error)} is no list`);
    const got = err.error.detail.map(({ loc, type }) => ({ loc, type }));
    assert.deepEqual(got, want);
    for (const d of err.error.detail) assert.equal(typeof d.msg, 'string');
    return true;
  });
}

async function rejects400(fn, detailPattern) {
  await assert.rejects(fn, (err) => {
    assert.ok(err instanceof BadRequestError, `want BadRequestError, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(typeof err.error?.detail, 'string');
    assert.match(err.error.detail, detailPattern);
    return true;
  });
}

describe('ids: one UUIDv7, spelled as a UUID here and fil_… natively (point 10)', () => {
  test('a new file\'s id is a UUIDv7 of its creation time', async () => {
    const before = Date.now();
    const f = await upload('uuid.txt');
    assert.match(f.id, uuidV7);
    const ms = parseInt(f.id.replaceAll('-', '').slice(0, 12), 16);
    assert.ok(ms >= before - 1000 && ms <= Date.now() + 1000, `timestamp ${ms} is not the upload's`);
  });

  test('both spellings reach the same record on both APIs', async () => {
    const f = await upload('spellings.txt');
    const fil = uuidToFil(f.id);
    assert.match(fil, /^fil_[0-9A-HJKMNP-TV-Z]{26}$/);
    for (const id of [f.id, fil, f.id.toUpperCase()]) {
      const n = await nativeCall(baseURL, key, 'GET', `/v1/files/${id}`);
      assert.equal(n.status, 200, `native GET ${id}`);
      assert.equal(n.body.id, fil);
      assert.equal((await c.files.retrieve(id)).id, f.id, `compat retrieve ${id}`);
      const u = await c.files.content(id);
      assert.equal((await fetch(u.url)).status, 200);
    }
    const g = await upload('spellings-2.txt');
    const listed = await walk({ file_ids: [fil, g.id], order_by: 'id' });
    assert.deepEqual(ids(listed), [f.id, g.id]);
    const queried = await c.files.query({ filter: { file_ids: [f.id, uuidToFil(g.id)] }, order_by: 'id' });
    assert.deepEqual(ids(queried.items), [f.id, g.id]);
    await c.files.delete(fil);
    assert.equal((await nativeCall(baseURL, key, 'GET', `/v1/files/${f.id}`)).status, 404);
  });

  test('a native session completes, links, cancels and deletes by its UUID', async () => {
    const bytes = text('native by uuid');
    const s = await nativeCall(baseURL, key, 'POST', '/v1/files', { filename: 'n.txt', mimeType: 'text/plain', sizeBytes: bytes.length });
    assert.equal(s.status, 200);
    assert.match(s.body.id, /^fil_/);
    const uuid = filToUUID(s.body.id);
    assert.match(uuid, uuidV7);
    assert.equal((await fetch(s.body.uploadUrl, { method: 'PUT', headers: s.body.uploadHeaders, body: bytes })).status, 200);
    const done = await nativeCall(baseURL, key, 'POST', `/v1/files/${uuid}/complete`, {});
    assert.equal(done.status, 200);
    assert.equal(done.body.status, 'COMPLETED');
    assert.equal(done.body.id, s.body.id);
    assert.equal((await nativeCall(baseURL, key, 'GET', `/v1/files/${uuid}/url`)).status, 200);
    assert.equal((await c.files.retrieve(s.body.id)).id, uuid);
    assert.equal((await nativeCall(baseURL, key, 'DELETE', `/v1/files/${uuid}`)).status, 204);

    const p = await nativeCall(baseURL, key, 'POST', '/v1/files', { filename: 'p.txt', mimeType: 'text/plain', sizeBytes: 3 });
    const cancelled = await nativeCall(baseURL, key, 'POST', `/v1/files/${filToUUID(p.body.id)}/cancel`, {});
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'CANCELLED');
  });

  test('ids that are neither spelling are not found', async () => {
    for (const id of ['0190f1c2-0000-7000-8000-00000000000g', '0190f1c20000700080000000000000000', 'fil_0190f1c2']) {
      assert.equal((await nativeCall(baseURL, key, 'GET', `/v1/files/${id}`)).status, 404, id);
    }
  });
});

describe('pagination never ends early (point 8)', () => {
  test('six files of one name, the oldest with an external_file_id, in every order', async () => {
    const six = [];
    six.push(await upload('six.txt', 'user_data', { external_file_id: 'six-ext' }));
    for (let i = 1; i < 6; i++) six.push(await upload('six.txt'));
    for (const order_by of ['name', 'id', 'created_at']) {
      for (const page_size of [1, 2]) {
        const params = { file_name: 'six.txt', external_file_id: 'six-ext', page_size, order_by };
        assert.deepEqual(ids(await walk(params)), [six[0].id], JSON.stringify(params));
        assert.deepEqual(ids(await collect(c.files.list(params))), [six[0].id], `for await ${JSON.stringify(params)}`);
      }
    }
    const q = await c.files.query({ filter: { file_name: 'six.txt', external_file_id: 'six-ext' }, page_size: 1 });
    assert.deepEqual(ids(q.items), [six[0].id]);
    assert.ok(!q.next_page_token);
  });

  test('names sharing their first 900 bytes: an exact file_name finds its file on page one', async () => {
    const stem = '😀'.repeat(226); // 904 bytes: past the index's 900-byte name key
    const others = [];
    for (const tail of ['b', 'c', 'd']) others.push(await upload(`${stem}${tail}.txt`));
    const target = await upload(`${stem}a.txt`);
    for (const order_by of ['name', 'id', 'created_at']) {
      const first = await c.files.list({ file_name: target.name, page_size: 1, order_by });
      assert.deepEqual(ids(first.items), [target.id], `first page, order_by=${order_by}`);
      assert.deepEqual(ids(await walk({ file_name: target.name, page_size: 1, order_by })), [target.id]);
    }
    assert.deepEqual(ids(await walk({ file_name: others[1].name, page_size: 1, order_by: 'id' })), [others[1].id]);
  });

  test('files past their retention are skipped, never leaving an empty page with a token', async () => {
    // Each file's retention ends 6 s after its create (time enough to upload
    // and complete it on a loaded machine); the records stay in the index
    // until TTL (the test stack's sweeper runs only when asked), so reads
    // must skip them.
    let until;
    const name = '!fleeting.txt'; // sorts before every other name of the project
    const bytes = text('gone soon');
    for (let i = 0; i < 5; i++) {
      until = new Date(Date.now() + 6000).toISOString();
      const s = await nativeCall(baseURL, key, 'POST', '/v1/files', { filename: name, mimeType: 'text/plain', sizeBytes: bytes.length, retentionExpiresAt: until });
      assert.equal(s.status, 200, JSON.stringify(s.body));
      assert.equal((await fetch(s.body.uploadUrl, { method: 'PUT', headers: s.body.uploadHeaders, body: bytes })).status, 200);
      assert.equal((await nativeCall(baseURL, key, 'POST', `/v1/files/${s.body.id}/complete`, {})).status, 200);
    }
    const live = await upload(name);
    await new Promise((r) => setTimeout(r, Date.parse(until) - Date.now() + 300));
    for (const order_by of ['name', 'id', 'created_at']) {
      assert.deepEqual(ids(await walk({ file_name: name, page_size: 1, order_by })), [live.id], `order_by=${order_by}`);
      assert.deepEqual(ids(await collect(c.files.list({ file_name: name, page_size: 2, order_by }))), [live.id]);
    }
    const first = await c.files.list({ page_size: 1, order_by: 'name' });
    assert.deepEqual(ids(first.items), [live.id], 'the project\'s first page by name');
    const everything = await walk({ page_size: 2, order_by: 'name' });
    assert.equal(everything.filter((f) => f.name === name).length, 1);
  });
});

describe('order_by as documented per endpoint (point 9)', () => {
  let files; // external_file_id "ord": names b, a, c, a, oldest first
  const supportedGET = /name.*id.*created_at/s;
  const supportedPOST = /desc/;

  test('setup', async () => {
    files = [];
    for (const n of ['b.txt', 'a.txt', 'c.txt', 'a.txt']) files.push(await upload(n, 'user_data', { external_file_id: 'ord' }));
  });

  test('GET: name ascending, id ascending, created_at newest first; nothing else', async () => {
    const cases = { name: [...files].sort(byNameThenID), id: [...files].sort(byID), created_at: [...files].sort(byID).reverse() };
    for (const [order_by, want] of Object.entries(cases)) {
      assert.deepEqual(ids(await walk({ external_file_id: 'ord', order_by, page_size: 1 })), ids(want), order_by);
    }
    for (const order_by of ['created_at desc', 'created_at asc', 'name asc', 'id desc', 'name,id', 'NAME', 'file_size']) {
      await rejects400(() => c.files.list({ order_by }), supportedGET);
    }
  });

  test('POST /query: a comma list, each field ascending unless followed by desc', async () => {
    const oldest = [...files].sort(byID);
    const byName = [...files].sort(byNameThenID);
    const cases = {
      created_at: oldest,
      'created_at asc': oldest,
      'created_at desc': [...oldest].reverse(),
      id: oldest,
      'id desc': [...oldest].reverse(),
      name: byName,
      'name asc, created_at': byName,
      'name,id': byName,
      'name desc': [...byName].reverse(),
      'name desc, created_at desc': [...byName].reverse(),
    };
    for (const [order_by, want] of Object.entries(cases)) {
      const got = [];
      let page_token;
      do {
        const r = await c.files.query({ filter: { external_file_id: 'ord' }, order_by, page_size: 1, page_token });
        assert.ok(r.items.length > 0 || !r.next_page_token, `empty page with a token, order_by=${order_by}`);
        got.push(...r.items);
        page_token = r.next_page_token || undefined;
      } while (page_token);
      assert.deepEqual(ids(got), ids(want), `order_by=${order_by}`);
      const byIDs = await c.files.query({ filter: { file_ids: ids(files) }, order_by });
      assert.deepEqual(ids(byIDs.items), ids(want), `file_ids, order_by=${order_by}`);
    }
    for (const order_by of ['name, created_at desc', 'name desc, id', 'file_size', 'created_at sideways', 'name,,id']) {
      await rejects400(() => c.files.query({ filter: { external_file_id: 'ord' }, order_by }), supportedPOST);
    }
  });
});

describe('missing or mistyped inputs are FastAPI 422s (point 12)', () => {
  test('upload without purpose, without file, or with neither', async () => {
    const file = await toFile(text('x'), 'x.txt');
    await rejects422(() => c.files.create({ file }), [{ loc: ['body', 'purpose'], type: 'missing' }]);
    await rejects422(() => c.files.create({ purpose: 'user_data' }), [{ loc: ['body', 'file'], type: 'missing' }]);
    await rejects422(() => c.files.create({}), [{ loc: ['body', 'file'], type: 'missing' }, { loc: ['body', 'purpose'], type: 'missing' }]);
  });

  test('a file that is a plain field, not an upload', async () => {
    await rejects422(() => c.files.create({ file: 'just a string', purpose: 'user_data' }), [{ loc: ['body', 'file'], type: 'value_error' }]);
  });

  test('query parameters of the wrong type', async () => {
    await rejects422(() => c.files.list({ page_size: 'abc' }), [{ loc: ['query', 'page_size'], type: 'int_parsing' }]);
    await rejects422(() => c.files.list({ page_size: '1.5' }), [{ loc: ['query', 'page_size'], type: 'int_parsing' }]);
    const f = await upload('typed.txt');
    await rejects422(() => c.files.content(f.id, { expires_at_seconds: 'soon' }), [{ loc: ['query', 'expires_at_seconds'], type: 'float_parsing' }]);
  });

  test('query body fields of the wrong type', async () => {
    await rejects422(() => c.files.query({ page_size: 'abc' }), [{ loc: ['body', 'page_size'], type: 'int_parsing' }]);
    await rejects422(() => c.files.query({ page_size: 2.5 }), [{ loc: ['body', 'page_size'], type: 'int_from_float' }]);
    await rejects422(() => c.files.query({ order_by: 7 }), [{ loc: ['body', 'order_by'], type: 'string_type' }]);
    await rejects422(() => c.files.query({ filter: 'x' }), [{ loc: ['body', 'filter'], type: 'model_attributes_type' }]);
    await rejects422(() => c.files.query({ filter: { file_ids: 'a' } }), [{ loc: ['body', 'filter', 'file_ids'], type: 'list_type' }]);
    await rejects422(() => c.files.query({ filter: { file_ids: ['a', 3] } }), [{ loc: ['body', 'filter', 'file_ids', 1], type: 'string_type' }]);
    await rejects422(() => c.files.query({ filter: { only_manually_uploaded: 'maybe' } }), [{ loc: ['body', 'filter', 'only_manually_uploaded'], type: 'bool_parsing' }]);
    const res = await fetch(`${baseURL}/api/v1/beta/files/query`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: '{"page_size":' });
    assert.equal(res.status, 422);
    assert.equal((await res.json()).detail[0].type, 'json_invalid');
  });

  test('other errors keep a string detail', async () => {
    const { status, body } = await rawList(baseURL, key, 'page_size=0');
    assert.equal(status, 400);
    assert.equal(typeof body.detail, 'string');
  });
});

describe('upload size: what Lambda carries (point 13)', () => {
  test('the limit is derived from Lambda\'s payload limit with room for the event', () => {
    // base64 makes 3 bytes 4; the rest is headers, form framing and the event.
    assert.ok(maxDirect * 4 / 3 < lambdaPayload, `${maxDirect} bytes do not fit base64-encoded in ${lambdaPayload}`);
    assert.ok(maxDirect > 4.3 * 2 ** 20 && maxDirect < 4.5 * 2 ** 20, `${maxDirect} is not about 4.4 MiB`);
  });

  test('a file of exactly the limit is stored', async () => {
    const bytes = Buffer.alloc(maxDirect, 'a');
    const f = await upload('at-the-limit.txt', 'user_data', {}, bytes);
    assert.equal(f.file_size, maxDirect);
    const res = await fetch((await c.files.content(f.id)).url);
    assert.equal(Buffer.from(await res.arrayBuffer()).length, maxDirect);
    await c.files.delete(f.id);
  });

  test('one byte more is a 413 that states the limit and points to the presigned flow', async () => {
    const bytes = Buffer.alloc(maxDirect + 1, 'a');
    await assert.rejects(() => upload('past-the-limit.txt', 'user_data', {}, bytes), (err) => {
      assert.ok(err instanceof APIError, `got ${err?.constructor?.name}`);
      assert.equal(err.status, 413);
      assert.equal(typeof err.error.detail, 'string');
      assert.match(err.error.detail, new RegExp(`${maxDirect} bytes`));
      assert.match(err.error.detail, new RegExp(`${lambdaPayload}`));
      assert.match(err.error.detail, /POST \/v1\/files/);
      return true;
    });
    assert.equal((await collect(c.files.list({ file_name: 'past-the-limit.txt' }))).length, 0);
  });

  test('a body Lambda cannot take is refused by the gateway', async () => {
    const bytes = Buffer.alloc(Math.ceil(lambdaPayload * 3 / 4), 'a');
    await assert.rejects(() => upload('past-lambda.txt', 'user_data', {}, bytes), (err) => {
      assert.ok(err instanceof APIError, `got ${err?.constructor?.name}`);
      assert.equal(err.status, 413);
      return true;
    });
  });

  test('a native presigned upload of the same size works', async () => {
    const bytes = Buffer.alloc(maxDirect + 1, 'a');
    const f = await nativeUpload(baseURL, key, 'presigned-big.txt', 'text/plain', bytes);
    assert.equal(f.sizeBytes, maxDirect + 1);
    assert.equal((await nativeCall(baseURL, key, 'DELETE', `/v1/files/${f.id}`)).status, 204);
  });
});

describe('the contract, round 2 (issue 28)', () => {
  test('a name of 3000 characters (the documented maxLength) is stored whole and downloads under a shortened name that keeps its extension', async () => {
    const name = `${'n'.repeat(2996)}.txt`;
    const f = await upload(name);
    assert.equal(f.name, name);
    assert.equal(f.file_type, 'txt');
    assert.equal((await c.files.retrieve(f.id)).name, name);
    const res = await fetch((await c.files.content(f.id)).url);
    assert.equal(res.status, 200);
    const disposition = res.headers.get('content-disposition');
    const star = /filename\*=UTF-8''([^;]+)/.exec(disposition);
    assert.ok(star, `no filename* in ${disposition}`);
    const saved = decodeURIComponent(star[1]);
    assert.ok(Buffer.byteLength(saved) <= 255, `the download is saved as ${Buffer.byteLength(saved)} bytes of name`);
    assert.ok(saved.endsWith('.txt') && saved.startsWith('nnn'), saved);
    await rejects400(() => upload(`${'n'.repeat(2997)}.txt`), /name must be 1 to 3000 characters/);
  });

  test('a malformed file id or project_id is FastAPI\'s 422, as a UUID path or query parameter is', async () => {
    await rejects422(() => c.files.retrieve('not-a-uuid'), [{ loc: ['path', 'file_id'], type: 'uuid_parsing' }]);
    await rejects422(() => c.files.content('0190f1c2-0000-7000-8000-00000000000g'), [{ loc: ['path', 'file_id'], type: 'uuid_parsing' }]);
    await rejects422(() => c.files.delete('fil_0190f1c2'), [{ loc: ['path', 'file_id'], type: 'uuid_parsing' }]);
    await rejects422(() => c.files.list({ project_id: 'my-project' }), [{ loc: ['query', 'project_id'], type: 'uuid_parsing' }]);
    await rejects422(() => c.files.list({ organization_id: '42' }), [{ loc: ['query', 'organization_id'], type: 'uuid_parsing' }]);
    // Both spellings of a real id still work; a well-formed unknown one is a 404.
    const f = await upload('well-formed.txt');
    assert.equal((await c.files.retrieve(uuidToFil(f.id))).id, f.id);
    await assert.rejects(() => c.files.retrieve('0190f1c2-0000-7000-8000-000000000000'), (err) => err.status === 404);
  });

  test('each API takes its own provider\'s purposes and refuses the other\'s', async () => {
    for (const purpose of ['meeting_transcript', 'knowledge_user', 'knowledge_workspace', 'email_attachment']) {
      await rejects400(() => upload('lightfield.txt', purpose), /purpose/);
    }
    for (const purpose of ['user_data', 'parse', 'extract', 'split', 'classify', 'sheet', 'agent_app']) {
      const n = await nativeCall(baseURL, key, 'POST', '/v1/files', { filename: 'l.pdf', mimeType: 'application/pdf', sizeBytes: 10, purpose });
      assert.equal(n.status, 400, `native create with ${purpose}`);
      assert.equal(n.body.error.param, 'purpose');
    }
  });

  test('errors name this API\'s fields, not the native ones', async () => {
    const file = await toFile(minimalPDF('x'), 'invoice.html', { type: 'application/pdf' });
    await assert.rejects(() => c.files.create({ file, purpose: 'parse' }), (err) => {
      assert.equal(err.status, 400);
      assert.doesNotMatch(err.error.detail, /mimeType|filename|sizeBytes/, err.error.detail);
      assert.match(err.error.detail, /invoice\.html/);
      return true;
    });
  });
});
