// Rate limits through the official client, with its default retries: its
// project's Search rate is 1/s (infra/e2e/ratelimit_test.go sets it), so
// back-to-back listings meet 429s, which the client must retry after what
// Retry-After says, and every answer carries the rate-limit headers. Run
// alone (not with files.test.mjs or wire.test.mjs), with its own project.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import LlamaCloud from '@llamaindex/llama-cloud';

import { env } from './fixtures.mjs';

const baseURL = env('FILEGATE_URL');
const key = env('FILEGATE_KEY_R');

test('the client retries a 429 after Retry-After, and the call succeeds', async () => {
  const seen = []; // every attempt the client made: when, and what came back
  const fetchLogged = async (url, init) => {
    const at = Date.now();
    const res = await fetch(url, init);
    seen.push({ at, status: res.status, retryAfter: res.headers.get('retry-after'), limit: res.headers.get('x-ratelimit-limit'), remaining: res.headers.get('x-ratelimit-remaining') });
    return res;
  };
  const c = new LlamaCloud({ apiKey: key, baseURL, fetch: fetchLogged }); // the default maxRetries
  for (let i = 0; i < 3; i++) {
    const page = await c.files.list({ page_size: 1 });
    assert.ok(Array.isArray(page.items), `listing ${i + 1} resolves to a page`);
  }
  const refused = seen.filter((s) => s.status === 429);
  assert.ok(refused.length >= 1, `three listings at 1/s meet a 429: ${JSON.stringify(seen)}`);
  for (const s of seen) {
    assert.equal(s.limit, '1', `every answer names the bucket's capacity: ${JSON.stringify(s)}`);
    assert.match(s.remaining ?? '', /^\d+$/, `and what is left: ${JSON.stringify(s)}`);
  }
  seen.forEach((s, i) => {
    if (s.status !== 429) return;
    const wait = Number(s.retryAfter);
    assert.ok(wait >= 1, `a 429 says Retry-After in whole seconds: ${JSON.stringify(s)}`);
    assert.ok(i + 1 < seen.length, 'the client retried the 429');
    const waited = seen[i + 1].at - s.at;
    assert.ok(waited >= wait * 1000 - 50, `the retry came ${waited} ms after a 429 saying Retry-After: ${wait}`);
  });
});
