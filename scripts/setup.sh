#!/usr/bin/env bash
# Sets up openmm-tsf on Debian bookworm, idempotently: installs the Debian packages that are missing,
# configures and builds the plugin in build/, and installs the Python package into the venv .venv/
# (made from /usr/bin/python3 with --system-site-packages, so it sees Debian's openmm and torch).
#
# Environment: TSF_BUILD_DIR (default build/), TSF_VENV (default .venv/), TSF_JOBS (default: all cores).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${TSF_BUILD_DIR:-$ROOT/build}
VENV=${TSF_VENV:-$ROOT/.venv}
JOBS=${TSF_JOBS:-$(nproc)}

PACKAGES=(
    cmake g++ make swig libgtest-dev
    libopenmm-dev libopenmm-plugins python3-simtk
    libtorch-dev python3-torch libopenblas0-pthread
    python3-dev python3-numpy python3-venv python3-pip python3-setuptools python3-wheel python3-pytest
    python3-tqdm python3-scipy python3-mdtraj python3-matplotlib
    pocl-opencl-icd ocl-icd-opencl-dev
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

# OpenMM's lepton headers (needed by the OpenCL and CUDA plugins) and CUDA platform headers are only in Debian's
# openmm source package: fetch it once into the build folder (never committed).
OPENMM_SOURCE_DIR="$BUILD_DIR/openmm-source"
if [ ! -d "$OPENMM_SOURCE_DIR/openmm-7.7.0/libraries/lepton/include" ]; then
    echo "== Fetching Debian's openmm source package into $OPENMM_SOURCE_DIR"
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    if ! apt-get source --download-only --print-uris openmm >/dev/null 2>&1; then
        $SUDO tee /etc/apt/sources.list.d/openmm-tsf-deb-src.sources >/dev/null <<'SOURCES'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
        $SUDO apt-get update -q
    fi
    mkdir -p "$OPENMM_SOURCE_DIR"
    (cd "$OPENMM_SOURCE_DIR" && apt-get source --download-only -q openmm=7.7.0+dfsg-9 && tar xf openmm_7.7.0+dfsg.orig.tar.xz) ||
        echo "== Warning: no openmm source package; the OpenCL and CUDA plugins will be skipped"
fi

CUDA_ARGS=()
[ -x /usr/local/cuda/bin/nvcc ] && CUDA_ARGS=(-DCUDAToolkit_ROOT=/usr/local/cuda)
echo "== Building in $BUILD_DIR"
cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DPython3_EXECUTABLE=/usr/bin/python3 \
    -DOPENMM_SOURCE_DIR="$OPENMM_SOURCE_DIR/openmm-7.7.0" "${CUDA_ARGS[@]}"
cmake --build "$BUILD_DIR" -j "$JOBS"

echo "== Installing the Python package into $VENV"
[ -x "$VENV/bin/python" ] || /usr/bin/python3 -m venv --system-site-packages "$VENV"
"$VENV/bin/python" -m pip install --quiet --no-build-isolation --no-deps --no-index --force-reinstall "$BUILD_DIR/python"
"$VENV/bin/python" -c "import openmmtsf; print('openmmtsf', openmmtsf.__version__, 'is installed')"
