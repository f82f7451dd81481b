#!/usr/bin/env bash
# libFuzzer runs of tests/fuzz (docs/TESTING.md).
#   scripts/fuzz.sh [seconds]     build build-fuzz/ (clang, ASan+UBSan+libFuzzer), then run each
#                                 target for `seconds` (default 30) on a seed corpus made here
#   BALLCAM_FUZZ_TARGETS="fuzz_config" scripts/fuzz.sh 600    only some targets
# The corpus grows in build-fuzz/corpus/<target> between runs; a crash leaves
# its input in build-fuzz/artifacts/ and makes the script exit non-zero.
# Reproduce one: build-fuzz/tests/fuzz/<target> build-fuzz/artifacts/crash-...
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
build=${BALLCAM_FUZZ_DIR:-build-fuzz}
targets=${BALLCAM_FUZZ_TARGETS:-fuzz_config fuzz_demux_decode}
cxx=${BALLCAM_FUZZ_CXX:-$(command -v clang++-14 || command -v clang++)}
cc=${BALLCAM_FUZZ_CC:-$(command -v clang-14 || command -v clang)}
[[ -n $cxx && -n $cc ]] || { echo "fuzz.sh: clang is needed (apt-get install clang)" >&2; exit 5; }

CC=$cc CXX=$cxx cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBALLCAM_FUZZ=ON \
  -DBALLCAM_SANITIZE="address;undefined" -DBALLCAM_BUILD_TESTS=OFF -DBALLCAM_BUILD_BENCH=OFF \
  -DBALLCAM_WITH_CUDA=OFF -DBALLCAM_WITH_TORCH=OFF -DBALLCAM_WITH_PYTHON=OFF >/dev/null
# shellcheck disable=SC2086
cmake --build "$build" -j"${BALLCAM_JOBS:-2}" --target $targets

seeds=$build/seeds
if [[ ! -f $seeds/.done ]]; then
  rm -rf "$seeds" && mkdir -p "$seeds/fuzz_config" "$seeds/fuzz_demux_decode"
  # Config: every YAML file the project ships or tests use, plus one line per option.
  n=0
  for f in $(git ls-files '*.yaml' '*.yml'); do cp "$f" "$seeds/fuzz_config/shipped$((n++)).yaml"; done
  printf 'output:\n  size: 1280x720\nencoder:\n  preset: veryfast\n  crf: 23\n  zerolatency: true\n' >"$seeds/fuzz_config/a.yaml"
  printf 'input:\n  url: rtsp://cam/1\n  live: auto\n  timeout_ms: 5000\ntracker:\n  gate_sigma: 3\ncamera:\n  smoothing_time_s: 0.5\n' >"$seeds/fuzz_config/b.yaml"
  printf 'pipeline: {max_frames: 20, queue_capacity: 8}\ndevice: cpu\ndetector: {name: classical, min_score: 0.3}\n' >"$seeds/fuzz_config/c.yaml"
  # A libFuzzer dictionary of the option keys (docs/CONFIG.md is generated from the table).
  grep -o '^| `[a-z_.]*`' docs/CONFIG.md | sed 's/^| `\(.*\)`/"\1"/' >"$build/config.dict"
  for k in $(sed 's/"//g; s/.*\.//' "$build/config.dict" | sort -u); do echo "\"$k:\"" >>"$build/config.dict"; done
  # Demux/decode: tiny real clips in many containers and codecs.
  src=(-f lavfi -i "testsrc=size=64x48:rate=10:duration=0.5")
  aud=(-f lavfi -i "sine=frequency=440:duration=0.5:sample_rate=8000")
  mk() { ffmpeg -v error -y "$@" </dev/null || echo "fuzz.sh: seed skipped: ${*: -1}" >&2; }
  d=$seeds/fuzz_demux_decode
  mk "${src[@]}" "${aud[@]}" -c:v libx264 -preset ultrafast -g 3 -c:a aac -b:a 16k "$d/h264_aac.mp4"
  mk "${src[@]}" -c:v libx264 -preset ultrafast -bf 2 -g 4 "$d/h264_bframes.mkv"
  mk "${src[@]}" -c:v libx264 -preset ultrafast -g 5 -f mpegts "$d/h264.ts"
  mk "${src[@]}" -c:v mpeg2video -f mpegts "$d/mpeg2.ts"
  mk "${src[@]}" -c:v flv "$d/flv1.flv"
  mk "${src[@]}" -c:v mjpeg -q:v 10 "$d/mjpeg.avi"
  mk "${src[@]}" -c:v mpeg4 "$d/mpeg4.mp4"
  mk "${src[@]}" -c:v libvpx -b:v 50k "$d/vp8.webm"
  mk "${src[@]}" -c:v rawvideo -pix_fmt yuv420p -frames:v 2 "$d/raw.nut"
  mk "${src[@]}" -frames:v 2 -pix_fmt yuv420p "$d/clip.y4m"
  mk "${src[@]}" -c:v png -frames:v 2 "$d/png.mov"
  mk "${src[@]}" -c:v libx264 -preset ultrafast -bsf:v h264_mp4toannexb -f h264 "$d/raw.h264"
  touch "$seeds/.done"
fi

mkdir -p "$build/artifacts"
status=0
for t in $targets; do
  corpus=$build/corpus/$t
  mkdir -p "$corpus"
  args=(-max_total_time="$seconds" -rss_limit_mb=4096 -timeout=20 -print_final_stats=1
        -artifact_prefix="$build/artifacts/$t-")
  case $t in
    fuzz_config) args+=(-max_len=4096 -dict="$build/config.dict") ;;
    fuzz_demux_decode) args+=(-max_len=65536) ;;
  esac
  log=$build/$t.log
  echo "fuzz.sh: $t for ${seconds}s"
  # ASan/UBSan must stop at the first report (and report leaks) like the tests.
  if ASAN_OPTIONS=${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
     "$build/tests/fuzz/$t" "${args[@]}" "$corpus" "$seeds/$t" >"$log" 2>&1; then
    echo "fuzz.sh: $t: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') execs," \
         "$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}')/s," \
         "corpus $(find "$corpus" -type f | wc -l) files, no crash"
  else
    status=1
    echo "fuzz.sh: $t FAILED (see $log):" >&2
    grep -E 'ERROR|SUMMARY|runtime error|artifact' "$log" | head -20 >&2
  fi
done
exit $status
