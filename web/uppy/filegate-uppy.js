// Filegate for Uppy (5.x): Uppy uploads straight to S3 through Filegate's native API, with
// a short-lived upload token from your server and never an API key.
//
//   import Uppy from '@uppy/core'
//   import Dashboard from '@uppy/dashboard'
//   import Filegate from './filegate-uppy.js'
//
//   new Uppy()
//     .use(Dashboard, { inline: true, target: '#uploads' })
//     .use(Filegate, { api: 'https://files.example.com', getToken: (renew) => myServer.uploadToken(renew) })
//
// Files up to partSize (8 MiB) go in one PUT; larger ones in a multipart session of parts
// of that size (more when a file would have over 10,000), each part's SHA-256 computed here
// (WebCrypto) and signed into its URL, so storage refuses altered bytes. Pause, resume and
// retry send only the parts storage lacks (Filegate lists them), also after a reload with
// @uppy/golden-retriever. Once the bytes are in, Filegate validates the file: COMPLETED, or
// an upload error whose message is the rejection's reason. Removing a file cancels it.
//
// getToken(renew) is your server's: it answers the first token (renew undefined) and a
// renewal of renew (a token about to expire, or refused), which your server asks of
// POST /v1/upload-tokens with {"renew": renew}: the renewal keeps the token's files and
// budget. The token's limits (files, bytes, MIME types) become Uppy's restrictions, so a
// file the token forbids is refused before any request. Each file keeps the token it was
// created with in its meta (filegateToken; Golden Retriever stores meta in localStorage),
// so an upload restored after a reload renews that token and goes on. Other meta:
// filegateId (the Filegate file), filegateStatus, filegateReason.
//
// Filegate needs WebCrypto, so a secure context: HTTPS (or http://127.0.0.1).
import { BasePlugin } from '@uppy/core'
import AwsS3 from '@uppy/aws-s3'

const MiB = 1024 * 1024
// S3's multipart limits, which Filegate's sessions follow.
const MIN_PART = 5 * MiB
const MAX_PART = 5 * 1024 * MiB
const MAX_PARTS = 10000
// A token is renewed before use when it has less than a minute left, or a quarter of its
// life for one that lives less than four minutes (the shortest lives one).
const RENEW_BEFORE_MS = 60 * 1000

function fresh(token) {
  const c = tokenClaims(token)
  const margin = Math.min(RENEW_BEFORE_MS, ((c.exp || 0) - (c.iat || 0)) * 250)
  return (c.exp || 0) * 1000 - Date.now() > margin
}
const SETTLED = ['COMPLETED', 'REJECTED', 'CANCELLED', 'EXPIRED']

// partSizeFor is the part size of a multipart file of size bytes: preferred, but at least
// S3's 5 MiB and large enough for at most 10,000 parts (whole MiB). Uppy cuts the file with
// it (getChunkSize) before the session exists; the session is created with the same size.
export function partSizeFor(size, preferred) {
  const enough = Math.ceil(size / MAX_PARTS / MiB) * MiB
  return Math.min(MAX_PART, Math.max(MIN_PART, preferred, enough))
}

// tokenClaims reads an upload token's claims (jti, exp, mf files, mb bytes, mt MIME types,
// pu purpose); the signature is the API's to check.
export function tokenClaims(token) {
  try {
    const body = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')
    return JSON.parse(atob(body + '==='.slice((body.length + 3) % 4)))
  } catch {
    return {}
  }
}

// FilegateError is a refusal of the API (status, its error code) or of the network (status 0).
export class FilegateError extends Error {
  constructor(status, message, code) {
    super(message)
    this.name = 'FilegateError'
    this.status = status
    this.code = code
  }
}

function refusal(res) {
  const e = res.json && res.json.error
  return new FilegateError(res.status, (e && e.message) || `the Filegate API answered HTTP ${res.status}`, e && e.code)
}

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => { clearTimeout(t); reject(signal.reason) }, { once: true })
  })
}

// online resolves when the browser is back online (at once when it is).
function online(signal) {
  if (typeof navigator === 'undefined' || navigator.onLine !== false) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const done = () => { signal?.removeEventListener('abort', stop); resolve() }
    const stop = () => { window.removeEventListener('online', done); reject(signal.reason) }
    window.addEventListener('online', done, { once: true })
    signal?.addEventListener('abort', stop, { once: true })
  })
}

