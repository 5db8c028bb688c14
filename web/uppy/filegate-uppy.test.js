// Unit tests of the plugin's token handling, part sizes and retries (node --test, run by
// infra/uploadpage's TestUppyPlugin); the browser test covers the uploads.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import Uppy from '@uppy/core'
import Filegate, { partSizeFor, tokenClaims } from './filegate-uppy.js'

const MiB = 1024 * 1024
const now = () => Math.floor(Date.now() / 1000)

// token is an upload token with these claims (the API checks its signature, the page never).
function token(claims) {
  return `fgt_20260101-x.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`
}

// withPlugin installs the plugin with getToken answering answers in turn and recording its
// arguments.
function withPlugin(answers, restrictions) {
  const asked = []
  const uppy = new Uppy({ restrictions })
  uppy.use(Filegate, {
    api: 'https://files.example.com/',
    getToken: async (renew) => {
      asked.push(renew)
      const next = answers.shift()
      if (next instanceof Error) throw next
      return next
    },
  })
  return { uppy, plugin: uppy.getPlugin('Filegate'), asked }
}

test('part sizes follow the preferred size, S3 bounds and at most 10,000 parts', () => {
  assert.equal(partSizeFor(64 * MiB, 8 * MiB), 8 * MiB)
  assert.equal(partSizeFor(64 * MiB, 1 * MiB), 5 * MiB, "S3's smallest part")
  const big = 200 * 1024 * MiB // 200 GiB: 8 MiB parts would make 25,600
  assert.equal(partSizeFor(big, 8 * MiB), 21 * MiB)
  assert.ok(Math.ceil(big / partSizeFor(big, 8 * MiB)) <= 10000)
  assert.equal(partSizeFor(5 * 1024 * 1024 * MiB, 8 * MiB), 525 * MiB, '5 TiB, the largest object')
})

test("the first token restricts the files, the host's own limits kept when tighter", async () => {
  const first = token({ jti: 'utk_a', iat: now(), exp: now() + 900, mf: 4, mb: 100 * MiB, mt: ['application/pdf'] })
  const { uppy, plugin, asked } = withPlugin([first], { maxNumberOfFiles: 2 })
  assert.equal(await plugin.token(null), first)
  assert.deepEqual(asked, [undefined])
  const r = uppy.opts.restrictions
  assert.equal(r.maxNumberOfFiles, 2)
  assert.equal(r.maxFileSize, 100 * MiB)
  assert.equal(r.maxTotalFileSize, 100 * MiB)
  assert.deepEqual(r.allowedFileTypes, ['application/pdf'])
})

test('a token about to expire is renewed through getToken, once for concurrent callers', async () => {
  const old = token({ jti: 'utk_a', iat: now() - 850, exp: now() + 50 })
  const renewed = token({ jti: 'utk_a', iat: now(), exp: now() + 900 })
  const { plugin, asked } = withPlugin([old, renewed])
  const got = await Promise.all([plugin.token(null), plugin.token(null)])
  assert.deepEqual(got, [renewed, renewed])
  assert.deepEqual(asked, [undefined, old], 'the first token, then one renewal of it')
  assert.equal(await plugin.token(null), renewed)
  assert.equal(asked.length, 2)
})

test('a short-lived token is renewed in its last quarter, not at once', async () => {
  const short = token({ jti: 'utk_s', iat: now(), exp: now() + 60 }) // 60 s, the shortest
  const { plugin, asked } = withPlugin([short])
  assert.equal(await plugin.token(null), short)
  assert.equal(await plugin.token(null), short)
  assert.equal(asked.length, 1)
})

test("a file goes on with the token that created it, renewed in its own lineage", async () => {
  const current = token({ jti: 'utk_new', iat: now(), exp: now() + 900 })
  const stored = token({ jti: 'utk_old', iat: now() - 890, exp: now() + 10 }) // from before a reload
  const renewed = token({ jti: 'utk_old', iat: now(), exp: now() + 900 })
  const { plugin, asked } = withPlugin([current, renewed])
  assert.equal(await plugin.token(null), current)
  assert.equal(await plugin.token({ filegateToken: stored }), renewed)
  assert.deepEqual(asked, [undefined, stored])
  assert.equal(await plugin.token(null), current, 'new files keep the current token')
})

