// The official LlamaCloud TypeScript client, unmodified, against Filegate's
// compat API: only baseURL and the API key change (docs/api.md "LlamaCloud-compatible API").
import { describe, test, before } from 'node:test';
import assert from 'node:assert/strict';

import LlamaCloud, {
  toFile,
  APIError,
  AuthenticationError,
  BadRequestError,
  NotFoundError,
  PermissionDeniedError,
  UnprocessableEntityError,
} from '@llamaindex/llama-cloud';

import { env, minimalPDF, nativeCall, nativeUpload, rawList, collect, filToUUID, uuidToFil, eventually, settled } from './fixtures.mjs';

const baseURL = env('FILEGATE_URL');
const keyA = env('FILEGATE_KEY_A');
const projectA = env('FILEGATE_PROJECT_A');
const orgA = env('FILEGATE_ORG_A');
const keyB = env('FILEGATE_KEY_B');
const keyReadOnlyA = env('FILEGATE_KEY_A_READONLY');

// maxRetries: 0 so a wrong status fails at once instead of being retried.
const client = (apiKey) => new LlamaCloud({ apiKey, baseURL, maxRetries: 0 });
const a = client(keyA);
const b = client(keyB);

const pdfBytes = minimalPDF('Filegate conformance');
const csvBytes = Buffer.from('id,name,amount\n1,alpha,10\n2,beta,20\n3,gamma,30\n');

// What project A holds once `before` ran, by id.
const uploaded = new Map();
let pdf, csv, nativeFile;

async function upload(name, bytes, purpose, extra = {}) {
  const f = await a.files.create({ file: await toFile(bytes, name, extra.type ? { type: extra.type } : undefined), purpose, ...extra.params });
  uploaded.set(f.id, { ...f, bytes });
  return f;
}

// rejects asserts that fn fails with the client's error class and status.
async function rejects(fn, ErrorClass, status) {
  await assert.rejects(fn, (err) => {
    assert.ok(err instanceof ErrorClass, `want ${ErrorClass.name}, got ${err?.constructor?.name}: ${err?.message}`);
    assert.equal(err.status, status);
    assert.equal(typeof err.error?.detail, 'string', `error body ${JSON.stringify(err.error)} has no detail`);
    return true;
  });
}