async function sha256Hex(blob) {
  const sum = new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer()))
  return Array.from(sum, (b) => b.toString(16).padStart(2, '0')).join('')
}

// putHeaders are the signed headers a browser sets itself: it computes Content-Length,
// which a script may not set.
function putHeaders(headers) {
  const out = {}
  for (const [k, v] of Object.entries(headers || {})) if (k.toLowerCase() !== 'content-length') out[k] = v
  return out
}

export default class Filegate extends BasePlugin {
  static VERSION = '1.0.0'

  // Token lineages: a token's id (jti) → {token: its latest renewal, renewing}.
  #lineages = new Map()
  #current = null // the lineage new files are created with
  #first = null
  #userRestrictions = {}
  #cancelled = new Set()

  constructor(uppy, opts) {
    super(uppy, {
      partSize: 8 * MiB, // and the single-PUT threshold: larger files go in parts
      limit: 6, // requests at once (Uppy's RateLimitedQueue: part PUTs, signing, …)
      retryDelays: [0, 1000, 3000, 5000],
      settleTimeout: 120 * 1000, // how long to wait for storage to assemble a large file
      restrictFromToken: true,
      ...opts,
    })
    this.id = this.opts.id || 'Filegate'
    this.type = 'modifier'
    if (!this.opts.api || typeof this.opts.getToken !== 'function') {
      throw new Error('Filegate: options api (the Filegate API URL) and getToken(renew) are required')
    }
    this.api = this.opts.api.replace(/\/$/, '')
  }

