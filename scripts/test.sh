#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The test command: sets everything up (scripts/setup.sh), then runs every C++ test (ctest: one entry per platform
# and precision), every Python test (pytest), the packaging check (scripts/check-wheel.sh) and the sanitizer and
# fuzzing check (scripts/sanitize.sh: about 10 minutes; TSF_SKIP_SANITIZE=1 leaves it out of a local run).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/setup.sh"
BUILD_DIR=${TSF_BUILD_DIR:-$ROOT/build}
VENV=${TSF_VENV:-$ROOT/.venv}
JOBS=${TSF_JOBS:-$(nproc)}

echo "== C++ tests"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j "$JOBS"
echo "== Python tests"
cd "$ROOT"
"$VENV/bin/python" -m pytest -q tests/python
echo "== Packaging"
"$ROOT/scripts/check-wheel.sh"
if [ "${TSF_SKIP_SANITIZE:-0}" != 1 ]; then
    echo "== Sanitizers and fuzzing"
    "$ROOT/scripts/sanitize.sh"
fi
