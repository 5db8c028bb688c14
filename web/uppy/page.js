// The drop-in upload page (web/upload/index.html): Uppy's Dashboard with the Filegate
// plugin and Golden Retriever, bundled by infra/tools/uppy.sh into web/upload/dist/.
//
// Configuration comes in the fragment, which browsers never send to a server:
//   #api=<Filegate API>&token=<upload token>
// and in the query: tokenUrl=<your endpoint> (POST {"renew": old} → {"token"}; without
// #token=, also the first token) and autostart=0 to wait for the Upload button. The
// endpoint is your server's, behind your users' login: the request carries their cookies
// (same origin) and is JSON. Embedded in an iframe without tokenUrl, the page asks its
// parent instead: it posts {type: "filegate:token-request", renew} and waits for
// {type: "filegate:token", token}.
import Uppy from '@uppy/core'
import Dashboard from '@uppy/dashboard'
import GoldenRetriever from '@uppy/golden-retriever'
import Filegate from './filegate-uppy.js'
import './page.css'

const GiB = 1024 * 1024 * 1024

const hash = new URLSearchParams(location.hash.slice(1))
const query = new URLSearchParams(location.search)
let first = hash.get('token')
const api = hash.get('api') || query.get('api') || location.origin
const autostart = query.get('autostart') !== '0'
// Keep the token out of history; the API's address stays, for a reload.
hash.delete('token')
history.replaceState(null, '', location.pathname + location.search + (hash.size ? `#${hash}` : ''))

function fromParent(renew) {
  return new Promise((resolve) => {
    addEventListener('message', function once(e) {
      if (e.source === parent && e.data && e.data.type === 'filegate:token') {
        removeEventListener('message', once)
        resolve(e.data.token)
      }
    })
    parent.postMessage({ type: 'filegate:token-request', renew }, '*')
  })
}

async function getToken(renew) {
  if (first && !renew) {
    const t = first
    first = null
    return t
  }
  const url = query.get('tokenUrl')
  if (url) {
    const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ renew }) })
    let body = {}
    try { body = await res.json() } catch { /* not JSON */ }
    if (!res.ok || !body.token) throw new Error(`no upload token from ${url}: ${body.error || `HTTP ${res.status}`}`)
    return body.token
  }
  if (parent !== window) return fromParent(renew)
  throw new Error('no upload token: open the page with #token=… or ?tokenUrl=…')
}

function bytes(n) {
  if (n >= GiB) return `${(n / GiB).toFixed(1)} GiB`
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MiB`
  return n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`
}

const uppy = new Uppy({ id: 'filegate-page', autoProceed: autostart })
// For the page's host (and its browser test): the Uppy instance and its events.
window.filegateUppy = uppy

