#!/usr/bin/env bash
# Run the whole pytest suite; "no tests collected" (exit 5) is a failure, never a pass.
set -uo pipefail
PY="${1:-python3}"
"$PY" -m pytest tests "${@:2}"
rc=$?
if [ "$rc" -eq 5 ]; then
  echo "pytest collected no tests: failing the run" >&2
  exit 1
fi
exit "$rc"