  install() {
    this.#userRestrictions = { ...this.uppy.opts.restrictions }
    this.uppy.use(AwsS3, {
      id: `${this.id}:AwsS3`,
      limit: this.opts.limit,
      retryDelays: this.opts.retryDelays,
      shouldUseMultipart: (file) => file.size > this.opts.partSize,
      getChunkSize: (data) => partSizeFor(data.size, this.opts.partSize),
      getUploadParameters: (file, o) => this.#uploadParameters(file, o?.signal),
      createMultipartUpload: (file, signal) => this.#createMultipart(file, signal),
      signPart: (file, o) => this.#signPart(file, o),
      listParts: (file, o) => this.#listParts(file, o),
      completeMultipartUpload: (file, o) => this.#completeMultipart(file, o),
      // Uppy calls this when a multipart upload fails too: the session stays, so a retry
      // sends only what storage lacks. Removing the file cancels it (file-removed).
      abortMultipartUpload: async () => {},
    })
    this.uppy.addPreProcessor(this.#checkAll)
    this.uppy.addPostProcessor(this.#settleAll)
    this.uppy.on('file-removed', this.#onRemoved)
    // The first token now: its limits restrict the files added from the start.
    this.#firstToken().catch((err) => this.uppy.log(`[Filegate] no upload token yet: ${err.message}`, 'warning'))
  }

  uninstall() {
    const s3 = this.uppy.getPlugin(`${this.id}:AwsS3`)
    if (s3) this.uppy.removePlugin(s3)
    this.uppy.removePreProcessor(this.#checkAll)
    this.uppy.removePostProcessor(this.#settleAll)
    this.uppy.off('file-removed', this.#onRemoved)
  }

  // token is a token fresh for a minute at least, of the lineage that created the file
  // whose meta is given (the current one for a new file), renewed when needed (force: now).
  async token(meta, force = false) {
    let jti = meta && meta.filegateToken ? tokenClaims(meta.filegateToken).jti : null
    if (!jti) {
      if (!this.#current) await this.#firstToken()
      jti = this.#current
    }
    let line = this.#lineages.get(jti)
    if (!line) {
      line = { token: meta.filegateToken, renewing: null }
      this.#lineages.set(jti, line)
    }
    if (!force && fresh(line.token)) return line.token
    if (!line.renewing) {
      line.renewing = this.#renew(jti, line).finally(() => { line.renewing = null })
    }
    return line.renewing
  }

  #firstToken() {
    if (!this.#first) {
      this.#first = Promise.resolve()
        .then(() => this.opts.getToken(undefined))
        .then((t) => {
          const jti = tokenClaims(t).jti
          if (!jti) throw new Error('getToken answered something that is not an upload token')
          this.#lineages.set(jti, { token: t, renewing: null })
          this.#current = jti
          this.#restrict(t)
          return t
        })
        .catch((err) => {
          this.#first = null // the next upload asks again (e.g. after a login)
          throw err
        })
    }
    return this.#first
  }

  async #renew(jti, line) {
    const t = await this.opts.getToken(line.token)
    if (tokenClaims(t).jti !== jti) {
      throw new Error('the host answered a renewal with another token: the files of the old one cannot go on with it')
    }
    line.token = t
    for (const f of this.uppy.getFiles()) {
      if (f.meta.filegateToken && tokenClaims(f.meta.filegateToken).jti === jti) this.uppy.setFileMeta(f.id, { filegateToken: t })
    }
    if (jti === this.#current) this.#restrict(t)
    return t
  }

  // #restrict makes the token's limits Uppy's restrictions (counts and sizes: the tighter
  // of them and the host's own; types: the token's, when it names any), and tells the
  // page (filegate:token).
  #restrict(token) {
    const c = tokenClaims(token)
    this.uppy.emit('filegate:token', c)
    if (!this.opts.restrictFromToken) return
    const own = this.#userRestrictions
    const r = {}
    if (c.mf) r.maxNumberOfFiles = Math.min(own.maxNumberOfFiles ?? Infinity, c.mf)
    if (c.mb) {
      r.maxFileSize = Math.min(own.maxFileSize ?? Infinity, c.mb)
      r.maxTotalFileSize = Math.min(own.maxTotalFileSize ?? Infinity, c.mb)
    }
    if (c.mt && c.mt.length) r.allowedFileTypes = c.mt
    this.uppy.setOptions({ restrictions: r })
  }

  #meta(file) {
    return (this.uppy.getFile(file.id) || file).meta
  }

  // #call sends one API request with the file's token and answers {status, json}. It
  // renews the token once on a 401, waits for the network while the browser is offline,
  // and retries 429, 5xx and network failures a few times (the calls it makes write
  // nothing twice: creates carry an Idempotency-Key).
  async #call(file, method, path, body, { signal, idempotencyKey } = {}) {
    let renewed = false
    let renew = false
    for (let attempt = 0; ; ) {
      const token = await this.token(file && this.#meta(file), renew)
      renew = false
      let res
      try {
        res = await fetch(this.api + path, {
          method,
          signal,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(body ? { 'Content-Type': 'application/json' } : {}),
            ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
          },
          body: body ? JSON.stringify(body) : undefined,
        })
      } catch (err) {
        if (signal?.aborted) throw err
        if (typeof navigator !== 'undefined' && navigator.onLine === false) {
          await online(signal) // offline: wait, without spending a retry
          continue
        }
        if (++attempt > 4) throw new FilegateError(0, `the Filegate API could not be reached (${err.message})`)
        await sleep(1000 * 2 ** (attempt - 1), signal)
        continue
      }
      if (res.status === 401 && !renewed) {
        renewed = renew = true // expired or revoked under us: renew once
        continue
      }
      if ((res.status === 429 || res.status >= 500) && ++attempt <= 4) {
        const after = Number(res.headers.get('Retry-After'))
        await sleep(after > 0 ? after * 1000 : 1000 * 2 ** (attempt - 1), signal)
        continue
      }
      let json = null
      try { json = await res.json() } catch { /* 204, or a gateway's body */ }
      return { status: res.status, json }
    }
  }

  // #create opens the file's Filegate session (multipart when partSize is set) and keeps
  // its id and token in the file's meta. The token is kept before the request and the
  // Idempotency-Key is the file's own, so a create retried, or repeated after a reload,
  // answers the same file.
  async #create(file, partSize, signal) {
    const meta = this.#meta(file)
    const key = meta.filegateKey || crypto.randomUUID()
    const token = await this.token(meta.filegateToken ? meta : null)
    this.uppy.setFileMeta(file.id, { filegateKey: key, filegateToken: token })
    const body = { filename: meta.name || file.name, mimeType: file.type || 'application/octet-stream', sizeBytes: file.size }
    if (this.opts.purpose) body.purpose = this.opts.purpose
    if (partSize) body.multipart = { partSizeBytes: partSize, partChecksum: 'SHA256' }
    const res = await this.#call(file, 'POST', '/v1/files', body, { signal, idempotencyKey: `uppy-${key}` })
    if (res.status !== 200) throw refusal(res)
    const created = res.json
    if (!this.uppy.getFile(file.id)) {
      this.#cancel({ ...file, meta: { ...meta, filegateToken: token, filegateId: created.id } }) // removed meanwhile
      throw new FilegateError(0, 'the file was removed')
    }
    this.uppy.setFileMeta(file.id, {
      filegateId: created.id, filegateMultipart: Boolean(partSize), filegatePartSize: created.multipart?.partSizeBytes ?? null,
      filegateStatus: 'PENDING', filegateReason: null,
    })
    this.uppy.emit('filegate:created', this.uppy.getFile(file.id), created)
    return created
  }

  #checkAll = (fileIDs) => Promise.all(fileIDs.map((id) => this.#check(id)))

  // #check runs before an upload of a file that has a Filegate session already (a retry):
  // while the session is PENDING the upload goes on with it; a file storage has already
  // (its answer lost) is not sent again, and the post-processor reports it, COMPLETED or
  // REJECTED; a session that ended otherwise is forgotten, and the file starts afresh.
  async #check(id) {
    const file = this.uppy.getFile(id)
    if (!file || !file.meta.filegateId || file.progress.uploadComplete) return
    let res
    try {
      res = await this.#call(file, 'GET', `/v1/files/${file.meta.filegateId}`)
    } catch {
      return // the upload's own calls will say what is wrong
    }
    const status = res.status === 200 ? res.json.status : null
    if (status === 'PENDING') return
    if (status === 'COMPLETED' || status === 'REJECTED') {
      await this.#record(file, res)
      this.uppy.emit('upload-success', this.uppy.getFile(id), { status: 200, body: res.json })
      return
    }
    this.uppy.setFileMeta(id, { filegateId: null, filegateKey: null, filegateToken: null, filegateStatus: null, filegateReason: null })
    this.uppy.setFileState(id, { s3Multipart: undefined }) // else Uppy would resume the ended upload
  }

  // #session is the file's PENDING session, if it has one (#check forgot the others).
  #session(file) {
    const meta = this.#meta(file)
    return meta.filegateId && meta.filegateStatus === 'PENDING' ? meta : null
  }