const byNameThenID = (x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
const byID = (x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

before(async () => {
  pdf = await upload('report.pdf', pdfBytes, 'parse', { type: 'application/pdf' });
  // No type on the Blob: the part says application/octet-stream, the extension decides.
  csv = await upload('data.csv', csvBytes, 'sheet', { params: { external_file_id: 'crm-42' } });
  for (let i = 0; i < 4; i++) await upload(`note-${i}.txt`, Buffer.from(`note ${i}\n`), 'user_data');
  await upload('dup.txt', Buffer.from('first\n'), 'user_data', { params: { external_file_id: 'ext-shared' } });
  await upload('dup.txt', Buffer.from('second\n'), 'user_data');
  await upload('dup.txt.bak', Buffer.from('backup\n'), 'user_data', { params: { external_file_id: 'ext-shared' } });
  await upload('Zeta notes.md', Buffer.from('# zeta\n'), 'user_data', { params: { external_file_id: 'ext-shared' } });
  // A file uploaded and completed through the native presigned flow.
  nativeFile = await nativeUpload(baseURL, keyA, 'native.txt', 'text/plain', Buffer.from('from the native API\n'));
  nativeFile.uuid = filToUUID(nativeFile.id); // its id as this API spells it
});

describe('files.create', () => {
  test('a PDF comes back as a LlamaCloud File', () => {
    assert.match(pdf.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a UUIDv7');
    assert.equal(pdf.name, 'report.pdf');
    assert.equal(pdf.project_id, projectA);
    assert.equal(pdf.file_type, 'pdf');
    assert.equal(pdf.file_size, pdfBytes.length);
    assert.equal(pdf.purpose, 'parse');
    assert.equal(pdf.external_file_id, null);
    assert.equal(pdf.expires_at, null);
    assert.equal(pdf.data_source_id, null);
    assert.equal(pdf.permission_info, null);
    assert.equal(pdf.resource_info, null);
    assert.ok(!('download_url' in pdf), 'download_url only with expand');
    for (const k of ['created_at', 'updated_at', 'last_modified_at']) {
      assert.ok(!Number.isNaN(Date.parse(pdf[k])), `${k} ${pdf[k]} is no timestamp`);
    }
  });

  test('a CSV typed by its extension keeps its external_file_id', () => {
    assert.equal(csv.name, 'data.csv');
    assert.equal(csv.file_type, 'csv');
    assert.equal(csv.file_size, csvBytes.length);
    assert.equal(csv.external_file_id, 'crm-42');
    assert.equal(csv.purpose, 'sheet');
  });
});

describe('files.retrieve and files.content', () => {
  test('retrieve returns what create returned', async () => {
    const got = await a.files.retrieve(pdf.id);
    assert.deepEqual(got, pdf);
  });

  test('content is a presigned URL serving the exact bytes', async () => {
    const before = Date.now();
    const u = await a.files.content(pdf.id, { expires_at_seconds: 120 });
    assert.equal(u.form_fields, null);
    const left = Date.parse(u.expires_at) - before;
    assert.ok(left > 100_000 && left <= 125_000, `expires_at ${u.expires_at} is not ~120 s away`);
    const res = await fetch(u.url);
    assert.equal(res.status, 200);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), pdfBytes);
    assert.equal(res.headers.get('content-type'), 'application/pdf');
  });

  test('content lifetimes are clamped to one hour (URLs die with the signing role\'s credentials)', async () => {
    const u = await a.files.content(csv.id, { expires_at_seconds: 10 ** 9 });
    const left = Date.parse(u.expires_at) - Date.now();
    assert.ok(left <= 3600 * 1000 && left > 3500 * 1000, `expires in ${left} ms, want an hour`);
    const res = await fetch(u.url);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), csvBytes);
  });

  test('expand=download_url inlines a working URL', async () => {
    const got = await a.files.retrieve(csv.id, { expand: ['download_url'] });
    assert.equal(typeof got.download_url.url, 'string');
    const res = await fetch(got.download_url.url);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), csvBytes);
  });
});

describe('both APIs show the same files', () => {
  test('a compat upload reads the same through GET /v1/files/{id}', async () => {
    for (const f of [pdf, csv]) {
      const n = await nativeCall(baseURL, keyA, 'GET', `/v1/files/${f.id}`);
      assert.equal(n.status, 200);
      assert.equal(n.body.id, uuidToFil(f.id), 'the native spelling of the same id');
      assert.equal(n.body.status, 'COMPLETED');
      assert.equal(n.body.filename, f.name);
      assert.equal(n.body.sizeBytes, f.file_size);
      assert.equal(n.body.createdAt, f.created_at);
      assert.equal(n.body.completedAt, f.last_modified_at);
      assert.equal(n.body.purpose, f.purpose);
    }
    assert.equal((await nativeCall(baseURL, keyA, 'GET', `/v1/files/${pdf.id}`)).body.mimeType, 'application/pdf');
    assert.equal((await nativeCall(baseURL, keyA, 'GET', `/v1/files/${csv.id}`)).body.mimeType, 'text/csv');
  });

  test('a file completed through the native API appears here', async () => {
    const got = await a.files.retrieve(nativeFile.id);
    assert.equal(got.id, nativeFile.uuid);
    assert.equal(got.name, 'native.txt');
    assert.equal(got.file_size, nativeFile.sizeBytes);
    assert.equal(got.created_at, nativeFile.createdAt);
    assert.equal(got.file_type, 'txt');
    const listed = await collect(a.files.list({ file_ids: [nativeFile.id] }));
    assert.deepEqual(listed.map((f) => f.id), [nativeFile.uuid]);
  });

  test('a PENDING native session does not appear here', async () => {
    const s = await nativeCall(baseURL, keyA, 'POST', '/v1/files', { filename: 'pending.txt', mimeType: 'text/plain', sizeBytes: 5 });
    assert.equal(s.status, 200);
    await rejects(() => a.files.retrieve(s.body.id), NotFoundError, 404);
    assert.equal((await collect(a.files.list({ file_name: 'pending.txt' }))).length, 0);
    await nativeCall(baseURL, keyA, 'POST', `/v1/files/${s.body.id}/cancel`, {});
  });
});

