#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The sanitizer and fuzzing check: builds the library, the Reference platform, the C++ tests and the libFuzzer
# targets with clang, AddressSanitizer and UndefinedBehaviorSanitizer (build-sanitize/), runs the C++ tests on
# Reference, then each fuzz target for FUZZ_SECONDS (default 60) from a copy of its committed seed corpus
# (tests/fuzz/corpus/<target>/). Fails on any sanitizer report, crash, timeout or allocation over the limits.
# libFuzzer's seed is fixed (FUZZ_SEED, default 1), so its mutations start the same way each run (what a run reaches
# still depends on its speed); FUZZ_SEED=0 draws a new seed.
# Needs the venv of scripts/setup.sh (OpenMM, libtorch) and clang from Debian.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${TSF_VENV:-$ROOT/.venv}
BUILD=${TSF_SANITIZE_BUILD_DIR:-$ROOT/build-sanitize}
JOBS=${TSF_JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SEED=${FUZZ_SEED:-1}
[ -x "$VENV/bin/python" ] || "$ROOT/scripts/setup.sh"

echo "== Sanitizer build (clang, ASan + UBSan, libFuzzer) in $BUILD"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DPython3_EXECUTABLE="$VENV/bin/python" \
    -DTSF_SANITIZE=ON -DTSF_BUILD_FUZZERS=ON -DTSF_BUILD_GPU_PLATFORMS=OFF -DTSF_BUILD_PYTHON_WRAPPERS=OFF > "$BUILD.configure.log"
cmake --build "$BUILD" -j "$JOBS"

# Leaks are checked too; libtorch's and OpenMM's process-lifetime singletons are not ours.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_init_order=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$ROOT/tests/fuzz/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
echo "== C++ tests on Reference under ASan + UBSan"
ctest --test-dir "$BUILD" --output-on-failure -j "$JOBS" -R 'Reference$|Serialization$|^TestInternalCoordinates$'

echo "== Fuzzing, $FUZZ_SECONDS s per target"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for target in FuzzXmlProxies FuzzModelBytes FuzzCheckpoint; do
    cp -r "$ROOT/tests/fuzz/corpus/$target" "$work/$target"
    mkdir -p "$work/$target-crashes"
    "$BUILD/tests/fuzz/$target" "$work/$target" -seed="$FUZZ_SEED" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=4096 \
        -malloc_limit_mb=1024 -print_final_stats=1 -artifact_prefix="$work/$target-crashes/" 2> "$work/$target.log" || {
        tail -n 60 "$work/$target.log"
        mkdir -p "$BUILD/fuzz-failures"
        cp -r "$work/$target-crashes" "$BUILD/fuzz-failures/$target"
        echo "$target: FAILED; the input is in $BUILD/fuzz-failures/$target/ (reproduce: $BUILD/tests/fuzz/$target <file>)"
        exit 1
    }
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" | grep -o '[0-9]*$')
    echo "$target: $runs runs, 0 crashes; $(grep "^$target:" "$work/$target.log" | tail -n 1 | cut -d: -f2-)"
done
