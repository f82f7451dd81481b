#!/usr/bin/python3
"""Live soak: a long run (default 90 min, a match) of ballcam reading a real
RTSP server and pushing to a real nginx-rtmp ingest while recording a local
MP4, with faults injected on a schedule: the camera killed and restarted,
the ingest restarted, the camera frozen. Samples RSS and the /metrics
counters every --sample-s into a CSV and checks at the end that ballcam is
still running, that memory stayed bounded, and that the recordings decode.

    bench/soak_live.py --bin build/src/app/ballcam --duration-s 5400 --out soak/
    bench/soak_live.py --duration-s 120 --fault-every-s 20     # the short version

Uses tests/live/servers.py (needs nginx, libnginx-mod-rtmp and GStreamer's
RTSP server: scripts/setup.sh --deps). Results: docs/BENCHMARKS.md."""
import argparse
import csv
import json
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "live"))
from servers import NginxRtmp, RtspServer, free_port  # noqa: E402


def metrics(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            text = r.read().decode()
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith("ballcam_") and "{" not in parts[0]:
            out[parts[0][len("ballcam_"):]] = float(parts[1])
    return out


def rss_mb(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def decode_errors(path):
    r = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "null", "-"], capture_output=True, text=True)
    return "" if r.returncode == 0 and not r.stderr.strip() else (r.stderr.strip()[-300:] or f"rc {r.returncode}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bin", default=str(ROOT / "build/src/app/ballcam"))
    ap.add_argument("--duration-s", type=float, default=5400)
    ap.add_argument("--fault-every-s", type=float, default=300, help="one fault per period, cycling kill/ingest/freeze")
    ap.add_argument("--sample-s", type=float, default=10)
    ap.add_argument("--size", default="1280x720", help="source size")
    ap.add_argument("--out", default="soak")
    args = ap.parse_args()
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    short, clip = out / "short.mp4", out / "clip.mp4"
    if not clip.exists():
        subprocess.run([args.bin, "synth", "-o", str(short), "--size", args.size, "--duration", "20", "--seed", "11"],
                       check=True, capture_output=True)
        # Long enough that no client reaches the end between two faults.
        loops = int(max(args.fault_every_s, 60) * 2 / 20) + 1
        subprocess.run(["ffmpeg", "-v", "error", "-stream_loop", str(loops), "-i", str(short), "-an", "-c", "copy",
                        "-y", str(clip)], check=True)
    rtsp = RtspServer(clip, log_dir=out).start()
    nginx = NginxRtmp(out / "nginx").start()
    port = free_port()
    log = open(out / "ballcam.log", "wb")
    proc = subprocess.Popen([args.bin, "run", "-i", rtsp.url(), "-o", nginx.url(), "--record", str(out / "local.mp4"),
                             "--zerolatency", "--metrics-port", str(port), "--metrics-json", str(out / "metrics.json"),
                             "--input-timeout-ms", "3000"], stdin=subprocess.DEVNULL, stdout=log, stderr=log)
    faults = ["rtsp_kill", "rtmp_restart", "rtsp_freeze"]
    t0 = time.time()
    next_fault = t0 + args.fault_every_s
    n_fault = 0
    rows = []
    try:
        with open(out / "samples.csv", "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["t_s", "rss_mb", "frames_out", "gap_frames", "reconnects", "output_reconnects",
                        "output_frames_dropped", "latency_p95_ms", "event"])
            next_sample = t0
            while time.time() - t0 < args.duration_s:
                if proc.poll() is not None:
                    print(f"soak: ballcam exited early with {proc.returncode}", file=sys.stderr)
                    return 1
                event = ""
                if time.time() >= next_fault:
                    event = faults[n_fault % len(faults)]
                    n_fault += 1
                    if event == "rtsp_kill":
                        rtsp.stop()
                        time.sleep(2)
                        rtsp.start()
                    elif event == "rtmp_restart":
                        nginx.stop()
                        time.sleep(2)
                        nginx.start()
                    else:
                        rtsp.freeze()
                        time.sleep(5)
                        rtsp.thaw()
                    next_fault += args.fault_every_s
                if time.time() >= next_sample or event:
                    m = metrics(port)
                    row = [round(time.time() - t0, 1), round(rss_mb(proc.pid), 1), m.get("frames_out_total", 0),
                           m.get("gap_frames_total", 0), m.get("reconnects_total", 0),
                           m.get("output_reconnects_total", 0), m.get("output_frames_dropped_total", 0),
                           round(m.get("latency_p95_ms", 0), 1), event]
                    w.writerow(row)
                    f.flush()
                    rows.append(row)
                    next_sample = time.time() + args.sample_s
                time.sleep(0.2)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
        rc = proc.wait(60)
        rtsp.stop()
        nginx.stop()
    warm = [r[1] for r in rows if r[0] >= min(60, args.duration_s / 4)]
    summary = {
        "duration_s": round(time.time() - t0, 1),
        "exit_code": rc,
        "faults": n_fault,
        "rss_mb_after_warmup": warm[0] if warm else None,
        "rss_mb_max": max(warm) if warm else None,
        "rss_mb_end": rows[-1][1] if rows else None,
        "last_sample": dict(zip(["t_s", "rss_mb", "frames_out", "gap_frames", "reconnects", "output_reconnects",
                                 "output_frames_dropped", "latency_p95_ms"], rows[-1][:8])) if rows else {},
        "local_mp4_decode_errors": decode_errors(out / "local.mp4"),
        "nginx_recordings": len(nginx.recordings()),
        "nginx_recordings_with_errors": [r.name for r in nginx.recordings()
                                         if r.stat().st_size > 2000 and decode_errors(r)],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    ok = rc == 130 and not summary["local_mp4_decode_errors"] and not summary["nginx_recordings_with_errors"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