describe('files.list', () => {
  test('for await walks every page, each file once, newest first', async () => {
    const all = [...uploaded.values(), { id: nativeFile.uuid }];
    const pages = await collect((await a.files.list({ page_size: 3 })).iterPages());
    assert.ok(pages.length >= 4, `${pages.length} pages of 3 for ${all.length} files`);
    assert.equal(pages[0].items.length, 3);
    const items = await collect(a.files.list({ page_size: 3 }));
    assert.deepEqual(items.map((f) => f.id), all.map((f) => f.id).sort().reverse());
  });

  test('total_size counts every match, not the page', async () => {
    const { status, body } = await rawList(baseURL, keyA, 'page_size=2');
    assert.equal(status, 200);
    assert.equal(body.items.length, 2);
    assert.equal(await eventually(async () => (await rawList(baseURL, keyA, 'page_size=2')).body.total_size, uploaded.size + 1), uploaded.size + 1);
    assert.equal(typeof body.next_page_token, 'string');
  });

  test('order_by name, id and created_at', async () => {
    const all = await collect(a.files.list({ page_size: 4 }));
    const cases = {
      name: [...all].sort(byNameThenID),
      id: [...all].sort(byID),
      created_at: [...all].sort(byID).reverse(),
    };
    for (const [order_by, want] of Object.entries(cases)) {
      const got = await collect(a.files.list({ page_size: 4, order_by }));
      assert.deepEqual(got.map((f) => f.id), want.map((f) => f.id), `order_by=${order_by}`);
    }
  });

  test('an unknown order_by is a 400', async () => {
    await rejects(() => a.files.list({ order_by: 'file_size' }), BadRequestError, 400);
    await rejects(() => a.files.list({ order_by: 'created_at asc' }), BadRequestError, 400);
  });

  test('a page_size below 1 is a 400, one that is no integer a 422; a large one is coerced', async () => {
    await rejects(() => a.files.list({ page_size: 0 }), BadRequestError, 400);
    await rejects(() => a.files.list({ page_size: -3 }), BadRequestError, 400);
    assert.equal((await rawList(baseURL, keyA, 'page_size=ten')).status, 422);
    const big = await a.files.list({ page_size: 5000 });
    assert.equal(big.items.length, uploaded.size + 1);
    assert.equal(big.next_page_token, '');
  });

  test('file_name is exact', async () => {
    const dups = [...uploaded.values()].filter((f) => f.name === 'dup.txt');
    for (const order_by of ['name', 'id', 'created_at']) {
      const got = await collect(a.files.list({ file_name: 'dup.txt', page_size: 1, order_by }));
      const want = [...dups].sort(byID);
      if (order_by === 'created_at') want.reverse();
      assert.deepEqual(got.map((f) => f.id), want.map((f) => f.id), `order_by=${order_by}`);
    }
    assert.equal((await rawList(baseURL, keyA, 'file_name=dup.txt')).body.total_size, 2);
    assert.equal((await collect(a.files.list({ file_name: 'dup' }))).length, 0);
  });

  test('file_ids in the client\'s repeated form, comma-separated and file_ids[]', async () => {
    const ids = [pdf.id, csv.id, nativeFile.uuid];
    const want = [...ids].sort().reverse();
    const got = await collect(a.files.list({ file_ids: ids, page_size: 2 }));
    assert.deepEqual(got.map((f) => f.id), want);
    const comma = await rawList(baseURL, keyA, `file_ids=${ids.join(',')}`);
    assert.deepEqual(comma.body.items.map((f) => f.id), want);
    assert.equal(comma.body.total_size, 3);
    const brackets = await rawList(baseURL, keyA, ids.map((id) => `file_ids[]=${id}`).join('&'));
    assert.deepEqual(brackets.body.items.map((f) => f.id), want);
    const byName = await collect(a.files.list({ file_ids: ids, order_by: 'name' }));
    assert.deepEqual(byName.map((f) => f.name), ['data.csv', 'native.txt', 'report.pdf']);
  });

  test('external_file_id, in every order', async () => {
    const shared = [...uploaded.values()].filter((f) => f.external_file_id === 'ext-shared');
    assert.equal(shared.length, 3);
    const cases = { name: [...shared].sort(byNameThenID), id: [...shared].sort(byID), created_at: [...shared].sort(byID).reverse() };
    for (const [order_by, want] of Object.entries(cases)) {
      const got = await collect(a.files.list({ external_file_id: 'ext-shared', page_size: 2, order_by }));
      assert.deepEqual(got.map((f) => f.id), want.map((f) => f.id), `order_by=${order_by}`);
    }
    const both = await collect(a.files.list({ external_file_id: 'ext-shared', file_name: 'dup.txt' }));
    assert.deepEqual(both.map((f) => f.name), ['dup.txt']);
    assert.deepEqual((await collect(a.files.list({ external_file_id: 'crm-42' }))).map((f) => f.id), [csv.id]);
  });

  test('expand=download_url on every item', async () => {
    const page = await a.files.list({ file_ids: [pdf.id], expand: ['download_url'] });
    const res = await fetch(page.items[0].download_url.url);
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), pdfBytes);
  });
});