test('a renewal answered with another token is refused, and so is a host that gives none', async () => {
  const old = token({ jti: 'utk_a', iat: now() - 890, exp: now() + 10 })
  const other = token({ jti: 'utk_b', iat: now(), exp: now() + 900 })
  const { plugin, asked } = withPlugin([old, other])
  await assert.rejects(plugin.token(null), /another token/)
  assert.deepEqual(asked, [undefined, old])
  const refused = withPlugin([new Error('log in first')])
  await assert.rejects(refused.plugin.token(null), /log in first/)
})

test('claims of a malformed token are empty', () => {
  assert.deepEqual(tokenClaims('garbage'), {})
  assert.equal(tokenClaims(token({ jti: 'utk_a' })).jti, 'utk_a')
})

// withAPI answers the plugin's requests from routes ("METHOD /path" → [status, body]) and
// records them; a request no route answers is refused (418), which the plugin does not retry.
function withAPI(routes) {
  const sent = []
  const saved = globalThis.fetch
  globalThis.fetch = async (url, init = {}) => {
    const path = new URL(url).pathname
    sent.push({ route: `${init.method || 'GET'} ${path}`, key: init.headers?.['Idempotency-Key'] })
    const [status, body] = routes[`${init.method || 'GET'} ${path}`] || [418, { error: { message: 'no route in the test' } }]
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  }
  return { sent, restore: () => { globalThis.fetch = saved } }
}

// failedFile is a small PDF whose upload failed after its Filegate session was created
// (say, the answer of its PUT or complete was lost), ready for a retry.
function failedFile(status = 'PENDING') {
  const t = token({ jti: 'utk_a', iat: now(), exp: now() + 900, mt: ['application/pdf'] })
  const { uppy } = withPlugin([t])
  const id = uppy.addFile({ name: 'report.pdf', type: 'application/pdf', data: new Blob(['%PDF-1.4\n'], { type: 'application/pdf' }) })
  uppy.setFileMeta(id, { filegateId: 'fil_1', filegateKey: 'k1', filegateToken: t, filegateMultipart: false, filegateStatus: status })
  uppy.setFileState(id, { error: 'the network failed' })
  return { uppy, id }
}

test('a retry of a file storage already has reports it, without uploading it again', async (t) => {
  const api = withAPI({ 'GET /v1/files/fil_1': [200, { id: 'fil_1', status: 'COMPLETED' }] })
  t.after(api.restore)
  const { uppy, id } = failedFile()
  const result = await uppy.retryUpload(id)
  assert.deepEqual(result.successful.map((f) => f.id), [id])
  assert.equal(uppy.getFile(id).meta.filegateStatus, 'COMPLETED')
  assert.deepEqual(api.sent.map((s) => s.route), ['GET /v1/files/fil_1'], 'no second file, no PUT, no complete')
})

test('a retry of a rejected file fails again with the reason, without uploading it again', async (t) => {
  const api = withAPI({ 'GET /v1/files/fil_1': [200, { id: 'fil_1', status: 'REJECTED', rejection: { message: 'the content looks like image/png' } }] })
  t.after(api.restore)
  const { uppy, id } = failedFile()
  const result = await uppy.retryUpload(id)
  assert.deepEqual(result.failed.map((f) => f.id), [id])
  assert.match(String(uppy.getFile(id).error), /rejected: the content looks like image\/png/)
  assert.deepEqual(api.sent.map((s) => s.route), ['GET /v1/files/fil_1'])
})

test('a retry of a file whose session expired starts a new one, with a new Idempotency-Key', async (t) => {
  const api = withAPI({ 'GET /v1/files/fil_1': [200, { id: 'fil_1', status: 'EXPIRED' }], 'POST /v1/files': [400, { error: { message: 'the test stops here' } }] })
  t.after(api.restore)
  const { uppy, id } = failedFile()
  await uppy.retryUpload(id)
  const creates = api.sent.filter((s) => s.route === 'POST /v1/files')
  assert.equal(creates.length, 1, `requests: ${JSON.stringify(api.sent)}`)
  assert.notEqual(creates[0].key, 'uppy-k1', "the expired session's key would answer the expired file")
})
