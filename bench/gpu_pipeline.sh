#!/usr/bin/env bash
# The issue-5 benchmark, in one run on one machine (docs/BENCHMARKS.md, "GPU
# pipeline"):
#   bench/gpu_pipeline.sh BALLCAM RFDETR_MODEL.pt RESULTS_DIR [SECONDS]
# For 720p and 1080p synthetic clips (SECONDS long, default 40, 25 fps), with
# RF-DETR (random weights are fine for speed) on every frame (--no-planner):
#   - each stage alone (`ballcam bench`): decode, detect, render, encode, on
#     the GPU path (--device cuda) and on the CPU (--device cpu);
#   - the full pipeline (`ballcam run`) on the GPU path in fp32, fp16 and fp32
#     with CUDA graphs, and on the CPU (first CPU_FRAMES frames only: slow);
#   - end-to-end FPS, per-stage latency (p50 from the run's metrics), GPU
#     utilisation (NVML mean), bytes host<->device per frame, and pipeline
#     efficiency = end-to-end FPS / slowest stage alone;
#   - detections of the GPU run against the CPU run, frame by frame.
# Writes RESULTS_DIR/gpu_pipeline.md (the tables), *.json, *.log. Every step
# is time-limited and a failed step does not stop the others. Needs python3.
set -uo pipefail
if [[ $# -lt 3 ]]; then
  echo "usage: $0 BALLCAM RFDETR_MODEL.pt RESULTS_DIR [SECONDS]" >&2
  exit 2
fi
bin=$1 model=$2 results=$3 seconds=${4:-40}
cpu_frames=${CPU_FRAMES:-150}
mkdir -p "$results"
results=$(cd "$results" && pwd)
work=$(mktemp -d /tmp/ballcam-gpubench.XXXXXX)
trap 'rm -rf "$work"' EXIT
[[ -x $bin ]] || { echo "gpu_pipeline: $bin is not executable" >&2; exit 2; }
[[ -f $model ]] || { echo "gpu_pipeline: no model $model" >&2; exit 2; }
py=$(command -v python3 || true)

status=0
step() {  # step NAME LIMIT_S CMD... : output to RESULTS/NAME.log
  local name=$1 limit=$2
  shift 2
  local t0=$SECONDS rc=0
  timeout -k 5 "$limit" "$@" >"$results/$name.log" 2>&1 || rc=$?
  echo "$name: $([[ $rc -eq 0 ]] && echo ok || echo "FAILED rc=$rc"), $((SECONDS - t0)) s"
  [[ $rc -eq 0 ]] || status=1
  return $rc
}

det=(--detector rfdetr --model "$model" --no-planner)
for res in 720 1080; do
  size=$([[ $res == 720 ]] && echo 1280x720 || echo 1920x1080)
  clip=$work/clip$res.mp4
  step "synth_$res" 300 "$bin" synth -o "$clip" --size "$size" --duration "$seconds" --no-audio || continue
  step "bench_cuda_$res" 240 "$bin" bench -i "$clip" "${det[@]}" --device cuda --frames 600 \
    --bench-json "$results/bench_cuda_$res.json"
  step "bench_cudagraph_$res" 240 "$bin" bench -i "$clip" "${det[@]}" --device cuda --cuda-graphs --frames 600 \
    --bench-json "$results/bench_cudagraph_$res.json"
  step "bench_cpu_$res" 240 "$bin" bench -i "$clip" "${det[@]}" --device cpu --frames 60 \
    --bench-json "$results/bench_cpu_$res.json"
  for variant in fp32 fp16 fp32graph; do
    extra=(--precision "${variant%graph}")
    [[ $variant == *graph ]] && extra+=(--cuda-graphs)
    step "run_cuda_${variant}_$res" 240 "$bin" run -i "$clip" -o "$work/out_cuda_${variant}_$res.mp4" "${det[@]}" \
      --device cuda "${extra[@]}" --metrics-json "$results/run_cuda_${variant}_$res.json" \
      --track-out "$results/track_cuda_${variant}_$res.jsonl"
  done
  step "run_cpu_$res" 300 "$bin" run -i "$clip" -o "$work/out_cpu_$res.mp4" "${det[@]}" --device cpu \
    --max-frames "$cpu_frames" --metrics-json "$results/run_cpu_$res.json" --track-out "$results/track_cpu_$res.jsonl"
done

if [[ -n $py ]]; then
  "$py" - "$results" >"$results/gpu_pipeline.md" <<'EOF' || status=1
import json, os, sys
d = sys.argv[1]

def load(name):
    p = os.path.join(d, name)
    try:
        return json.load(open(p))
    except (OSError, ValueError):
        return None

def stage_p50(m, name):
    st = m.get("stages", {})
    if isinstance(st, list):
        st = {s.get("name"): s for s in st}
    return st.get(name, {}).get("p50_ms", float("nan"))

print("## Each stage alone (`ballcam bench`, RF-DETR on every frame, whole frame)\n")
print("| input | path | decode fps | detect fps | render fps | encode fps | slowest |")
print("|---|---|---|---|---|---|---|")
for res in ("720", "1080"):
    for dev in ("cuda", "cudagraph", "cpu"):
        b = load(f"bench_{dev}_{res}.json")
        if not b:
            print(f"| {res}p | {dev} | failed | | | | |"); continue
        s = b["stages"]
        print(f"| {res}p | {b['path']}{' + CUDA graphs' if dev == 'cudagraph' else ''} | " + " | ".join(f"{s[k]['fps']:.1f}" for k in ("decode", "detect", "render", "encode"))
              + f" | {b['slowest']['stage']} {b['slowest']['fps']:.1f} |")

print("\n## Full pipeline (`ballcam run`)\n")
print("| input | path, encoder | frames | end-to-end fps | efficiency | decode / detect / render / encode p50 ms | GPU util % | host->device B/frame | device->host B/frame (output, detector) |")
print("|---|---|---|---|---|---|---|---|---|")
for res in ("720", "1080"):
    for name, bench in ((f"run_cuda_fp32_{res}", f"bench_cuda_{res}"), (f"run_cuda_fp16_{res}", f"bench_cuda_{res}"),
                        (f"run_cuda_fp32graph_{res}", f"bench_cudagraph_{res}"), (f"run_cpu_{res}", f"bench_cpu_{res}")):
        m, b = load(name + ".json"), load(bench + ".json")
        if not m:
            print(f"| {res}p | {name} | failed | | | | | | |"); continue
        c = m.get("counters", {})
        n = max(1, c.get("frames_out", 1))
        eff = m["fps"] / b["slowest"]["fps"] if b else float("nan")
        util = m.get("gpu_utilisation_mean_percent", "")
        lat = " / ".join(f"{stage_p50(m, s):.2f}" for s in ("decode", "detect", "render", "encode"))
        print(f"| {res}p | {name[4:]}, {m.get('encoder', '?')} | {n} | {m['fps']:.1f} | {eff:.2f} | {lat} | {util if util == '' else f'{util:.0f}'} | "
              f"{c.get('bytes_host_to_device', 0) / n:.0f} | {c.get('bytes_device_to_host', 0) / n:.0f} "
              f"({c.get('bytes_device_to_host_output', 0) / n:.0f}, {c.get('bytes_device_to_host_detector', 0) / n:.0f}) |")

print("\n## Detections, GPU run vs CPU run (same frames)\n")
print("| input | run | frames compared | same ball count | max position diff px | max score diff |")
print("|---|---|---|---|---|---|")
for res in ("720", "1080"):
    def read(name):
        try:
            return {r["frame"]: r for r in map(json.loads, open(os.path.join(d, name)))}
        except (OSError, ValueError):
            return None
    cpu = read(f"track_cpu_{res}.jsonl")
    for prec in ("fp32", "fp16", "fp32graph"):
        gpu = read(f"track_cuda_{prec}_{res}.jsonl")
        if cpu is None or gpu is None:
            print(f"| {res}p | {prec} | failed | | | |"); continue
        frames = sorted(set(cpu) & set(gpu))
        same = dpos = dscore = 0.0
        for f in frames:
            a, b = cpu[f].get("detections", []), gpu[f].get("detections", [])
            if len(a) == len(b):
                same += 1
                for x, y in zip(a, b):
                    dpos = max(dpos, abs(x["x"] - y["x"]), abs(x["y"] - y["y"]))
                    dscore = max(dscore, abs(x["score"] - y["score"]))
        print(f"| {res}p | {prec} | {len(frames)} | {same:.0f} | {dpos:.3f} | {dscore:.4f} |")
EOF
  cat "$results/gpu_pipeline.md"
fi
exit $status