describe('files.query (deprecated)', () => {
  test('filters, orders and pages like list', async () => {
    const r = await a.files.query({ filter: { file_name: 'dup.txt' }, order_by: 'created_at', page_size: 1 });
    assert.equal(r.items.length, 1);
    assert.equal(r.total_size, 2);
    const rest = await a.files.query({ filter: { file_name: 'dup.txt' }, order_by: 'created_at', page_size: 1, page_token: r.next_page_token });
    assert.equal(rest.items.length, 1);
    assert.notEqual(rest.items[0].id, r.items[0].id);
    assert.ok(!rest.next_page_token);
    const ids = await a.files.query({ filter: { file_ids: [pdf.id, csv.id], only_manually_uploaded: true, project_id: projectA } });
    assert.deepEqual(ids.items.map((f) => f.id).sort(), [pdf.id, csv.id].sort());
    const none = await a.files.query({ filter: { data_source_id: '11111111-2222-4333-8444-555555555555' } });
    assert.equal(none.items.length, 0);
  });

  test('another project in the filter is refused', async () => {
    await rejects(() => a.files.query({ filter: { project_id: '11111111-2222-4333-8444-555555555555' } }), PermissionDeniedError, 403);
  });
});

describe('tenancy and page tokens', () => {
  test('project A\'s files are invisible to project B', async () => {
    await rejects(() => b.files.retrieve(pdf.id), NotFoundError, 404);
    await rejects(() => b.files.content(pdf.id), NotFoundError, 404);
    assert.equal((await collect(b.files.list({ file_ids: [pdf.id, csv.id] }))).length, 0);
  });

  test('a page token of project A is refused with project B\'s key', async () => {
    const page = await a.files.list({ page_size: 2 });
    assert.ok(page.next_page_token);
    await assert.rejects(() => b.files.list({ page_size: 2, page_token: page.next_page_token }), (err) => {
      assert.ok(err instanceof BadRequestError || err instanceof PermissionDeniedError, `got ${err?.constructor?.name}`);
      return true;
    });
    // Nor can a token cross to another query of the same project.
    await rejects(() => a.files.list({ page_size: 2, order_by: 'name', page_token: page.next_page_token }), BadRequestError, 400);
    await rejects(() => a.files.list({ page_token: 'not-a-token' }), BadRequestError, 400);
  });

  test('naming another project or organization is a 403', async () => {
    await rejects(() => a.files.list({ project_id: '11111111-2222-4333-8444-555555555555' }), PermissionDeniedError, 403);
    await rejects(() => a.files.retrieve(pdf.id, { organization_id: '11111111-2222-4333-8444-555555555555' }), PermissionDeniedError, 403);
    const mine = await a.files.retrieve(pdf.id, { project_id: projectA, organization_id: orgA });
    assert.equal(mine.id, pdf.id);
  });

  test('a bad key is a 401; a read-only key cannot write', async () => {
    // API Gateway answers 401 itself (body {"message": ...}): class and status are what count.
    for (const key of ['fgk_not-a-key', 'Bearer-less']) {
      await assert.rejects(() => client(key).files.list(), (err) => {
        assert.ok(err instanceof AuthenticationError, `got ${err?.constructor?.name}`);
        assert.equal(err.status, 401);
        return true;
      });
    }
    const ro = client(keyReadOnlyA);
    assert.equal((await ro.files.retrieve(pdf.id)).id, pdf.id);
    await rejects(() => ro.files.delete(pdf.id), PermissionDeniedError, 403);
    await rejects(async () => ro.files.create({ file: await toFile(csvBytes, 'x.csv'), purpose: 'sheet' }), PermissionDeniedError, 403);
  });
});

