#!/usr/bin/env bash
# Sanitizer builds and runs (docs/TESTING.md).
#   scripts/sanitize.sh asan [ctest args...]   AddressSanitizer + UndefinedBehaviorSanitizer,
#                                              the whole CTest suite (build-asan/)
#   scripts/sanitize.sh tsan [ctest args...]   ThreadSanitizer, the pipeline/queue/frame-pool tests
#                                              and the end-to-end runs (build-tsan/)
#   scripts/sanitize.sh tsan-gpu-ref           ThreadSanitizer with libtorch (build-tsan-torch/):
#                                              the zero-copy path's threads on its CPU references
#                                              (gpu.reference_path, FootAndBall), a file run with
#                                              the preview polled and the live size-change scenario
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
  tsan-gpu-ref) build=${BALLCAM_TSAN_TORCH_DIR:-build-tsan-torch}; sanitize="thread"; torch=ON ;;
  *) echo "usage: scripts/sanitize.sh asan|tsan|tsan-gpu-ref [ctest args...]" >&2; exit 2 ;;
esac
# halt_on_error: the first report fails the test; the sanitizer's exit code
# (66) is not one ballcam uses, so a test that expects exit 3 sees 66 instead.
export ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:abort_on_error=0:exitcode=66:detect_leaks=1:detect_stack_use_after_return=0:strict_string_checks=1:check_initialization_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=66}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitizers/lsan.supp:print_suppressions=0}
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1:exitcode=66:second_deadlock_stack=1:suppressions=$PWD/tests/sanitizers/tsan.supp}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBALLCAM_WERROR=ON -DPython_EXECUTABLE="$python" \
  -DBALLCAM_SANITIZE="$sanitize" -DBALLCAM_WITH_CUDA=OFF -DBALLCAM_WITH_TORCH="${torch:-OFF}" -DBALLCAM_BUILD_BENCH=OFF \
  ${BALLCAM_CMAKE_ARGS:-} >/dev/null
start=$(date +%s)
if [[ $kind == asan ]]; then
  cmake --build "$build" -j"${BALLCAM_JOBS:-2}"
  echo "sanitize.sh asan: build took $(( $(date +%s) - start )) s"
  start=$(date +%s)
  ctest --test-dir "$build" --output-on-failure --timeout 1800 -j2 "$@"
elif [[ $kind == tsan-gpu-ref ]]; then
  # libtorch is not instrumented: one intra-op thread (--detector-threads 1),
  # so its OpenMP workers, whose synchronisation TSan cannot see, never run.
  cmake --build "$build" -j"${BALLCAM_JOBS:-2}" --target ballcam
  echo "sanitize.sh tsan-gpu-ref: build took $(( $(date +%s) - start )) s"
  start=$(date +%s)
  bin=$PWD/$build/src/app/ballcam
  model=$PWD/../shared/models/footandball_20201019.pth
  scratch=$(mktemp -d)
  trap 'rm -rf "$scratch"' EXIT
  printf 'gpu:\n  reference_path: true\ndetector:\n  threads: 1\n' > "$scratch/ref.yaml"
  port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  ( for _ in $(seq 1 120); do curl -s -o /dev/null -m 2 "http://127.0.0.1:$port/frame.jpg" || true; sleep 0.5; done ) &
  poller=$!
  "$bin" run -q -c "$scratch/ref.yaml" -i ../shared/footage/zak_soccer.mp4 -o "$scratch/ref.mp4" --no-audio \
    --detector footandball --model "$model" --max-frames 20 --overlay --preview-port "$port"
  kill "$poller" 2>/dev/null || true
  echo "sanitize.sh tsan-gpu-ref: file run passed"
  (cd "$build" && BALLCAM_SANITIZED=thread BALLCAM_HAVE_TORCH=1 BALLCAM_BIN="$bin" "$python" -m pytest -q -p no:cacheprovider \
    ../tests/live/test_live.py -k "resolution_change and gpu" "$@")
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
echo "sanitize.sh $kind: tests took $(( $(date +%s) - start )) s"
