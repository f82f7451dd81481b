#!/usr/bin/env bash
# Scenario suite: synthetic clips aimed at one failure each (docs/SCENARIOS.md),
# followed with `ballcam run` and scored with `ballcam eval`, summarised as
# Markdown tables (per clip and overall, ballcam and the naive baseline).
#
#   scripts/eval_suite.sh [BUILD_DIR] [--fast] [--work DIR] [--jobs N] [--config FILE]
#
# BUILD_DIR  holds src/app/ballcam (default: build). --fast runs the CI subset
# (short clips, <= 1080p). Clips are cached in WORK/clips by their parameters
# and a hash of src/synth/ (default WORK: ${TMPDIR:-/tmp}/ballcam-suite);
# runs/evals are redone every time. WORK/summary.json and WORK/summary.md hold
# the result. --config FILE is passed to every `ballcam run` (for tuning the
# tracker and camera). Exit status: 0, or non-zero when a command fails.
set -euo pipefail

# ----------------------------------------------------------------- the suite
# name          scenario     size       fps  seconds  seed  crf  fast-seconds (- = not in --fast)
SUITE='
passes         passes       1920x1080  25   12       11    18   6
lofted         lofted       1920x1080  25   12       12    18   -
shots          shots        1920x1080  25   12       13    18   6
occlusion      occlusion    1920x1080  25   12       14    18   -
hidden         hidden       1920x1080  25   12       15    18   6
out_of_play    out_of_play  1920x1080  25   12       16    18   -
distractors    distractors  1920x1080  25   12       17    18   -
second_ball    second_ball  1920x1080  25   12       18    18   6
crf35          match        1920x1080  25   12       19    35   6
lighting       lighting     1920x1080  25   12       20    18   -
panorama       match        3840x1080  25   12       21    18   -
match25        match        1920x1080  25   12       22    18   -
match30        match        1920x1080  30   12       22    18   -
match60        match        1920x1080  60   12       22    18   -
'

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="$ROOT/build"
FAST=0
WORK="${TMPDIR:-/tmp}/ballcam-suite"
JOBS=1
CONFIG_ARGS=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fast) FAST=1 ;;
    --work) WORK="$2"; shift ;;
    --jobs) JOBS="$2"; shift ;;
    --config) CONFIG_ARGS=(--config "$(realpath "$2")"); shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) BUILD="$1" ;;
  esac
  shift
done
BIN="${BALLCAM_BIN:-$BUILD/src/app/ballcam}"
[[ -x "$BIN" ]] || { echo "eval_suite: no ballcam binary at $BIN" >&2; exit 2; }
command -v python3 >/dev/null || { echo "eval_suite: python3 is needed for the summary" >&2; exit 2; }

SYNTH_HASH="$(cat "$ROOT"/src/synth/*.cpp "$ROOT"/src/synth/*.hpp 2>/dev/null | sha1sum | cut -c1-10)"
mkdir -p "$WORK/clips" "$WORK/runs"
MANIFEST="$WORK/runs/manifest.tsv"
: > "$MANIFEST"

clip_key() { echo "$2-$3-$4fps-$5s-seed$6-crf$7-${SYNTH_HASH}"; }

