#!/usr/bin/env bash
# The whole test suite: dependencies, a warning-free Release build, CTest,
# then pytest on the Python bindings (tests/python) when they were built.
#   scripts/test.sh              everything
#   scripts/test.sh -R regex     only the CTest tests matching regex (no pytest)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --deps
build=${BALLCAM_BUILD_DIR:-build-test}
python=${BALLCAM_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}  # Debian's, which has pytest
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBALLCAM_WERROR=ON -DPython_EXECUTABLE="$python" \
  ${BALLCAM_CMAKE_ARGS:-}
cmake --build "$build"
ctest --test-dir "$build" --output-on-failure --timeout 900 -j2 "$@"
(($#)) && exit 0
if grep -q '^BALLCAM_HAVE_PYTHON:INTERNAL=ON' "$build/CMakeCache.txt"; then
  PYTHONPATH="$(cd "$build" && pwd)/python" "$python" -m pytest -q -p no:cacheprovider tests/python
else
  echo "test.sh: Python bindings not built (no pybind11/Python headers): pytest skipped"
fi
