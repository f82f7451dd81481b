#!/usr/bin/env bash
# Device check, run on the GPU machine from the repo root:
#   scripts/device-check.sh RESULTS_DIR
# One invocation: GPU, driver and NVDEC/NVENC libraries; a GPU-only build
# (kernels, NVDEC helpers against the carried static FFmpeg, the libtorch
# CUDA check) and its tests with BALLCAM_GPU_REQUIRE_DEVICE=1; the kernel
# perf table; the NVML probe; and, with the prebuilt ballcam carried in
# third_party/device-bundle (scripts/make-device-bundle.sh), `ballcam doctor`,
# a synthetic 1080p clip, NVDEC-vs-CPU decode-only rates and `ballcam run
# --decode nvdec|cpu` on it. Every step has a time limit; a failed step is
# recorded and the script goes on. Writes into RESULTS_DIR: log.txt
# (everything), summary.txt, tests.txt, perf.md, doctor.txt, decode.md.
#
# Then the zero-copy pipeline's benchmark (bench/gpu_pipeline.sh: each stage
# alone and end to end, GPU path vs CPU, 720p and 1080p, RF-DETR Nano with
# random weights unpacked from .devmodels/rfdetr-nano.skel.zip) into
# RESULTS_DIR/gpu/.
#
# Carry (device `run` tool): third_party/ffmpeg-static (lib, include),
# third_party/device-bundle and .devmodels (FootAndBall weights, the RF-DETR
# skeleton and its .json). Needs cmake, ninja, nvcc, python3 with torch;
# no network. About 5-7 minutes on 16 cores.
set -uo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 RESULTS_DIR" >&2
  exit 2
fi
results=$1
mkdir -p "$results"
results=$(cd "$results" && pwd)
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
build_dir=build-gpu
arch=${BALLCAM_CUDA_ARCH:-90}
jobs=$(nproc 2>/dev/null || echo 4)
ffroot=$root/third_party/ffmpeg-static
bundle=$root/third_party/device-bundle
work=$(mktemp -d /tmp/ballcam-device.XXXXXX)

exec > >(tee "$results/log.txt") 2>&1

summary=()
failed=0
step() {  # step NAME TIMEOUT_S COMMAND... : run, record pass/fail, keep going
  local name=$1 limit=$2
  shift 2
  echo
  echo "=== $name ($(date -u +%H:%M:%S)) ==="
  local t0=$SECONDS rc=0
  timeout -k 5 "$limit" "$@" || rc=$?
  local verdict=ok
  if [[ $rc -ne 0 ]]; then
    verdict="FAILED (rc=$rc$([[ $rc -eq 124 ]] && echo ", timed out after ${limit}s"))"
    failed=1
  fi
  summary+=("$name: $verdict, $((SECONDS - t0)) s")
  return $rc
}
note() { summary+=("$*"); echo "$*"; }

echo "ballcam device check, $(date -u '+%Y-%m-%d %H:%M:%S') UTC, commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"

step "nvidia-smi" 30 nvidia-smi
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>/dev/null || true

echo
echo "=== NVDEC / NVENC driver libraries ==="
libs=$(ldconfig -p 2>/dev/null | grep -E 'libnvcuvid|libnvidia-encode' || true)
echo "${libs:-(none found by ldconfig -p)}"
if grep -q libnvcuvid <<<"$libs"; then nvdec="present"; else nvdec="MISSING"; fi
if grep -q libnvidia-encode <<<"$libs"; then nvenc="present"; else nvenc="MISSING"; fi
echo "NVDEC (libnvcuvid): $nvdec"
echo "NVENC (libnvidia-encode): $nvenc  (H100/H200 have no NVENC engine even when the library is installed)"
note "NVDEC library libnvcuvid: $nvdec"
note "NVENC library libnvidia-encode: $nvenc"

