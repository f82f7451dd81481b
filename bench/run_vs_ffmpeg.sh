#!/usr/bin/env bash
# ballcam run vs the ffmpeg CLI doing the equivalent work, in one run, on the
# same 1080p clip: decode -> crop -> scale to 1280x720 -> x264 veryfast (+ audio copy).
# ballcam additionally detects, tracks and frames the ball on every frame.
#   bench/run_vs_ffmpeg.sh [BUILD_DIR] [INPUT]     (default: a 20 s synthetic 1080p25 clip)
# Prints both FPS and the ratio; repeats each run REPEATS times (default 2) and keeps the best.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
bin="$build/src/app/ballcam"
work=$(mktemp -d /tmp/ballcam-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
repeats=${REPEATS:-2}

input=${2:-}
if [[ -z "$input" ]]; then
  input="$work/bench1080.mp4"
  "$bin" synth -o "$input" --size 1920x1080 --fps 25 --duration 20 --seed 11 >/dev/null 2>&1
fi
frames=$(ffprobe -v error -count_packets -select_streams v:0 -show_entries stream=nb_read_packets -of csv=p=0 "$input")

best() {  # best wall time of `repeats` runs of "$@"
  local best_s=""
  for ((i = 0; i < repeats; i++)); do
    local t0 t1 s
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    s=$(echo "$t1 - $t0" | bc -l)
    if [[ -z "$best_s" ]] || (($(echo "$s < $best_s" | bc -l))); then best_s=$s; fi
  done
  echo "$best_s"
}

# Two baselines: a fixed crop (the cheapest case for x264: a still picture
# compresses easily) and a crop that pans like a camera (what ballcam does).
ff_s=$(best ffmpeg -v error -y -i "$input" -vf "crop=1440:810:240:135,scale=1280:720" -c:v libx264 -preset veryfast \
  -c:a copy "$work/ffmpeg.mp4")
ffpan_s=$(best ffmpeg -v error -y -i "$input" \
  -vf "crop=1440:810:'240+200*sin(t)':'135+60*cos(0.7*t)',scale=1280:720" -c:v libx264 -preset veryfast \
  -c:a copy "$work/ffmpeg_pan.mp4")
bc_s=$(best "$bin" run -q -i "$input" -o "$work/ballcam.mp4" --preset veryfast --size 1280x720 \
  --track-out "$work/track.jsonl")
# Third baseline: ffmpeg's crop follows the path ballcam's camera took in
# that run (sendcmd moves crop x/y every frame), so the encoder sees the same
# motion. The crop size stays at the run's median zoom: libavfilter cannot
# change a crop's size mid-stream without changing the output size.
read -r path_w path_h < <("${PYTHON:-python3}" - "$work/track.jsonl" "$work/path.cmd" <<'PY'
import json, statistics, sys
recs = [json.loads(line) for line in open(sys.argv[1])]
src_w = max(r["crop"]["x"] + r["crop"]["w"] for r in recs)
src_h = max(r["crop"]["y"] + r["crop"]["h"] for r in recs)
w = int(statistics.median(r["crop"]["w"] for r in recs)) // 2 * 2
h = int(statistics.median(r["crop"]["h"] for r in recs)) // 2 * 2
with open(sys.argv[2], "w") as out:
    for r in recs:
        c = r["crop"]
        x = min(max(c["x"] + c["w"] / 2 - w / 2, 0), src_w - w)
        y = min(max(c["y"] + c["h"] / 2 - h / 2, 0), src_h - h)
        out.write(f"{r['pts_us'] / 1e6:.6f} crop x {int(x)}, crop y {int(y)};\n")
print(w, h)
PY
)
ffpath_s=$(best ffmpeg -v error -y -i "$input" -vf "sendcmd=f=$work/path.cmd,crop=$path_w:$path_h:0:0,scale=1280:720" \
  -c:v libx264 -preset veryfast -c:a copy "$work/ffmpeg_path.mp4")

ff_fps=$(echo "$frames / $ff_s" | bc -l)
ffpan_fps=$(echo "$frames / $ffpan_s" | bc -l)
bc_fps=$(echo "$frames / $bc_s" | bc -l)
ratio=$(echo "$bc_fps / $ff_fps" | bc -l)
ratio_pan=$(echo "$bc_fps / $ffpan_fps" | bc -l)
ffpath_fps=$(echo "$frames / $ffpath_s" | bc -l)
ratio_path=$(echo "$bc_fps / $ffpath_fps" | bc -l)
printf 'input: %s (%s frames), machine: %s cores, %s\n' "$input" "$frames" "$(nproc)" \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
printf '| pipeline | FPS |\n|---|---|\n| ffmpeg CLI decode->crop (fixed)->scale->x264 veryfast | %.1f |\n| ffmpeg CLI decode->crop (panning)->scale->x264 veryfast | %.1f |\n| ffmpeg CLI decode->crop (ballcam'"'"'s path, %sx%s)->scale->x264 veryfast | %.1f |\n| ballcam run (classical detector, every frame) | %.1f |\n' \
  "$ff_fps" "$ffpan_fps" "$path_w" "$path_h" "$ffpath_fps" "$bc_fps"
printf 'ratio ballcam/ffmpeg (fixed crop): %.2f\nratio ballcam/ffmpeg (panning crop): %.2f\nratio ballcam/ffmpeg (crop on ballcam'"'"'s path): %.2f\n' "$ratio" "$ratio_pan" "$ratio_path"
