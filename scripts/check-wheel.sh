#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The packaging check: `pip install .` into a fresh venv that has only openmm and torch (and the build tools), at
# the versions requirements.txt pins, so that pip installs the package's own dependencies; then, outside the source
# tree, import the package, run a few TSF steps and a miniature `fit` through the installed libraries, and run the
# console script's `sample` (a short tempering run, with its closing report) and `analyze` (MBAR over its ladder):
# what a user runs first must not need an extra. The wheel is built in build/wheel/ (without the C++ tests), so a
# rerun only rebuilds what changed.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${TSF_BUILD_DIR:-$ROOT/build}
JOBS=${TSF_JOBS:-$(nproc)}
CHECK_VENV=$BUILD_DIR/wheel-venv

rm -rf "$CHECK_VENV"
/usr/bin/python3 -m venv "$CHECK_VENV"
PIP=("$CHECK_VENV/bin/python" -m pip --disable-pip-version-check)
"${PIP[@]}" install --quiet "$(grep '^pip==' "$ROOT/requirements.txt")"
"${PIP[@]}" install --quiet -c "$ROOT/requirements.txt" openmm openmm-cuda-13 torch scikit-build-core swig numpy
CMAKE_ARGS=(-C build-dir="$BUILD_DIR/wheel")
[ -x /usr/local/cuda/bin/nvcc ] && CMAKE_ARGS+=(-C cmake.define.CUDAToolkit_ROOT=/usr/local/cuda)
CMAKE_BUILD_PARALLEL_LEVEL=$JOBS "${PIP[@]}" install --quiet -c "$ROOT/requirements.txt" --no-build-isolation \
    "${CMAKE_ARGS[@]}" "$ROOT"
cd "$(mktemp -d)"
"$CHECK_VENV/bin/python" "$ROOT/tests/packaging/run_installed.py" "$ROOT/examples/data/alanine-dipeptide.pdb" \
    "$ROOT/models/ala2-tsf-600K.pt"
"$CHECK_VENV/bin/openmmtsf" sample --pdb "$ROOT/examples/data/alanine-dipeptide.pdb" \
    --model "$ROOT/models/ala2-spline-chisq-300-600K.pt" --prior-move-probability 0.8 --replicas 3 --steps 300 \
    --adaptation-steps 50 --seed 1 --output sample > sample.log 2>&1 || { cat sample.log; exit 1; }
grep -q "basin phi1>0" sample/summary.txt
"$CHECK_VENV/bin/openmmtsf" analyze sample --basin 'psi1>0' --output analysis
test -s analysis/free_energy.csv
echo "== Packaging: the wheel installs, imports and runs sample and analyze"
