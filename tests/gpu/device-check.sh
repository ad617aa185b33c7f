#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The CUDA device check, for a GPU machine with the CUDA toolkit, PyTorch with CUDA (torch 2.11+cu130), CMake and
# many cores, but no OpenMM and no network. From the repository root, in a few minutes on 16 cores, it:
#   1. unpacks OpenMM 8.6's C++ libraries and headers, and its CUDA platform, from the PyPI wheels it carries;
#   2. builds GoogleTest from Debian's sources, which it carries, and the plugin against that OpenMM and the
#      libtorch inside PyTorch, with the CUDA tests on;
#   3. prints bench/flow_on_device.py (the shipped flows on the GPU against the CPU) and
#      bench/cpp/TSFPlatformBenchmark (IC throughput and replica-exchange step time on CUDA beside Reference and CPU);
#   4. runs the IC-transform, TSFForce and integrator suites on CUDA in single, mixed and double precision (each
#      against Reference, as on every platform), and on Reference (TSF_CTEST_REGEX, GTEST_FILTER select fewer).
# Inputs (ignored paths, made on the build machine by `tests/gpu/device-check.sh --prepare`):
#   build/device-inputs/wheels/       the openmm and openmm-cuda-13 wheels pinned in requirements.txt
#   build/device-inputs/googletest/   a copy of Debian's /usr/src/googletest
#   build/device-inputs/zlib/         zlib's headers, used only where the machine has none
# Output: $OUT/device-check.log (OUT defaults to build/device-check).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
INPUTS=$ROOT/build/device-inputs

if [ "${1:-}" = "--prepare" ]; then
    # On the build machine: gather the carried inputs.
    rm -rf "$INPUTS" && mkdir -p "$INPUTS/wheels"
    "$ROOT/.venv/bin/python" -m pip download --quiet --no-deps --only-binary=:all: -d "$INPUTS/wheels" \
        $(grep -iE '^(openmm|openmm-cuda-13)==' "$ROOT/requirements.txt")
    cp -r /usr/src/googletest "$INPUTS/googletest"
    mkdir -p "$INPUTS/zlib" && cp /usr/include/zlib.h /usr/include/zconf.h "$INPUTS/zlib/"
    du -sh "$INPUTS"
    echo "carry: build/device-inputs"
    exit 0
fi

WORK=${TSF_DEVICE_WORK:-/tmp/tsf-device-check}
OUT=${OUT:-$ROOT/build/device-check}
JOBS=${TSF_JOBS:-$(nproc)}
PYTHON=${PYTHON:-python3}
mkdir -p "$WORK" "$OUT"
exec > >(tee "$OUT/device-check.log") 2>&1
step() { echo "== [$(date +%T), ${SECONDS}s] $*"; }

step "Machine"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
CUDA_HOME=${CUDA_HOME:-$(dirname "$(dirname "$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)")")}
"$CUDA_HOME/bin/nvcc" --version | tail -2
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available())'
TORCH_PREFIX=$("$PYTHON" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
# OpenMM's CUDA platform finds cuFFT and NVRTC in the nvidia wheels next to torch.
NVIDIA_LIBS=$("$PYTHON" -c 'import os, torch; print(os.path.join(os.path.dirname(os.path.dirname(torch.__file__)), "nvidia", "cu13", "lib"))')

step "OpenMM from the carried wheels"
rm -rf "$WORK/site" && mkdir -p "$WORK/site"
for wheel in "$INPUTS"/wheels/*.whl; do
    "$PYTHON" -m zipfile -e "$wheel" "$WORK/site"
    echo "unpacked $(basename "$wheel")"
done
OPENMM_DIR=$WORK/site/OpenMM.libs
ls "$OPENMM_DIR/lib/plugins"

step "GoogleTest"
cmake -S "$INPUTS/googletest" -B "$WORK/gtest-build" -DCMAKE_INSTALL_PREFIX="$WORK/gtest" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_GMOCK=OFF > /dev/null
cmake --build "$WORK/gtest-build" -j "$JOBS" --target install > /dev/null

step "The plugin, against that OpenMM and PyTorch's libtorch"
zlib_args=()
if [ ! -e /usr/include/zlib.h ]; then
    # The machine has zlib's library (libtorch needs it) but maybe not its headers: use the carried ones.
    zlib_args=(-DZLIB_INCLUDE_DIR="$INPUTS/zlib" -DZLIB_LIBRARY="$(ldconfig -p | awk '/libz\.so\.1 .*x86-64/ {print $NF; exit}')")
fi
cmake -S "$ROOT" -B "$WORK/tsf-build" -DCMAKE_BUILD_TYPE=Release -DOPENMM_DIR="$OPENMM_DIR" \
    -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$WORK/gtest" -DCUDAToolkit_ROOT="$CUDA_HOME" -DTSF_BUILD_PYTHON_WRAPPERS=OFF \
    -DTSF_TEST_CUDA=ON -DPython3_EXECUTABLE="$(command -v "$PYTHON")" "${zlib_args[@]}" | grep -E "OpenMMTSF|OpenMM:|libtorch"
cmake --build "$WORK/tsf-build" -j "$JOBS" > "$WORK/tsf-build.log" || { grep -B2 -A8 "error" "$WORK/tsf-build.log" | head -60; exit 1; }

status=0
step "The shipped flows on the GPU (PyTorch alone)"
timeout "${TSF_BENCH_TIMEOUT_S:-120}" "$PYTHON" "$ROOT/bench/flow_on_device.py" \
    "$ROOT/models/ala2-spline-chisq-300-600K.pt" "$ROOT/models/ala2-tsf-600K.pt" || status=1

step "Benchmark"
export LD_LIBRARY_PATH="$NVIDIA_LIBS:$CUDA_HOME/lib64:${LD_LIBRARY_PATH:-}"
timeout "${TSF_BENCH_TIMEOUT_S:-120}" env OPENMM_PLUGIN_DIR="$OPENMM_DIR/lib/plugins" \
    "$WORK/tsf-build/bench/TSFPlatformBenchmark" Reference CPU CUDA:single CUDA:mixed CUDA:double || status=1

step "Tests on CUDA (single, mixed, double) and Reference"
# The suites share the GPU; each gets a time limit so that the log always comes back. GTEST_FILTER, if set, selects
# tests within the suites (the statistical ones take minutes each on a GPU: a step is latency-bound there).
ctest --test-dir "$WORK/tsf-build" --output-on-failure -j "${TSF_CTEST_JOBS:-6}" --timeout "${TSF_CTEST_TIMEOUT_S:-300}" \
    -R "${TSF_CTEST_REGEX:-CUDA|Reference}" || status=1

step "Done (status $status)"
exit $status
