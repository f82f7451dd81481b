#!/usr/bin/env bash
# The whole test suite: dependencies, a warning-free Release build, CTest.
#   scripts/test.sh              everything
#   scripts/test.sh -R regex     only the CTest tests matching regex
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --deps
build=${BALLCAM_BUILD_DIR:-build-test}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBALLCAM_WERROR=ON ${BALLCAM_CMAKE_ARGS:-}
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure --timeout 900 -j2 "$@"
