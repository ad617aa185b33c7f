#!/usr/bin/env bash
# The main-job command: sets everything up (scripts/setup.sh), then runs the main example.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/setup.sh"
VENV=${TSF_VENV:-$ROOT/.venv}
cd "$ROOT"
"$VENV/bin/python" examples/ala2_internal_coordinates.py "$@"