describe('refused uploads leave nothing behind', () => {
  async function counts() {
    const compat = (await rawList(baseURL, keyA, 'page_size=1')).body.total_size;
    const native = (await nativeCall(baseURL, keyA, 'GET', '/v1/files?limit=1')).body.totalCount;
    return { compat, native };
  }

  test('bytes the purpose does not accept', async () => {
    const before = await settled(counts);
    // Every purpose takes what LlamaParse reads (images included); an archive is not that.
    const zip = Buffer.from('504b0506' + '00'.repeat(18), 'hex'); // an empty ZIP archive
    await rejects(async () => a.files.create({ file: await toFile(zip, 'archive.zip', { type: 'application/zip' }), purpose: 'sheet' }), BadRequestError, 400);
    await assert.rejects(async () => a.files.create({ file: await toFile(zip, 'archive.zip', { type: 'application/zip' }), purpose: 'sheet' }), (err) => {
      assert.match(err.error.detail, /sheet/);
      return true;
    });
    await rejects(async () => a.files.create({ file: await toFile(Buffer.from('just text\n'), 'fake.pdf', { type: 'application/pdf' }), purpose: 'parse' }), UnprocessableEntityError, 422);
    await rejects(async () => a.files.create({ file: await toFile(csvBytes, 'x.csv'), purpose: 'no_such_purpose' }), BadRequestError, 400);
    assert.deepEqual(await settled(counts), before);
    assert.equal((await collect(a.files.list({ file_name: 'fake.pdf' }))).length, 0);
    assert.equal((await collect(a.files.list({ file_name: 'archive.zip' }))).length, 0);
  });

  test('a file too large for Lambda is a 413 pointing at the presigned flow', async () => {
    const before = await settled(counts);
    const big = Buffer.alloc(Number(env('FILEGATE_DIRECT_UPLOAD_MAX')) + 1, 'a');
    await assert.rejects(async () => a.files.create({ file: await toFile(big, 'big.txt'), purpose: 'user_data' }), (err) => {
      assert.ok(err instanceof APIError, `got ${err?.constructor?.name}`);
      assert.equal(err.status, 413);
      assert.match(err.error.detail, /POST \/v1\/files/);
      return true;
    });
    assert.deepEqual(await settled(counts), before);
  });
});

describe('files.delete', () => {
  test('deletes object and record; twice is a 404', async () => {
    const f = await upload('to-delete.txt', Buffer.from('bye\n'), 'user_data');
    const u = await a.files.content(f.id);
    await a.files.delete(f.id);
    uploaded.delete(f.id);
    await rejects(() => a.files.retrieve(f.id), NotFoundError, 404);
    await rejects(() => a.files.delete(f.id), NotFoundError, 404);
    assert.equal((await nativeCall(baseURL, keyA, 'GET', `/v1/files/${f.id}`)).status, 404);
    assert.equal((await fetch(u.url)).status, 404, 'the object is gone too');
    assert.equal(await eventually(async () => (await rawList(baseURL, keyA, 'page_size=1')).body.total_size, uploaded.size + 1), uploaded.size + 1);
  });

  test('unknown ids are a 404', async () => {
    await rejects(() => a.files.retrieve('fil_00000000000000000000000000'), NotFoundError, 404);
    await rejects(() => a.files.content('fil_00000000000000000000000000'), NotFoundError, 404);
  });
});
