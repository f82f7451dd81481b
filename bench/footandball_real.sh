#!/usr/bin/env bash
# Ball detection on the hand-annotated real footage (tests/data/annotations):
# the classical detector and FootAndBall with and without the planner, at
# input scale 1 and 2. Precision/recall at <= 8 px from `ballcam eval`, and
# the end-to-end FPS of each run on this machine.
# The planner rows with a 30 ms per-frame budget are the real-time setting
# (--detect-budget-ms 30: the planner spends 30 ms a frame and skips frames
# it cannot pay for).
#   bench/footandball_real.sh BALLCAM WEIGHTS FOOTAGE_DIR [OUT_DIR]
# Prints a markdown table. Needs a ballcam built with libtorch.
# FAST=1 leaves out the rows without a budget (whole frame, or the planner
# scanning every tile of every frame while nothing is found): on a 2-core
# CPU each of those takes many minutes per clip.
# HELD_OUT_FROM=N scores zak_soccer on its annotated frames >= N only: use
# it with weights fine-tuned on the frames before N (tools/
# finetune_footandball.py; docs/BENCHMARKS.md uses 330 with a model trained
# on 0-280). CLIPS="zak_soccer" limits the clips.
set -uo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 BALLCAM WEIGHTS FOOTAGE_DIR [OUT_DIR]" >&2
  exit 2
fi
bin=$1 weights=$2 footage=$3
out=${4:-$(mktemp -d /tmp/ballcam-fab-XXXXXX)}
mkdir -p "$out"
ann="$(cd "$(dirname "$0")/.." && pwd)/tests/data/annotations"
configs=(
  "classical|--detector classical"
  "footandball, whole frame, scale 1|--detector footandball --model $weights --no-planner"
  "footandball, planner, scale 1|--detector footandball --model $weights"
  "footandball, whole frame, scale 2|--detector footandball --model $weights --no-planner --input-scale 2"
  "footandball, planner, scale 2|--detector footandball --model $weights --input-scale 2"
  "footandball, planner + 30 ms budget, scale 1|--detector footandball --model $weights --detect-budget-ms 30"
  "footandball, planner (256 px tiles) + 30 ms budget, scale 1|--detector footandball --model $weights --tile-px 256 --detect-budget-ms 30"
  "footandball, planner + 30 ms budget, scale 2|--detector footandball --model $weights --input-scale 2 --detect-budget-ms 30"
)
held_from=${HELD_OUT_FROM:-}
if [[ -n "$held_from" ]]; then
  python3 -c "import json,sys
for line in open(sys.argv[1]):
    if json.loads(line)['frame'] >= int(sys.argv[2]): sys.stdout.write(line)" \
    "$ann/zak_soccer.jsonl" "$held_from" >"$out/zak_soccer.held_out.jsonl"
fi
echo "| clip | detector | precision (<= 8 px) | recall (<= 8 px) | end-to-end FPS |"
echo "|---|---|---|---|---|"
for clip in ${CLIPS:-zak_soccer rubi_football}; do
  truth="$ann/$clip.jsonl"
  [[ -n "$held_from" && $clip == zak_soccer ]] && truth="$out/zak_soccer.held_out.jsonl"
  i=0
  for c in "${configs[@]}"; do
    name=${c%%|*} args=${c#*|}
    tag="$clip-$i"; i=$((i + 1))
    if [[ "${FAST:-0}" == 1 && "$name" == footandball* && "$args" != *--detect-budget-ms* ]]; then continue; fi
    # shellcheck disable=SC2086
    if ! "$bin" run -q -i "$footage/$clip.mp4" -o "$out/$tag.mkv" --no-audio $args --track-out "$out/$tag.jsonl" \
        --metrics-json "$out/$tag.metrics.json" >"$out/$tag.log" 2>&1; then
      echo "| $clip | $name | run failed: $(tail -1 "$out/$tag.log") | | |"
      continue
    fi
    "$bin" eval --truth "$truth" --track "$out/$tag.jsonl" --radius 8 >"$out/$tag.eval" 2>&1
    p=$(awk '/detection precision/{print $3, $4; exit}' "$out/$tag.eval")
    r=$(awk '/detection recall/{print $3, $4; exit}' "$out/$tag.eval")
    fps=$(python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print(round(m.get('fps', m.get('summary', {}).get('fps', 0)), 1))" \
      "$out/$tag.metrics.json" 2>/dev/null || echo "?")
    echo "| $clip | $name | $p | $r | $fps |"
  done
done
