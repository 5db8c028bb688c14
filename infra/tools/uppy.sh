#!/usr/bin/env bash
# Builds the drop-in upload page's bundle (web/upload/dist/: Uppy, its Dashboard, Golden
# Retriever and Filegate's plugin, web/uppy/) from the npm packages web/uppy/package-lock.json
# pins: `npm ci` once per lock (into web/uppy/node_modules, gitignored), then esbuild, which
# is one of those packages. No CDN: the page loads only what its host serves. Quiet unless
# it fails or installs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
dir="$root/web/uppy"
out="$root/web/upload/dist"

command -v npm >/dev/null 2>&1 || { echo "filegate: missing 'npm': the upload page is built from npm packages; install Node.js 20+ with npm" >&2; exit 1; }

stamp="$dir/node_modules/.filegate-lock-sha256"
want="$( (sha256sum "$dir/package-lock.json" 2>/dev/null || shasum -a 256 "$dir/package-lock.json") | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "filegate: installing the upload page's npm packages (web/uppy, once per package-lock.json)..." >&2
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) || {
    echo "filegate: npm ci in web/uppy failed: it needs the npm registry (or a cache holding web/uppy/package-lock.json's packages)" >&2; exit 1; }
  echo "$want" > "$stamp"
fi

mkdir -p "$out"
"$dir/node_modules/.bin/esbuild" "$dir/page.js" --bundle --format=esm --target=es2022 --minify \
  --sourcemap --legal-comments=linked --log-level=warning --outfile="$out/filegate-page.js"
