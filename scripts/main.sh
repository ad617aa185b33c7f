#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main-job command: sets everything up (scripts/setup.sh), then runs replica-exchange tempering of alanine
# dipeptide with the shipped flow (examples/ala2_tempering.py) and prints its summary. Extra arguments go to
# the example (see --help); results go to ala2-tempering/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/scripts/setup.sh"
VENV=${TSF_VENV:-$ROOT/.venv}
cd "$ROOT"
"$VENV/bin/python" examples/ala2_tempering.py "$@"