echo
echo "=== toolchain ==="
cmake --version | head -1
ninja --version
nvcc_bin=$(command -v nvcc || true)
[[ -z $nvcc_bin && -x /usr/local/cuda/bin/nvcc ]] && nvcc_bin=/usr/local/cuda/bin/nvcc
if [[ -n $nvcc_bin ]]; then "$nvcc_bin" --version | tail -2; else echo "nvcc not found"; fi
py=$(command -v python3 || true)
torch_prefix=$([[ -n $py ]] && timeout 60 "$py" -c 'import torch.utils; print(torch.utils.cmake_prefix_path)' 2>/dev/null || true)
torch_lib=$([[ -n $py ]] && timeout 60 "$py" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)
echo "torch cmake prefix: ${torch_prefix:-none}"
if [[ -f $ffroot/lib/libavcodec.a ]]; then note "static FFmpeg: $ffroot"; else note "static FFmpeg: NOT carried (no NVDEC tests)"; fi

# FootAndBall weights for the libtorch CUDA check: carried in an ignored
# folder (never committed), e.g. .devmodels/footandball_20201019.pth.
if [[ -z ${BALLCAM_FOOTANDBALL_WEIGHTS:-} && -f $root/.devmodels/footandball_20201019.pth ]]; then
  export BALLCAM_FOOTANDBALL_WEIGHTS=$root/.devmodels/footandball_20201019.pth
fi
note "FootAndBall weights: ${BALLCAM_FOOTANDBALL_WEIGHTS:-not carried (torch CUDA test skips)}"

# --- the prebuilt full binary (doctor, synth, run) ------------------------------
clip=$work/clip1080.mp4
if [[ -x $bundle/ballcam ]]; then
  export LD_LIBRARY_PATH=$bundle/lib${torch_lib:+:$torch_lib}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  echo
  echo "=== bundle: libraries the binary cannot find ==="
  ldd "$bundle/ballcam" | grep 'not found' || echo "(none)"
  step "doctor" 90 bash -c "set -o pipefail; '$bundle/ballcam' doctor --device cuda 2>&1 | tee '$results/doctor.txt'"
  step "synth 1080p clip" 150 "$bundle/ballcam" synth -o "$clip" --size 1920x1080 --duration 12 --no-audio
else
  note "device bundle: NOT carried ($bundle/ballcam missing): no doctor / run steps"
fi

# --- GPU-only build: kernels, NVDEC helpers, libtorch CUDA ----------------------
cmake_args=(-S . -B "$build_dir" -G Ninja -DBALLCAM_GPU_ONLY=ON -DBALLCAM_WITH_CUDA=ON
            -DCMAKE_CUDA_ARCHITECTURES="$arch" -DCMAKE_BUILD_TYPE=Release)
[[ -n $nvcc_bin ]] && cmake_args+=(-DCMAKE_CUDA_COMPILER="$nvcc_bin")
[[ -f $ffroot/lib/libavcodec.a ]] && cmake_args+=(-DBALLCAM_FFMPEG_ROOT="$ffroot")
if [[ -n $torch_prefix ]]; then
  cmake_args+=(-DCMAKE_PREFIX_PATH="$torch_prefix" -DTORCH_CUDA_ARCH_LIST=9.0)
else
  cmake_args+=(-DBALLCAM_WITH_TORCH=OFF)
fi

if step "configure" 150 cmake "${cmake_args[@]}" &&
   step "build" 330 ninja -C "$build_dir" -j "$jobs"; then
  test_bin=$build_dir/tests/gpu/test_gpu
  export BALLCAM_GPU_REQUIRE_DEVICE=1  # here a skipped GPU test is a failure
  [[ -f $clip ]] && export BALLCAM_NVDEC_BENCH=$clip
  step "tests" 240 bash -c "set -o pipefail; '$test_bin' 2>&1 | tee '$results/tests.txt'"
  unset BALLCAM_NVDEC_BENCH
  step "perf" 120 bash -c "set -o pipefail; '$test_bin' --perf --perf-out '$results/perf.md' 2>&1"
  if [[ -f $results/tests.txt ]]; then
    { echo "| decode-only, $(basename "$clip") | frames | rate |"; echo "|---|---|---|"
      grep -E '^\| (CPU|NVDEC)' "$results/tests.txt"; } >"$results/decode.md" 2>/dev/null || true
    grep -E 'NVDEC .*max \||torch CUDA' "$results/tests.txt" | head -20
  fi
fi

