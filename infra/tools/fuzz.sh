#!/usr/bin/env bash
# Runs every Go fuzz target in the module for $1 each (default 60s).
# `make test` runs them briefly; `make fuzz` runs them long.
set -euo pipefail
fuzztime="${1:-60s}"
cd "$(dirname "$0")/../.."
grep -rl --include='*_test.go' '^func Fuzz' . | sort | while read -r file; do
  pkg="./$(dirname "${file#./}")"
  for fn in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' "$file"); do
    echo "fuzz: $pkg $fn ($fuzztime)"
    if ! out=$(go test -run='^$' -fuzz="^${fn}\$" -fuzztime="$fuzztime" "$pkg" 2>&1); then
      echo "$out"
      exit 1
    fi
    echo "$out" | tail -n 1
  done
done
