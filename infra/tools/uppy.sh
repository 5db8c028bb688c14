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
  --sourcemap --legal-comments=linked --log-level=warning --outfile="$out/filegate-page.js" \
  --metafile="$dir/node_modules/.filegate-meta.json"

# The licenses of the packages in the bundle (what esbuild's metafile says it took in), with
# each one's license text, for whoever serves the page.
(cd "$dir" && node --input-type=module -e '
import { readFileSync, readdirSync, writeFileSync } from "node:fs"
const meta = JSON.parse(readFileSync("node_modules/.filegate-meta.json", "utf8"))
const pkgs = new Set()
for (const f of Object.keys(meta.inputs)) {
  const m = f.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)
  if (m) pkgs.add(m[1])
}
let text = "Packages bundled into filegate-page.js and filegate-page.css, and their licenses.\n"
for (const name of [...pkgs].sort()) {
  const dir = `node_modules/${name}`
  const pkg = JSON.parse(readFileSync(`${dir}/package.json`, "utf8"))
  const file = readdirSync(dir).find((n) => /^(licen[cs]e|copying)/i.test(n))
  text += `\n== ${name} ${pkg.version} (${pkg.license || "no license field"})\n`
  text += file ? readFileSync(`${dir}/${file}`, "utf8") : "(the package ships no license file)\n"
}
writeFileSync(process.argv[1], text)
' "$out/filegate-page.licenses.txt")
