#!/usr/bin/env bash
# The test command: sets everything up (scripts/setup.sh), then runs every C++ test (ctest) and every
# Python test (pytest).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/setup.sh"
BUILD_DIR=${TSF_BUILD_DIR:-$ROOT/build}
VENV=${TSF_VENV:-$ROOT/.venv}

echo "== C++ tests"
ctest --test-dir "$BUILD_DIR" --output-on-failure
echo "== Python tests"
cd "$ROOT"
"$VENV/bin/python" -m pytest -q tests/python
