#!/usr/bin/env bash
# The CUDA device check, for a GPU machine with the CUDA toolkit, PyTorch with CUDA, CMake and many cores, but no
# OpenMM. From the repository root, in well under 8 minutes on 16 cores, it:
#   1. builds OpenMM 7.7's library and CUDA (and CPU) platforms from Debian's source tarball, which it carries;
#   2. builds GoogleTest from Debian's sources, which it carries, and the plugin against that OpenMM and the
#      libtorch inside PyTorch (same C++ ABI);
#   3. runs the IC-transform and integrator test suites on CUDA in single, mixed and double precision (against
#      Reference), and the hybrid-jump tests on Reference;
#   4. prints bench/cpp/TSFPlatformBenchmark: IC throughput and replica-exchange step time on CUDA against
#      Reference and CPU.
# Inputs (ignored paths, made by scripts/setup.sh and `tests/gpu/device-check.sh --prepare` on the build machine):
#   build/openmm-source/openmm_7.7.0+dfsg.orig.tar.xz   Debian's OpenMM source
#   build/googletest-source/                           a copy of Debian's /usr/src/googletest
# Output: $OUT/device-check.log (OUT defaults to build/device-check).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
TARBALL=$ROOT/build/openmm-source/openmm_7.7.0+dfsg.orig.tar.xz
GTEST_SOURCE=$ROOT/build/googletest-source

if [ "${1:-}" = "--prepare" ]; then
    # On the build machine: gather the carried inputs.
    [ -f "$TARBALL" ] || { echo "missing $TARBALL: run scripts/setup.sh first" >&2; exit 1; }
    rm -rf "$GTEST_SOURCE" && cp -r /usr/src/googletest "$GTEST_SOURCE"
    echo "carry: build/openmm-source/openmm_7.7.0+dfsg.orig.tar.xz build/googletest-source"
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
TORCH_PREFIX=$("$PYTHON" -c 'import torch; print(torch.utils.cmake_prefix_path)')
TORCH_ABI=$("$PYTHON" -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')
"$PYTHON" -c 'import torch; print("torch", torch.__version__, "CUDA", torch.version.cuda, "available", torch.cuda.is_available())'

step "OpenMM 7.7 from Debian's source (library, CPU and CUDA platforms)"
rm -rf "$WORK/openmm-7.7.0" && tar xf "$TARBALL" -C "$WORK"
# CUDA 13 changed cuCtxCreate's signature; OpenMM 7.7 predates it.
CONTEXT_SOURCE=$WORK/openmm-7.7.0/platforms/cuda/src/CudaContext.cpp
sed -i 's/cuCtxCreate(&context, flags, device)/tsfCreateContext(\&context, flags, device)/' "$CONTEXT_SOURCE"
sed -i '0,/^#include "CudaContext.h"/s//#include "CudaContext.h"\nstatic CUresult tsfCreateContext(CUcontext* context, unsigned int flags, CUdevice device) {\n#if CUDA_VERSION >= 13000\n    return cuCtxCreate(context, NULL, flags, device);\n#else\n    return cuCtxCreate(context, flags, device);\n#endif\n}/' "$CONTEXT_SOURCE"
cmake -S "$WORK/openmm-7.7.0" -B "$WORK/openmm-build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$WORK/openmm" \
    -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$TORCH_ABI" \
    -DCUDAToolkit_ROOT="$CUDA_HOME" -DOPENMM_BUILD_CUDA_LIB=ON -DOPENMM_BUILD_OPENCL_LIB=OFF -DOPENMM_BUILD_CPU_LIB=ON \
    -DOPENMM_BUILD_AMOEBA_PLUGIN=OFF -DOPENMM_BUILD_DRUDE_PLUGIN=OFF -DOPENMM_BUILD_RPMD_PLUGIN=OFF -DOPENMM_BUILD_PME_PLUGIN=OFF \
    -DOPENMM_BUILD_PYTHON_WRAPPERS=OFF -DOPENMM_BUILD_C_AND_FORTRAN_WRAPPERS=OFF -DOPENMM_BUILD_EXAMPLES=OFF \
    -DOPENMM_GENERATE_API_DOCS=OFF -DBUILD_TESTING=OFF -DOPENMM_BUILD_STATIC_LIB=OFF > "$WORK/openmm-configure.log"
cmake --build "$WORK/openmm-build" -j "$JOBS" --target install > "$WORK/openmm-build.log" || { tail -40 "$WORK/openmm-build.log"; exit 1; }
ls "$WORK/openmm/lib/plugins"

step "GoogleTest"
cmake -S "$GTEST_SOURCE" -B "$WORK/gtest-build" -DCMAKE_INSTALL_PREFIX="$WORK/gtest" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$TORCH_ABI" -DBUILD_GMOCK=OFF > /dev/null
cmake --build "$WORK/gtest-build" -j "$JOBS" --target install > /dev/null

step "The plugin, against that OpenMM and PyTorch's libtorch"
cmake -S "$ROOT" -B "$WORK/tsf-build" -DCMAKE_BUILD_TYPE=Release -DOPENMM_DIR="$WORK/openmm" \
    -DCMAKE_CXX_FLAGS="-D_GLIBCXX_USE_CXX11_ABI=$TORCH_ABI" \
    -DOPENMM_SOURCE_DIR="$WORK/openmm-7.7.0" -DCMAKE_PREFIX_PATH="$TORCH_PREFIX;$WORK/gtest" \
    -DCUDAToolkit_ROOT="$CUDA_HOME" -DTSF_BUILD_PYTHON_WRAPPERS=OFF | grep -E "OpenMMTSF|OpenMM:|libtorch"
cmake --build "$WORK/tsf-build" -j "$JOBS" > "$WORK/tsf-build.log" || { grep -B2 -A8 "error" "$WORK/tsf-build.log" | head -60; exit 1; }

step "Tests on CUDA (single, mixed, double) and Reference"
export OPENMM_PLUGIN_DIR="$WORK/openmm/lib/plugins"
export LD_LIBRARY_PATH="$WORK/openmm/lib:${LD_LIBRARY_PATH:-}"
export TSF_TEST_PLATFORMS=Reference,CUDA:single,CUDA:mixed,CUDA:double
status=0
for test in TestInternalCoordinateTransform TestTSFIntegrator TestTSFForce; do
    "$WORK/tsf-build/tests/cpp/$test" --gtest_brief=1 || status=1
done

step "Benchmark"
"$WORK/tsf-build/bench/TSFPlatformBenchmark" Reference CPU CUDA:single CUDA:mixed CUDA:double || status=1
step "Done (status $status)"
exit $status
