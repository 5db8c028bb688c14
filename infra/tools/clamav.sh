#!/usr/bin/env bash
# Installs Debian's clamav-daemon (clamd) for the local stack's malware
# scanning, once, when it is missing and this user may (root with apt-get).
# Otherwise it only says how: `make dev` and the scan tests then fail with the
# same command. The local stack runs clamd itself, with its own generated
# config and a signature database it builds (infra/clamd): no service unit
# and no downloaded databases are needed, so freshclam is set to manual.
set -euo pipefail
if command -v clamd >/dev/null 2>&1 || [ -x /usr/sbin/clamd ]; then
  exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "filegate: installing clamav-daemon for malware scanning (once)..." >&2
  # freshclam would otherwise be started as a daemon that keeps trying to
  # download the official databases; the stack never needs it.
  if command -v debconf-set-selections >/dev/null 2>&1; then
    echo "clamav-freshclam clamav-freshclam/autoupdate_freshclam select manual" | debconf-set-selections
  fi
  export DEBIAN_FRONTEND=noninteractive
  install() { apt-get install -y --no-install-recommends clamav-daemon >/dev/null; }
  install || { apt-get update >/dev/null && install; }
  exit 0
fi
echo "filegate: clamd is missing; make dev and the malware-scan tests will fail until you run (as root): apt-get install -y clamav-daemon" >&2