  async #uploadParameters(file, signal) {
    let upload
    const live = this.#session(file)
    if (live && !live.filegateMultipart) {
      const res = await this.#call(file, 'POST', `/v1/files/${live.filegateId}/upload-url`, {}, { signal })
      if (res.status !== 200) throw refusal(res)
      upload = res.json
    } else {
      upload = await this.#create(file, 0, signal)
    }
    return { method: 'PUT', url: upload.uploadUrl, headers: putHeaders(upload.uploadHeaders) }
  }

  async #createMultipart(file, signal) {
    const size = partSizeFor(file.size, this.opts.partSize)
    const live = this.#session(file)
    const id = live && live.filegateMultipart ? live.filegateId : (await this.#create(file, size, signal)).id
    const planned = this.#meta(file).filegatePartSize
    if (planned !== size) {
      throw new FilegateError(0, `the session's parts are ${planned} bytes, this page cuts ${size}`)
    }
    return { key: id, uploadId: id }
  }

  async #signPart(file, { key, partNumber, body, signal }) {
    const sha256 = await sha256Hex(body)
    const res = await this.#call(file, 'POST', `/v1/files/${key}/parts`, { parts: [{ partNumber, sha256 }] }, { signal })
    if (res.status !== 200) throw refusal(res)
    const part = res.json.data[0]
    return { method: 'PUT', url: part.url, headers: putHeaders(part.headers) }
  }

  async #listParts(file, { key, signal }) {
    const res = await this.#call(file, 'GET', `/v1/files/${key}/parts`, null, { signal })
    if (res.status !== 200) throw refusal(res)
    return res.json.data.map((p) => ({ PartNumber: p.partNumber, Size: p.sizeBytes, ETag: p.etag }))
  }

  // #completeMultipart asks Filegate to assemble and validate the parts storage holds;
  // the outcome (COMPLETED, REJECTED, or PENDING while storage assembles) is settled by
  // the post-processor.
  async #completeMultipart(file, { key, signal }) {
    const res = await this.#call(file, 'POST', `/v1/files/${key}/complete`, {}, { signal })
    await this.#record(file, res)
    return { filegateId: key, status: this.#meta(file).filegateStatus }
  }

  // #record keeps the outcome of a complete in the file's meta; anything but an outcome
  // (parts missing, a network failure) is thrown, so Uppy offers a retry.
  async #record(file, res) {
    const id = this.#meta(file).filegateId
    switch (res.status) {
      case 200:
      case 202:
        this.uppy.setFileMeta(file.id, { filegateStatus: res.json.status, filegateReason: res.json.rejection?.message ?? null })
        return res.json
      case 422:
        this.uppy.setFileMeta(file.id, { filegateStatus: 'REJECTED', filegateReason: res.json?.error?.message ?? 'validation refused the file' })
        return null
      case 409:
        if (res.json?.error?.code === 'invalid_state') return this.#record(file, await this.#call(file, 'GET', `/v1/files/${id}`))
    }
    throw refusal(res)
  }

  #settleAll = (fileIDs) => Promise.all(fileIDs.map((id) => this.#settle(id)))

  // #settle completes a single-PUT file, waits for a file storage is still assembling,
  // and turns the outcome into Uppy's: a rejection or an ended session is an upload error
  // whose message says why.
  async #settle(id) {
    const file = this.uppy.getFile(id)
    if (!file || file.error || !file.meta.filegateId || !file.progress.uploadComplete) return
    this.uppy.emit('postprocess-progress', file, { mode: 'indeterminate', message: 'Validating…' })
    try {
      const fid = file.meta.filegateId
      if (!file.meta.filegateMultipart && file.meta.filegateStatus === 'PENDING') {
        // The bytes are in storage; complete (or the S3 event) validates them. Until
        // storage shows the object, complete answers upload_missing: ask again.
        for (let i = 0; ; i++) {
          const res = await this.#call(file, 'POST', `/v1/files/${fid}/complete`, {})
          if (res.status === 409 && res.json?.error?.code === 'upload_missing' && i < 10) {
            await sleep(1000)
            continue
          }
          await this.#record(file, res)
          break
        }
      }
      for (const end = Date.now() + this.opts.settleTimeout; this.#meta(file).filegateStatus === 'PENDING'; ) {
        if (Date.now() > end) throw new FilegateError(0, 'storage is still assembling the file: look again later')
        await sleep(1000)
        await this.#record(file, await this.#call(file, 'GET', `/v1/files/${fid}`))
      }
      const meta = this.#meta(file)
      if (meta.filegateStatus === 'COMPLETED') {
        this.uppy.emit('filegate:settled', this.uppy.getFile(id))
        return
      }
      const why = meta.filegateStatus === 'REJECTED'
        ? `rejected: ${meta.filegateReason}`
        : `the upload session is ${meta.filegateStatus}`
      this.uppy.emit('upload-error', this.uppy.getFile(id), new FilegateError(422, why))
      this.uppy.emit('filegate:settled', this.uppy.getFile(id))
    } catch (err) {
      this.uppy.emit('upload-error', this.uppy.getFile(id), err)
    } finally {
      if (this.uppy.getFile(id)) this.uppy.emit('postprocess-complete', this.uppy.getFile(id))
    }
  }

  #onRemoved = (file) => {
    if (file.meta.filegateId && !SETTLED.includes(file.meta.filegateStatus)) this.#cancel(file)
  }

  // #cancel ends a removed file's session (once), and tells the page (filegate:cancelled).
  async #cancel(file) {
    const id = file.meta.filegateId
    if (this.#cancelled.has(id)) return
    this.#cancelled.add(id)
    try {
      const res = await this.#call(file, 'POST', `/v1/files/${id}/cancel`, {})
      this.uppy.emit('filegate:cancelled', file, res.status === 200 ? res.json : null, res.status === 200 ? null : refusal(res))
    } catch (err) {
      this.uppy.emit('filegate:cancelled', file, null, err)
    }
  }
}
