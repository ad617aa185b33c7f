#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Sets up openmm-tsf on Debian bookworm, idempotently:
#  1. installs the missing Debian packages (system tools only: compilers, CMake, GoogleTest, PoCL for OpenCL on the
#     CPU, OpenMPI for openmmtools' replicas over MPI ranks, Python's venv and headers);
#  2. makes the venv .venv/ from Debian's /usr/bin/python3 and installs the pinned Python stack into it
#     (requirements.txt: openmm 8.6 with its CUDA platform, torch 2.x, SWIG, scikit-build-core, ...);
#  3. builds the plugin in build/ with the C++ tests, through `pip install .` (scikit-build-core), which also
#     installs the openmmtsf package into the venv.
# The CUDA kernel library is built where the CUDA toolkit is found (TSF_CUDA_ROOT, default /usr/local/cuda).
#
# Environment: TSF_BUILD_DIR (default build/), TSF_VENV (default .venv/), TSF_JOBS (default: all cores).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${TSF_BUILD_DIR:-$ROOT/build}
VENV=${TSF_VENV:-$ROOT/.venv}
JOBS=${TSF_JOBS:-$(nproc)}
CUDA_ROOT=${TSF_CUDA_ROOT:-/usr/local/cuda}

PACKAGES=(
    cmake g++ make libgtest-dev zlib1g-dev clang libclang-rt-14-dev
    python3 python3-dev python3-venv
    pocl-opencl-icd ocl-icd-opencl-dev
    openmpi-bin libopenmpi-dev
)
missing=()
for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "== Installing Debian packages: ${missing[*]}"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# A venv of Debian's Python that sees nothing but what requirements.txt pins (an older set-up made one with
# --system-site-packages: replace it).
if [ -f "$VENV/pyvenv.cfg" ] && grep -q "include-system-site-packages = true" "$VENV/pyvenv.cfg"; then
    echo "== Replacing the venv $VENV, which sees the system's packages"
    rm -rf "$VENV"
fi
[ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv "$VENV"
echo "== Installing the pinned Python stack (requirements.txt) into $VENV"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$(grep '^pip==' "$ROOT/requirements.txt")"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$ROOT/requirements.txt"
"$VENV/bin/python" -c 'import openmm, torch; print("== Stack: OpenMM", openmm.__version__, "| torch", torch.__version__,
      "(CUDA", torch.version.cuda, ") | Python", __import__("sys").version.split()[0])'

echo "== Building in $BUILD_DIR and installing the openmmtsf package into $VENV"
CMAKE_ARGS=(-C build-dir="$BUILD_DIR" -C cmake.define.TSF_BUILD_TESTS=ON)
[ -x "$CUDA_ROOT/bin/nvcc" ] && CMAKE_ARGS+=(-C cmake.define.CUDAToolkit_ROOT="$CUDA_ROOT")
CMAKE_BUILD_PARALLEL_LEVEL=$JOBS "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --no-deps --force-reinstall "${CMAKE_ARGS[@]}" "$ROOT"
"$VENV/bin/python" -c "import openmmtsf; print('== openmmtsf', openmmtsf.__version__, 'is installed')"
