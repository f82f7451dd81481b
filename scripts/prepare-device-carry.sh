#!/usr/bin/env bash
# Everything the GPU machine needs from this (CPU) machine, in one go:
#   scripts/prepare-device-carry.sh
# 1. third_party/ffmpeg-static: a static FFmpeg with NVDEC/NVENC support
#    (scripts/build-ffmpeg-static.sh; skipped when already there);
# 2. build-device + third_party/device-bundle: ballcam built against it for
#    sm_90 (BALLCAM_CUDA_ARCH to change) and the shared libraries the GPU
#    machine lacks (scripts/make-device-bundle.sh);
# 3. .devmodels: the FootAndBall weights (from ../shared/models), RF-DETR
#    Nano with random weights as a skeleton (tools/model_skeleton.py; the
#    export is tools/export_rfdetr.py --random, reused from build-test when
#    the CTest fixture made it) and its sidecar.
# Then, with the device tool: carry third_party/ffmpeg-static/lib,
# third_party/ffmpeg-static/include, third_party/device-bundle and .devmodels,
# and run `scripts/device-check.sh $OUT/r` (docs/GPU.md, "Device check").
# Needs .venv (scripts/setup.sh --deps). About 15-25 minutes on 2 cores the
# first time, mostly FFmpeg and the ballcam build.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
py=$root/.venv/bin/python
[[ -x $py ]] || { echo "prepare-device-carry: no .venv (run scripts/setup.sh --deps)" >&2; exit 2; }
arch=${BALLCAM_CUDA_ARCH:-90}

if [[ ! -f third_party/ffmpeg-static/lib/libavcodec.a ]]; then
  scripts/build-ffmpeg-static.sh
fi
cmake -S . -B build-device -G Ninja -DCMAKE_BUILD_TYPE=Release -DBALLCAM_FFMPEG_ROOT=third_party/ffmpeg-static \
  -DCMAKE_CUDA_ARCHITECTURES="$arch" -DBALLCAM_BUILD_TESTS=OFF -DBALLCAM_BUILD_BENCH=OFF >/dev/null
cmake --build build-device --target ballcam
scripts/make-device-bundle.sh build-device >/dev/null

mkdir -p .devmodels
cp ../shared/models/footandball_20201019.pth .devmodels/
rfdetr=build-test/rfdetr-test/rfdetr-nano-random.pt
if [[ ! -f $rfdetr ]]; then
  rfdetr=.devmodels/rfdetr-nano-random.pt
  HF_HUB_OFFLINE=1 "$py" tools/export_rfdetr.py --random --size nano --seed 0 --out "$rfdetr"
fi
"$py" tools/model_skeleton.py pack "$rfdetr" .devmodels/rfdetr-nano.skel.zip
cp "${rfdetr%.pt}.json" .devmodels/rfdetr-nano.json
rm -f .devmodels/rfdetr-nano-random.pt .devmodels/rfdetr-nano-random.json

du -sh third_party/ffmpeg-static/lib third_party/ffmpeg-static/include third_party/device-bundle .devmodels
echo "prepare-device-carry: ready; carry third_party/ffmpeg-static/lib third_party/ffmpeg-static/include" \
     "third_party/device-bundle .devmodels and run scripts/device-check.sh \$OUT/r"