// Results: each file's state in words, final ones included (COMPLETED, REJECTED with its
// reason, CANCELLED, an error, or refused before any request), in a live region.
const results = document.getElementById('results')
const rows = new Map()
function show(file, status, text) {
  let row = rows.get(file.id)
  if (!row) {
    row = document.createElement('li')
    row.dataset.name = file.name
    row.append(document.createElement('span'), document.createElement('span'))
    row.firstChild.className = 'fg-name'
    row.lastChild.className = 'fg-state'
    row.lastChild.dataset.role = 'state'
    rows.set(file.id, row)
    results.append(row)
  }
  row.dataset.status = status
  row.dataset.fileId = file.meta?.filegateId || row.dataset.fileId || ''
  row.firstChild.textContent = file.name
  row.lastChild.textContent = status + (text ? `: ${text}` : '')
}
let refusals = 0
uppy.on('restriction-failed', (file, err) => {
  if (file) show({ ...file, id: `refused-${++refusals}` }, 'REFUSED', `${err.message} (not added, nothing sent)`)
})
uppy.on('file-added', (file) => show(file, 'WAITING'))
uppy.on('upload-start', (files) => files.forEach((f) => show(f, 'UPLOADING')))
uppy.on('upload-retry', (file) => show(file, 'UPLOADING'))
uppy.on('filegate:created', (file) => show(file, 'UPLOADING'))
uppy.on('upload-pause', (file, paused) => file && show(file, paused ? 'PAUSED' : 'UPLOADING'))
const uploading = () => uppy.getFiles().filter((f) => f.progress.uploadStarted && !f.progress.uploadComplete && !f.error)
uppy.on('pause-all', () => uploading().forEach((f) => show(f, 'PAUSED')))
uppy.on('resume-all', () => uploading().forEach((f) => show(f, 'UPLOADING')))
// Offline, uploads wait for the network and go on by themselves; the page says so (Uppy's
// own "No Internet connection" note is hidden as soon as it is shown, in 5.2.0).
const waiting = 'no network: the upload waits, and goes on by itself when the network is back'
addEventListener('offline', () => uploading().filter((f) => !f.isPaused).forEach((f) => show(f, 'OFFLINE', waiting)))
addEventListener('online', () => uploading().filter((f) => !f.isPaused).forEach((f) => show(f, 'UPLOADING')))
uppy.on('upload-success', (file) => file && show(file, 'VALIDATING'))
uppy.on('filegate:settled', (file) => {
  if (file.meta.filegateStatus === 'COMPLETED') show(file, 'COMPLETED')
})
uppy.on('upload-error', (file, err) => {
  if (!file) return
  const st = uppy.getFile(file.id)?.meta.filegateStatus
  if (st === 'REJECTED') show(file, 'REJECTED', uppy.getFile(file.id).meta.filegateReason)
  else if (st === 'CANCELLED' || st === 'EXPIRED') show(file, st)
  else show(file, 'ERROR', err.message)
})
uppy.on('filegate:cancelled', (file, cancelled, err) => show(file, cancelled ? 'CANCELLED' : 'ERROR', err ? `cancel failed: ${err.message}` : ''))
uppy.on('file-removed', (file) => {
  if (!file.meta.filegateId) show(file, 'REMOVED', 'nothing was uploaded')
})
uppy.on('restored', () => {
  const files = uppy.getFiles()
  files.forEach((f) => show(f, f.isGhost ? 'CHOOSE AGAIN' : 'RESTORED'))
  // Uploads resume by themselves, unless a file's bytes were not kept (choose it again).
  if (autostart && files.length && !files.some((f) => f.isGhost)) uppy.emit('restore-confirmed')
})

const dashboard = {
  target: '#uploads',
  inline: true,
  width: '100%',
  height: 430,
  showProgressDetails: true,
  proudlyDisplayPoweredByUppy: false,
  theme: 'light',
}
uppy
  .use(Dashboard, dashboard)
  // A large file survives a reload only if its bytes do: Golden Retriever keeps them in
  // IndexedDB, by default for files up to 10 MiB (300 MiB in all); here up to 10 GiB, in
  // all too (the browser's storage quota still decides; a file it cannot keep is shown
  // again to be chosen). Not its service worker, which holds files in memory only as long
  // as the browser keeps the worker running.
  .use(GoldenRetriever, { serviceWorker: false, indexedDB: { maxFileSize: 10 * GiB, maxTotalSize: 10 * GiB } })
  .use(Filegate, { api, getToken })

// Uppy's Dashboard (5.1.1) renders a lone file as a listitem outside any list (axe-core:
// aria-required-parent, critical): its container gets the list role it lacks.
new MutationObserver(() => {
  for (const el of document.querySelectorAll('.uppy-Dashboard-files:not([role])')) el.setAttribute('role', 'list')
}).observe(document.getElementById('uploads'), { childList: true, subtree: true })

// The token's limits, in words, under the drop zone.
uppy.on('filegate:token', (c) => {
  const parts = []
  if (c.mt && c.mt.length) parts.push(`Types: ${c.mt.join(', ')}`)
  if (c.mf) parts.push(`up to ${c.mf} file${c.mf === 1 ? '' : 's'}`)
  if (c.mb) parts.push(`${bytes(c.mb)} in all`)
  uppy.getPlugin('Dashboard').setOptions({ note: parts.join('; ') })
  document.body.dataset.token = 'ready'
})
