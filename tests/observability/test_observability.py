"""Observability end to end, against the real binary: /metrics scraped during
a run, /healthz flipping when the input stalls and recovering, and the
progress bar appearing only on a terminal (tmux)."""
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pytest

BIN = os.environ.get("BALLCAM_BIN", "build/src/app/ballcam")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=2.0):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (urllib.error.URLError, OSError):  # not listening yet, or gone
        return 0, ""


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    d = tmp_path_factory.mktemp("obs")
    path = d / "clip.mp4"
    subprocess.run([BIN, "synth", "-o", str(path), "--size", "960x540", "--duration", "20", "--seed", "5"],
                   check=True, capture_output=True)
    return path


def wait_for(predicate, timeout_s):
    end = time.time() + timeout_s
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return None


def parse_metrics(text):
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$', line)
        assert m, f"malformed line: {line!r}"
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
    return samples


def start_fed_run(clip, tmp_path, port, extra=()):
    """ballcam reading a live MPEG-TS stream that ffmpeg feeds at real rate through a FIFO."""
    fifo = tmp_path / "feed.ts"
    os.mkfifo(fifo)
    feeder = subprocess.Popen(["ffmpeg", "-v", "error", "-re", "-i", str(clip), "-c", "copy", "-f", "mpegts", "-y",
                               str(fifo)], stdin=subprocess.DEVNULL)
    run = subprocess.Popen([BIN, "run", "-i", str(fifo), "-o", str(tmp_path / "out.mp4"), "--live", "yes",
                            "--metrics-port", str(port), "-q", *extra],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return feeder, run


def stop(feeder, run):
    for p in (feeder, run):
        if p.poll() is None:
            p.send_signal(signal.SIGCONT)
            p.send_signal(signal.SIGINT)
    for p in (feeder, run):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg CLI needed to feed a live stream")
def test_metrics_scraped_during_a_run_change_and_are_well_formed(clip, tmp_path):
    port = free_port()
    feeder, run = start_fed_run(clip, tmp_path, port)
    try:
        first = wait_for(lambda: (lambda s: s if s.get("ballcam_frames_out_total", 0) > 0 else None)(
            parse_metrics(get(f"http://127.0.0.1:{port}/metrics")[1])) if run.poll() is None else None, 30)
        assert first, "no frames reported on /metrics"
        time.sleep(2.0)
        status, text = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        second = parse_metrics(text)
        assert second["ballcam_frames_out_total"] > first["ballcam_frames_out_total"]
        # Histograms: cumulative buckets, +Inf == count, for every stage.
        for stage in ("decode", "detect", "track_camera", "render", "encode"):
            buckets = [(k, v) for k, v in second.items()
                       if k.startswith("ballcam_stage_latency_seconds_bucket") and f'stage="{stage}"' in k]
            assert buckets, stage
            values = [v for _, v in buckets]
            assert values == sorted(values), stage
            inf = second[f'ballcam_stage_latency_seconds_bucket{{stage="{stage}",le="+Inf"}}']
            assert inf == second[f'ballcam_stage_latency_seconds_count{{stage="{stage}"}}']
        for gauge in ("ballcam_fps", "ballcam_cpu_percent", "ballcam_queue_depth_decoded",
                      "ballcam_bytes_host_to_device_total", "ballcam_reconnects_total"):
            assert gauge in second
    finally:
        stop(feeder, run)


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg CLI needed to feed a live stream")
def test_healthz_flips_when_the_input_stalls_and_recovers(clip, tmp_path):
    port = free_port()
    feeder, run = start_fed_run(clip, tmp_path, port)
    try:
        assert wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 200 and
                        parse_metrics(get(f"http://127.0.0.1:{port}/metrics")[1]).get("ballcam_frames_out_total", 0) > 0,
                        30), "never healthy"
        feeder.send_signal(signal.SIGSTOP)  # the camera freezes
        assert wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 503, 15), "stall not reported"
        feeder.send_signal(signal.SIGCONT)  # and comes back
        assert wait_for(lambda: get(f"http://127.0.0.1:{port}/healthz")[0] == 200, 15), "recovery not reported"
    finally:
        stop(feeder, run)
    assert run.returncode in (0, 130), run.stderr.read().decode()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux needed for a terminal")
def test_progress_bar_only_on_a_terminal(clip, tmp_path):
    out = tmp_path / "tty.mp4"
    session = f"ballcam-progress-{os.getpid()}"
    done = tmp_path / "done"
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "160", "-y", "12",
                    f"{BIN} run -i {clip} -o {out}; touch {done}; sleep 30"], check=True)
    try:
        screen = wait_for(lambda: (lambda s: s if "ETA" in s else None)(
            subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout), 60)
        assert screen, "no progress bar on the terminal"
        assert re.search(r"\d+/500 frames", screen), screen
        assert wait_for(lambda: done.exists(), 120)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    # Not a terminal: no bar at all.
    r = subprocess.run([BIN, "run", "-i", str(clip), "-o", str(tmp_path / "pipe.mp4"), "--max-frames", "50"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "ETA" not in r.stderr and "\r[" not in r.stderr
