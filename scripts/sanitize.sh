#!/usr/bin/env bash
# Sanitizer builds and runs (docs/TESTING.md).
#   scripts/sanitize.sh asan [ctest args...]   AddressSanitizer + UndefinedBehaviorSanitizer,
#                                              the whole CTest suite (build-asan/)
#   scripts/sanitize.sh tsan [ctest args...]   ThreadSanitizer, the pipeline/queue/frame-pool tests
#                                              and the end-to-end runs (build-tsan/)
# Extra arguments go to ctest (e.g. -R regex). The build type is Release
# with debug info off; CUDA is off (its kernels are not instrumented and the
# GPU tests skip without a device anyway), Python bindings are skipped by
# CMake (python cannot load an ASan module without LD_PRELOAD).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-}
shift || true
python=${BALLCAM_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
case "$kind" in
  asan) build=${BALLCAM_ASAN_DIR:-build-asan}; sanitize="address;undefined" ;;
  tsan) build=${BALLCAM_TSAN_DIR:-build-tsan}; sanitize="thread" ;;
  *) echo "usage: scripts/sanitize.sh asan|tsan [ctest args...]" >&2; exit 2 ;;
esac
# halt_on_error: the first report fails the test; the sanitizer's exit code
# (66) is not one ballcam uses, so a test that expects exit 3 sees 66 instead.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:exitcode=66:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=66}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBALLCAM_WERROR=ON -DPython_EXECUTABLE="$python" \
  -DBALLCAM_SANITIZE="$sanitize" -DBALLCAM_WITH_CUDA=OFF -DBALLCAM_WITH_TORCH=OFF -DBALLCAM_BUILD_BENCH=OFF \
  ${BALLCAM_CMAKE_ARGS:-} >/dev/null
start=$(date +%s)
if [[ $kind == asan ]]; then
  cmake --build "$build" -j"${BALLCAM_JOBS:-2}"
  echo "sanitize.sh asan: build took $(( $(date +%s) - start )) s"
  start=$(date +%s)
  ctest --test-dir "$build" --output-on-failure --timeout 1800 -j2 "$@"
else
  # ThreadSanitizer: the code with threads — the queue, the live source, the
  # metrics exporter and preview server, and the whole pipeline through the
  # end-to-end runs of the real binary (test_cli, test_bad_input).
  cmake --build "$build" -j"${BALLCAM_JOBS:-2}" --target ballcam test_core test_io test_metrics test_preview test_cli test_bad_input test_frame_pool
  echo "sanitize.sh tsan: build took $(( $(date +%s) - start )) s"
  start=$(date +%s)
  ctest --test-dir "$build" --output-on-failure --timeout 1800 -j2 \
    -R "${BALLCAM_TSAN_TESTS:-^(BoundedQueue|FramePool|Live|Sink|Source|HttpExporter|PreviewServer|PreviewServerTest|Cli|BadInput)\\.}" "$@"
fi
echo "sanitize.sh $kind: ctest took $(( $(date +%s) - start )) s"
