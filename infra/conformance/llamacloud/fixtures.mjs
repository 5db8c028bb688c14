// Fixtures and small helpers for files.test.mjs. Everything the suite needs
// comes from the environment that infra/e2e/llamacloud_test.go sets.

export function env(name) {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set: run this suite through the Go test (go test ./infra/e2e -run TestLlamaCloudClient), which starts the local stack and mints the keys`);
  }
  return v;
}

// minimalPDF builds a small, valid one-page PDF (with a correct xref table)
// whose page shows text.
export function minimalPDF(text) {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null, // the content stream, below
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const content = `BT /F1 12 Tf 20 50 Td (${text}) Tj ET`;
  objects[3] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

// A 1x1 PNG.
export const png = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

// nativeCall calls Filegate's native API (/v1/files) with plain fetch.
export async function nativeCall(baseURL, key, method, path, body) {
  const res = await fetch(baseURL + path, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

// nativeUpload runs the native presigned flow: create, PUT, complete.
export async function nativeUpload(baseURL, key, filename, mimeType, bytes) {
  const created = await nativeCall(baseURL, key, 'POST', '/v1/files', { filename, mimeType, sizeBytes: bytes.length });
  if (created.status !== 200) throw new Error(`native create: ${created.status} ${JSON.stringify(created.body)}`);
  const put = await fetch(created.body.uploadUrl, { method: 'PUT', headers: created.body.uploadHeaders, body: bytes });
  if (!put.ok) throw new Error(`presigned PUT: ${put.status} ${await put.text()}`);
  const done = await nativeCall(baseURL, key, 'POST', `/v1/files/${created.body.id}/complete`, {});
  if (done.status !== 200) throw new Error(`native complete: ${done.status} ${JSON.stringify(done.body)}`);
  return done.body;
}

// rawList calls GET /api/v1/beta/files with a hand-written query string, for
// the parameter spellings the client itself does not produce.
export async function rawList(baseURL, key, query) {
  const res = await fetch(`${baseURL}/api/v1/beta/files?${query}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: await res.json() };
}

export async function collect(iterable) {
  const out = [];
  for await (const x of iterable) out.push(x);
  return out;
}

// An id's two spellings, written here independently of Filegate's Go code:
// "fil_" + 26 Crockford base32 characters of the 128 bits (most significant
// first, 2 zero bits of padding at the end) and the lower-case UUID.
const crockford = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function filToUUID(id) {
  let bits = '';
  for (const ch of id.slice('fil_'.length)) bits += crockford.indexOf(ch).toString(2).padStart(5, '0');
  const hex = BigInt('0b' + bits.slice(0, 128)).toString(16).padStart(32, '0');
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}

export function uuidToFil(uuid) {
  const bits = BigInt('0x' + uuid.replaceAll('-', '')).toString(2).padStart(128, '0') + '00';
  let out = 'fil_';
  for (let i = 0; i < bits.length; i += 5) out += crockford[parseInt(bits.slice(i, i + 5), 2)];
  return out;
}

// Counts follow the table's stream (docs/api.md "Counts are eventually
// consistent"), so tests read them as a client would: eventually reads fn
// until it returns want (15 s at most) and returns what it read last.
export async function eventually(fn, want) {
  let got = await fn();
  for (const end = Date.now() + 15000; JSON.stringify(got) !== JSON.stringify(want) && Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 100));
    got = await fn();
  }
  return got;
}

// settled reads fn until two reads 1.5 s apart (longer than the local
// stream feed's poll) agree, so a count taken before an action has caught up
// with what came before it, and one taken after shows what the action wrote.
export async function settled(fn) {
  let last = await fn();
  for (const end = Date.now() + 15000; Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 1500));
    const now = await fn();
    if (JSON.stringify(now) === JSON.stringify(last)) return now;
    last = now;
  }
  throw new Error(`counts did not settle within 15 s: ${JSON.stringify(last)}`);
}
