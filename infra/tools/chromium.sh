#!/usr/bin/env bash
# Installs Debian's chromium for the upload page's browser test
# (infra/uploadpage), once, when it is missing and this user may (root with
# apt-get). Otherwise it only says how: the test then fails with the same command.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "filegate: installing chromium for the browser test (once)..." >&2
  apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
  exit 0
fi
echo "filegate: chromium is missing; the browser test will fail until you run (as root): apt-get install -y chromium" >&2
