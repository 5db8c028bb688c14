// Filegate drop-in upload widget: plain JavaScript, no dependencies, no build.
//
//   <div id="uploads"></div>
//   <script src="filegate-upload.js"></script>
//   <script>
//     FilegateUpload.mount(document.getElementById('uploads'), {
//       api: 'https://files.example.com',          // the Filegate API
//       getToken: async (renew) => { ... },        // an upload token from your server
//     });
//   </script>
//
// getToken(renew) is called for the first token (renew undefined) and again
// whenever the current one is about to expire or is refused (renew = that
// token): your server then calls POST /v1/upload-tokens with {"renew": renew}
// so the fresh token continues the old one (same files, same budget).
// Each file is created (POST /v1/files), PUT straight to storage with its
// presigned URL and headers, then completed; the row shows progress and the
// final state: COMPLETED, REJECTED with the reason, CANCELLED or an error.
(function (global) {
  'use strict';

  function claims(token) {
    try {
      const body = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      return JSON.parse(atob(body + '==='.slice((body.length + 3) % 4)));
    } catch (e) {
      return {};
    }
  }

  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function sizeText(n) {
    if (n < 1024) return n + ' B';
    if (n < 1048576) return (n / 1024).toFixed(1) + ' KiB';
    return (n / 1048576).toFixed(1) + ' MiB';
  }

  function mount(root, options) {
    const api = options.api.replace(/\/$/, '');
    const autoStart = options.autoStart !== false;
    let token = null;
    let tokenPromise = null;

    // fresh returns a token with at least a minute left, asking the host
    // page for a renewal when needed (one request at a time).
    async function fresh(force) {
      const exp = token ? claims(token).exp || 0 : 0;
      if (!force && token && exp * 1000 - Date.now() > 60000) return token;
      if (!tokenPromise) {
        tokenPromise = Promise.resolve(options.getToken(token || undefined))
          .then((t) => { token = t; return t; })
          .finally(() => { tokenPromise = null; });
      }
      return tokenPromise;
    }

    // call answers {status, json}; a token the host would not give (not
    // logged in, a renewal refused) or a network failure is status 0 with
    // the reason as the error message.
    async function call(method, path, body) {
      for (let attempt = 0; ; attempt++) {
        let res;
        try {
          const t = await fresh(attempt > 0);
          res = await fetch(api + path, {
            method,
            headers: Object.assign({ Authorization: 'Bearer ' + t }, body ? { 'Content-Type': 'application/json' } : {}),
            body: body ? JSON.stringify(body) : undefined,
          });
        } catch (e) {
          return { status: 0, json: { error: { message: String(e.message || e) } } };
        }
        if (res.status === 401 && attempt === 0) continue; // expired under us: renew once
        let json = null;
        try { json = await res.json(); } catch (e) { /* 204 or a gateway body */ }
        return { status: res.status, json };
      }
    }

    root.classList.add('fg-upload');
    const zone = el('label', { class: 'fg-zone', 'data-role': 'dropzone' });
    const input = el('input', { type: 'file', multiple: '', 'data-role': 'picker' });
    zone.append(el('strong', {}, 'Drop files here'), el('span', {}, ' or choose files'), input);
    const list = el('ul', { class: 'fg-list', 'data-role': 'files' });
    const start = el('button', { type: 'button', 'data-role': 'start', hidden: '' }, 'Upload all');
    root.append(zone, start, list);

    const items = [];

    function render(item) {
      item.row.dataset.status = item.status;
      item.row.dataset.fileId = item.id || '';
      item.state.textContent = item.status + (item.reason ? ': ' + item.reason : '');
      item.bar.value = item.progress;
      const live = item.status === 'CREATING' || item.status === 'PENDING' || item.status === 'UPLOADING' || item.status === 'COMPLETING';
      item.cancel.hidden = !live || !item.id;
      if (options.onChange) options.onChange(items.map((i) => ({ name: i.file.name, id: i.id, status: i.status, reason: i.reason })));
    }

    function add(file) {
      const row = el('li', { class: 'fg-file', 'data-name': file.name });
      const item = { file, row, status: 'CREATING', progress: 0, id: null, reason: '', xhr: null, cancelled: false };
      item.bar = el('progress', { max: '1', value: '0' });
      item.state = el('span', { class: 'fg-state', 'data-role': 'state' });
      item.cancel = el('button', { type: 'button', 'data-role': 'cancel' }, 'Cancel');
      item.cancel.addEventListener('click', () => cancel(item));
      row.append(el('span', { class: 'fg-name' }, file.name), el('span', { class: 'fg-size' }, sizeText(file.size)), item.bar, item.state, item.cancel);
      list.append(row);
      items.push(item);
      render(item);
      create(item);
    }

    function finish(item, status, reason) {
      item.status = status;
      item.reason = reason;
      render(item);
    }

    async function create(item) {
      const f = item.file;
      try {
        const r = await call('POST', '/v1/files', { filename: f.name, mimeType: f.type || 'application/octet-stream', sizeBytes: f.size });
        if (r.status !== 200) return finish(item, 'ERROR', (r.json && r.json.error && r.json.error.message) || 'HTTP ' + r.status);
        item.id = r.json.id;
        item.upload = { url: r.json.uploadUrl, headers: r.json.uploadHeaders || {} };
        item.status = 'PENDING';
        render(item);
        if (autoStart) upload(item); else start.hidden = false;
      } catch (e) {
        finish(item, 'ERROR', String(e.message || e));
      }
    }

    function upload(item) {
      if (item.status !== 'PENDING' || item.cancelled) return;
      item.status = 'UPLOADING';
      render(item);
      const xhr = new XMLHttpRequest();
      item.xhr = xhr;
      xhr.open('PUT', item.upload.url);
      for (const h in item.upload.headers) {
        if (h.toLowerCase() !== 'content-length') xhr.setRequestHeader(h, item.upload.headers[h]); // the browser sets the length
      }
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) { item.progress = e.loaded / e.total; render(item); } };
      xhr.onload = () => {
        item.xhr = null;
        if (xhr.status >= 200 && xhr.status < 300) { item.progress = 1; complete(item, 0); } else finish(item, 'ERROR', 'storage refused the upload (HTTP ' + xhr.status + ')');
      };
      xhr.onerror = () => { item.xhr = null; if (!item.cancelled) finish(item, 'ERROR', 'the upload failed (network or CORS)'); };
      xhr.send(item.file);
    }

    async function complete(item, tries) {
      if (item.cancelled) return;
      item.status = 'COMPLETING';
      render(item);
      const r = await call('POST', '/v1/files/' + item.id + '/complete', {});
      if (r.status === 200) return finish(item, r.json.status, '');
      if (r.status === 422) return show(item);
      if (r.status === 409 && tries < 10 && r.json && r.json.error && r.json.error.code === 'upload_missing') {
        return setTimeout(() => complete(item, tries + 1), 1000);
      }
      if (r.status === 409) return show(item); // settled by the storage event first
      finish(item, 'ERROR', (r.json && r.json.error && r.json.error.message) || 'HTTP ' + r.status);
    }

    // show reads the file's state as the API has it.
    async function show(item) {
      const r = await call('GET', '/v1/files/' + item.id);
      if (r.status !== 200) return finish(item, 'ERROR', (r.json && r.json.error && r.json.error.message) || 'HTTP ' + r.status);
      finish(item, r.json.status, r.json.rejection ? r.json.rejection.message : '');
    }

    async function cancel(item) {
      item.cancelled = true;
      if (item.xhr) item.xhr.abort();
      const r = await call('POST', '/v1/files/' + item.id + '/cancel', {});
      if (r.status === 200) return finish(item, 'CANCELLED', '');
      show(item);
    }

    input.addEventListener('change', () => { for (const f of input.files) add(f); input.value = ''; });
    zone.addEventListener('dragover', (e) => { e.preventDefault(); zone.classList.add('fg-over'); });
    zone.addEventListener('dragleave', () => zone.classList.remove('fg-over'));
    zone.addEventListener('drop', (e) => {
      e.preventDefault();
      zone.classList.remove('fg-over');
      for (const f of e.dataTransfer.files) add(f);
    });
    start.addEventListener('click', () => { start.hidden = true; items.forEach(upload); });
    return { add, items };
  }

  global.FilegateUpload = { mount };
})(window);
