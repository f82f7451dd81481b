#!/usr/bin/python3
"""Live latency: ballcam reading a real RTSP server at 720p30 (a synthetic
match, real rate) and pushing to a real nginx-rtmp ingest, default detector,
x264 --zerolatency. Reports frame arrival -> packet leaving p50/p95
(`frame_to_packet` in --metrics-json), FPS and drops.

    bench/live_latency.py --bin build/src/app/ballcam --seconds 60 [--size 1280x720 --fps 30]

Needs nginx, libnginx-mod-rtmp and GStreamer's RTSP server (scripts/setup.sh
--deps). Results: docs/BENCHMARKS.md."""
import argparse
import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "live"))
from servers import NginxRtmp, RtspServer  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "build/src/app/ballcam"))
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--extra", default="", help="more ballcam run arguments")
    args = ap.parse_args()
    d = Path(tempfile.mkdtemp(prefix="ballcam-latency-"))
    short, clip = d / "short.mp4", d / "clip.mp4"
    subprocess.run([args.bin, "synth", "-o", str(short), "--size", args.size, "--fps", str(args.fps),
                    "--duration", "20", "--seed", "3"], check=True, capture_output=True)
    loops = int(args.seconds / 20) + 2
    subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", str(loops), "-i", str(short), "-an", "-c", "copy", "-y",
                    str(clip)], check=True)
    rtsp = RtspServer(clip, log_dir=d).start()
    nginx = NginxRtmp(d / "nginx").start()
    try:
        proc = subprocess.Popen([args.bin, "run", "-i", rtsp.url(), "-o", nginx.url(), "--zerolatency", "-q",
                                 "--metrics-json", str(d / "metrics.json"), *args.extra.split()],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(d / "log", "wb"))
        time.sleep(args.seconds)
        proc.send_signal(signal.SIGINT)
        proc.wait(60)
    finally:
        rtsp.stop()
        nginx.stop()
    m = json.loads((d / "metrics.json").read_text())
    lat = m["stages"].get("frame_to_packet", {})
    c = m["counters"]
    result = {"size": args.size, "fps_in": args.fps, "seconds": args.seconds, "frames_in": c.get("frames_in"),
              "frames_out": c.get("frames_out"), "frames_dropped": c.get("frames_dropped"),
              "output_frames_dropped": c.get("output_frames_dropped"),
              "fps_out": round(m.get("fps", 0), 1), "latency_p50_ms": round(lat.get("p50_ms", 0), 1),
              "latency_p95_ms": round(lat.get("p95_ms", 0), 1), "latency_max_ms": round(lat.get("max_ms", 0), 1),
              "stages_p95_ms": {k: round(v["p95_ms"], 1) for k, v in m["stages"].items()}}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