# NVML gauges (GPU utilisation/memory for /metrics), loaded at run time.
if step "nvml build" 60 g++ -std=c++20 -O2 -I src -o "$work/nvml_probe" scripts/nvml_probe.cpp \
     src/metrics/nvml.cpp -ldl; then
  step "nvml" 30 "$work/nvml_probe"
fi

# --- ballcam run on the 1080p clip: NVDEC vs CPU decode ----------------------
if [[ -x $bundle/ballcam && -f $clip ]]; then
  for mode in nvdec cpu; do
    step "run --decode $mode" 150 "$bundle/ballcam" run -i "$clip" -o "$work/out_$mode.mp4" --decode "$mode" \
      --metrics-json "$results/run_$mode.json"
  done
  if [[ -n $py ]]; then
    "$py" - "$results" >>"$results/decode.md" <<'EOF' || true
import json, sys, os
d = sys.argv[1]
print("\n| ballcam run, 1080p synthetic | end-to-end fps | decode ms p50 | decode ms p95 | bytes device->host |")
print("|---|---|---|---|---|")
for mode in ("nvdec", "cpu"):
    p = os.path.join(d, f"run_{mode}.json")
    if not os.path.exists(p):
        print(f"| --decode {mode} | failed | | | |"); continue
    m = json.load(open(p))
    st = {s.get("name"): s for s in m.get("stages", [])} if isinstance(m.get("stages"), list) else m.get("stages", {})
    dec = st.get("decode", {})
    c = m.get("counters", {})
    print(f"| --decode {mode} | {m.get('fps', 0):.1f} | {dec.get('p50_ms', '')} | {dec.get('p95_ms', '')} | {c.get('bytes_device_to_host', '')} |")
EOF
  fi
  cat "$results/decode.md" 2>/dev/null
fi

# --- NVENC: used where it opens; the H100/H200 have none (exit 5 is the answer) ---
if [[ -x $bundle/ballcam && -f $clip ]]; then
  echo
  echo "=== NVENC ==="
  nvrc=0
  timeout -k 5 120 "$bundle/ballcam" run -i "$clip" -o "$work/out_nvenc.mp4" --encoder h264_nvenc --max-frames 100 \
    --metrics-json "$results/run_nvenc.json" >"$results/nvenc.log" 2>&1 || nvrc=$?
  tail -3 "$results/nvenc.log"
  case $nvrc in
    0) note "NVENC: h264_nvenc encoded 100 frames (run_nvenc.json)" ;;
    5) note "NVENC: not on this GPU ($(grep -o -- '--encoder h264_nvenc: .*' "$results/nvenc.log" | head -1 | cut -c1-160))" ;;
    *) note "NVENC: FAILED rc=$nvrc (nvenc.log)"; failed=1 ;;
  esac
fi

# --- the zero-copy GPU pipeline vs the CPU pipeline (issue 5's benchmark) --------
# RF-DETR Nano with random weights, carried as a skeleton (tools/model_skeleton.py
# pack; 0.65 MB instead of 123 MB) with its sidecar, in .devmodels/.
skel=$root/.devmodels/rfdetr-nano.skel.zip
if [[ -x $bundle/ballcam && -f $skel && -f $root/.devmodels/rfdetr-nano.json && -n $py ]]; then
  if step "rfdetr unpack" 120 "$py" tools/model_skeleton.py unpack "$skel" "$work/rfdetr-nano.pt"; then
    cp "$root/.devmodels/rfdetr-nano.json" "$work/rfdetr-nano.json"
    step "gpu pipeline bench" 540 bench/gpu_pipeline.sh "$bundle/ballcam" "$work/rfdetr-nano.pt" "$results/gpu" \
      "${BALLCAM_BENCH_SECONDS:-40}"
  fi
else
  note "gpu pipeline bench: skipped (needs the bundle, python3 and .devmodels/rfdetr-nano.{skel.zip,json})"
fi

rm -rf "$work"
echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}" | tee "$results/summary.txt"
if [[ $failed -ne 0 ]]; then
  echo "device check: FAILED" | tee -a "$results/summary.txt"
  exit 1
fi
echo "device check: ok" | tee -a "$results/summary.txt"
