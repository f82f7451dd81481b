#!/usr/bin/env bash
# The detector/tracker table of docs/BENCHMARKS.md: the default `match`
# scenario, 12 s at 1080p25, one clip per seed, through `ballcam run`
# (default settings) and `ballcam eval --warmup 25` (5 px, 10 % margin).
#   scripts/eval_seeds.sh [BUILD_DIR] [FIRST_SEED] [LAST_SEED]     (default: build 1 40)
# Clips are cached in ${WORK:-/tmp/ballcam-seeds}/SEED/. Prints one line per
# seed (P, R, ball-in-view; "<--" where P or R < 0.9) and the pooled P/R.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
first=${2:-1}
last=${3:-40}
bin="$build/src/app/ballcam"
work=${WORK:-/tmp/ballcam-seeds}
one() {
  local s=$1 d="$work/$1"
  mkdir -p "$d"
  if [[ ! -s "$d/clip.mp4" ]]; then
    "$bin" --log-level warn synth -o "$d/clip.mp4" --truth "$d/gt.jsonl" --duration 12 --seed "$s"
  fi
  "$bin" --log-level warn run -q -i "$d/clip.mp4" -o "$d/out.mp4" --track-out "$d/track.jsonl" --no-audio
  "$bin" --log-level warn eval --truth "$d/gt.jsonl" --track "$d/track.jsonl" --warmup 25 --json "$d/eval.json" >/dev/null
  rm -f "$d/out.mp4"
}
for s in $(seq "$first" "$last"); do one "$s"; done
"${PYTHON:-python3}" - "$work" "$first" "$last" <<'PY'
import json, sys
work, first, last = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
C = N = H = V = 0
for s in range(first, last + 1):
    r = json.load(open(f"{work}/{s}/eval.json"))["ballcam"]
    d = r["detection"]
    C += d["correct"]; N += d["counted"]; H += d["recall_hits"]; V += r["visible_frames"]
    flag = "" if d["precision"] >= 0.9 and d["recall"] >= 0.9 else "  <--"
    print(f"seed {s:>2}: P {d['precision']:.3f} R {d['recall']:.3f} in-view {r['view']['ball_in_view']:.3f}{flag}")
print(f"pooled P {C / N:.3f} R {H / V:.3f}")
PY
