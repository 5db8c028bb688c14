#!/usr/bin/env bash
# Installs s5cmd, the bench's bulk-transfer baseline, pinned, once, beside the other tools.
set -euo pipefail

S5CMD_VERSION=v2.3.0

dir="${FILEGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/filegate/tools}"
mkdir -p "$dir/bin"
if [ ! -x "$dir/bin/s5cmd" ] || [ "$(cat "$dir/s5cmd.version" 2>/dev/null)" != "$S5CMD_VERSION" ]; then
  command -v go >/dev/null 2>&1 || { echo "filegate: missing 'go': install Go 1.26+" >&2; exit 1; }
  echo "filegate: installing s5cmd $S5CMD_VERSION (once)..." >&2
  # Built inside a throwaway module: `go install pkg@version` asks the proxy for
  # the module's version list (deprecation check), which some proxies refuse.
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && go mod init s5cmd-install >/dev/null 2>&1 && go get "github.com/peak/s5cmd/v2@$S5CMD_VERSION" >&2 &&
    GOBIN="$dir/bin" go install github.com/peak/s5cmd/v2 >&2)
  echo "$S5CMD_VERSION" > "$dir/s5cmd.version"
fi