run_one() {  # name scenario size fps seconds seed crf
  local name=$1 scenario=$2 size=$3 fps=$4 secs=$5 seed=$6 crf=$7
  local key
  key="$(clip_key "$@")"
  local clip="$WORK/clips/$key.mp4" truth="$WORK/clips/$key.jsonl"
  if [[ ! -s "$clip" || ! -s "$truth" ]]; then
    "$BIN" --log-level warn synth -o "$clip.tmp.mp4" --truth "$truth.tmp" --scenario "$scenario" --size "$size" \
      --fps "$fps" --duration "$secs" --seed "$seed" --crf "$crf" --no-audio
    mv "$clip.tmp.mp4" "$clip"
    mv "$truth.tmp" "$truth"
  fi
  local out="$WORK/runs/$name"
  mkdir -p "$out"
  "$BIN" --log-level warn run "${CONFIG_ARGS[@]}" -i "$clip" -o "$out/out.mp4" --track-out "$out/track.jsonl" --metrics-json "$out/metrics.json" \
    --preset ultrafast --no-audio -q
  local w=${size%x*} h=${size#*x}
  "$BIN" --log-level warn eval --truth "$truth" --track "$out/track.jsonl" --json "$out/eval.json" \
    --warmup "$fps" --source-width "$w" --source-height "$h" > "$out/eval.txt"
  rm -f "$out/out.mp4"
}

entries=()
while read -r name scenario size fps secs seed crf fast; do
  [[ -z "${name:-}" ]] && continue
  if [[ $FAST == 1 ]]; then
    [[ "$fast" == "-" ]] && continue
    secs=$fast
  fi
  entries+=("$name $scenario $size $fps $secs $seed $crf")
done <<< "$SUITE"

start=$SECONDS
pids=()
for e in "${entries[@]}"; do
  # shellcheck disable=SC2086
  set -- $e
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$WORK/runs/$1" \
    "$WORK/clips/$(clip_key "$@").jsonl" >> "$MANIFEST"
  echo "eval_suite: $1 ($2, $3, ${4} fps, ${5} s, seed $6, crf $7)" >&2
  if [[ $JOBS -gt 1 ]]; then
    run_one "$@" &
    pids+=($!)
    if [[ ${#pids[@]} -ge $JOBS ]]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  else
    run_one "$@"
  fi
done
for p in "${pids[@]}"; do wait "$p"; done
echo "eval_suite: ${#entries[@]} clips in $((SECONDS - start)) s" >&2

# ---------------------------------------------------------------- summary
# Overall numbers pool the frames of all clips: counts are summed, the track
# error quantiles come from every frame's error (recomputed from the JSONL
# files exactly as `ballcam eval` does), RMS values pool their squared sums.
python3 - "$MANIFEST" "$WORK/summary.json" "$WORK/summary.md" <<'PY'
import json, math, sys

manifest, out_json, out_md = sys.argv[1:4]

def quantile(v, q):
    if not v:
        return None
    v = sorted(v)
    pos = q * (len(v) - 1)
    lo = int(math.floor(pos)); hi = min(lo + 1, len(v) - 1); t = pos - lo
    return v[lo] * (1 - t) + v[hi] * t

def load(path):
    with open(path) as f:
        return [json.loads(l) for l in f if l.strip()]

def frame_errors(truth_path, track_path, warmup):
    """Per visible frame: (ballcam error or None, naive error or None), as evaluate() pairs them."""
    gt = {f["frame"]: f for f in load(truth_path)}
    recs = sorted((r for r in load(track_path) if r["frame"] in gt), key=lambda r: r["frame"])[warmup:]
    ours, naive = [], []
    for r in recs:
        b = gt[r["frame"]].get("ball")
        if not b or not b.get("visible", True):
            continue
        t = r.get("track", {})
        if t.get("has_estimate") and "x" in t:
            ours.append(math.hypot(t["x"] - b["x"], t["y"] - b["y"]))
        if r.get("detections"):
            d = r["detections"][0]
            naive.append(math.hypot(d["x"] - b["x"], d["y"] - b["y"]))
    return ours, naive

clips = []
with open(manifest) as f:
    for line in f:
        name, scenario, size, fps, secs, seed, crf, run, truth = line.rstrip("\n").split("\t")
        ev = json.load(open(run + "/eval.json"))
        clips.append(dict(name=name, scenario=scenario, size=size, fps=int(fps), seconds=float(secs), seed=int(seed),
                          crf=int(crf), run=run, truth=truth, eval=ev))

def g(d, *path):
    for p in path:
        if d is None:
            return None
        d = d.get(p)
    return d

def pooled(reports, errors):
    n = lambda *p: sum((g(r, *p) or 0) for r in reports)
    frames = n("frames"); vis = n("visible_frames")
    counted = n("detection", "counted"); correct = n("detection", "correct"); hits = n("detection", "recall_hits")
    in_view = sum(round((g(r, "view", "ball_in_view") or 0) * r["visible_frames"]) for r in reports)
    ok = [(r["reacquire"]["events"] - r["reacquire"]["failures"], r["reacquire"]) for r in reports]
    ok_n = sum(k for k, _ in ok)
    maxes = [x["max_s"] for _, x in ok if x["max_s"] is not None]
    def rms(key, lost):  # every clip's frames are consecutive: n - lost differences each
        num = sum((g(r, "camera", key) or 0) ** 2 * max(r["frames"] - lost, 0) for r in reports)
        den = sum(max(r["frames"] - lost, 0) for r in reports)
        return math.sqrt(num / den) if den else None
    return {
        "frames": frames, "visible_frames": vis,
        "precision": correct / counted if counted else None, "recall": hits / vis if vis else None,
        "error_median_px": quantile(errors, 0.5), "error_p95_px": quantile(errors, 0.95),
        "ball_in_view": in_view / vis if vis else None,
        "reacquire_events": n("reacquire", "events"), "reacquire_failures": n("reacquire", "failures"),
        "reacquire_mean_s": (sum(k * x["mean_s"] for k, x in ok if k and x["mean_s"] is not None) / ok_n) if ok_n else None,
        "reacquire_max_s": max(maxes) if maxes else None,
        "frames_without_estimate": n("track", "frames_without_estimate"),
        "accel_rms": rms("accel_rms_px_per_frame2", 2), "jerk_rms": rms("jerk_rms_px_per_frame3", 3),
        "zoom_rms": rms("zoom_change_rms_px_per_frame", 1),
    }

all_ours, all_naive = [], []
for c in clips:
    ours, naive = frame_errors(c["truth"], c["run"] + "/track.jsonl", c["fps"])
    c["errors"], c["naive_errors"] = ours, naive
    all_ours += ours; all_naive += naive
    c["ballcam"] = pooled([c["eval"]["ballcam"]], ours)
    c["naive"] = pooled([c["eval"]["naive_baseline"]], naive)
    c["jerk_ratio"] = (c["naive"]["jerk_rms"] / c["ballcam"]["jerk_rms"]) if c["ballcam"]["jerk_rms"] else None

overall = {"ballcam": pooled([c["eval"]["ballcam"] for c in clips], all_ours),
           "naive": pooled([c["eval"]["naive_baseline"] for c in clips], all_naive)}
overall["jerk_ratio"] = (overall["naive"]["jerk_rms"] / overall["ballcam"]["jerk_rms"]) if overall["ballcam"]["jerk_rms"] else None

def f(v, spec="{:.2f}"):
    return "n/a" if v is None else spec.format(v)
pct = lambda v: f(v if v is None else 100 * v, "{:.1f}")

def table(title, key):
    lines = [f"### {title}", "",
             "| clip | setup | frames | det P % | det R % | err med px | err p95 px | in view % | re-acq mean/max s (fail/events) "
             "| no est. | accel RMS | jerk RMS | zoom RMS |" + (" jerk naive/ballcam |" if key == "naive" else ""),
             "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|" + ("---:|" if key == "naive" else "")]
    def row(name, setup, m, ratio):
        s = (f"| {name} | {setup} | {m['frames']} | {pct(m['precision'])} | {pct(m['recall'])} | {f(m['error_median_px'])} "
             f"| {f(m['error_p95_px'])} | {pct(m['ball_in_view'])} | {f(m['reacquire_mean_s'])}/{f(m['reacquire_max_s'])} "
             f"({m['reacquire_failures']}/{m['reacquire_events']}) | {m['frames_without_estimate']} | {f(m['accel_rms'])} "
             f"| {f(m['jerk_rms'])} | {f(m['zoom_rms'])} |")
        return s + (f" {f(ratio)} |" if key == "naive" else "")
    for c in clips:
        setup = f"{c['scenario']} {c['size']}@{c['fps']} {c['seconds']:g}s crf{c['crf']}"
        lines.append(row(c["name"], setup, c[key], c["jerk_ratio"]))
    lines.append(row("**overall**", f"{len(clips)} clips, pooled frames", overall[key], overall["jerk_ratio"]))
    return "\n".join(lines) + "\n"

md = (table("ballcam", "ballcam") + "\n" + table("naive baseline (crop centred on the raw best detection)", "naive") +
      "\nDetections within 5 px count as correct; the first second (fps frames) of every clip is warm-up. "
      "Overall = all frames of all clips pooled (counts summed, error quantiles over every frame, RMS over every difference).\n")
print(md)
open(out_md, "w").write(md)
for c in clips:
    for k in ("errors", "naive_errors", "eval"):
        c.pop(k, None)
json.dump({"clips": clips, "overall": overall}, open(out_json, "w"), indent=2)
PY
