"""Credentials in URLs never appear in logs or metrics (issue 6), against the
real binary: an http input with user:password@ and secret query values,
served by a real server on loopback; RTMP and SRT outputs with a stream key,
a passphrase and a streamid to closed loopback ports; an RTSP input with a
password. Every output is searched for the secrets: stdout, stderr (text and
JSON logs at debug level, FFmpeg's own lines included), --metrics-json,
--track-out, Prometheus /metrics, the preview page and /stats.json, and the
`ballcam report` directory."""
import http.server
import os
import pathlib
import socket
import subprocess
import threading
import time
import urllib.request

import pytest

BIN = os.environ.get("BALLCAM_BIN", "build/src/app/ballcam")
SECRETS = ["HUNTER2PW", "TOKSECRET", "STREAMKEY42", "PUBPASSWD", "SRTPASSPHRASE1", "SRTSTREAMKEY", "CAMPASSWD",
           "SIGSECRET", "APIKEYSECRET"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def assert_clean(what, text):
    for secret in SECRETS:
        assert secret not in text, f"{secret} leaked into {what}:\n{text[-3000:]}"


class SlowFileHandler(http.server.BaseHTTPRequestHandler):
    """Serves one file for any path and query, about 4x slower than real time,
    so that the run lasts long enough to be scraped."""
    payload = b""
    seen_paths = []

    def do_GET(self):  # noqa: N802 (http.server's name)
        SlowFileHandler.seen_paths.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        chunk = 16384
        for i in range(0, len(self.payload), chunk):
            try:
                self.wfile.write(self.payload[i:i + chunk])
            except (BrokenPipeError, ConnectionResetError):
                return
            time.sleep(0.02)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    d = tmp_path_factory.mktemp("redact")
    clip = d / "clip.mp4"
    subprocess.run([BIN, "synth", "-o", str(clip), "--size", "640x360", "--duration", "4", "--seed", "2"],
                   check=True, capture_output=True)
    SlowFileHandler.payload = clip.read_bytes()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), SlowFileHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd.server_address[1]
    httpd.shutdown()


def scrape(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.read().decode(errors="replace")
    except OSError:
        return ""


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_http_input_with_credentials_leaks_nowhere(server, tmp_path, log_format):
    url = (f"http://viewer:HUNTER2PW@127.0.0.1:{server}/clip.mp4"
           f"?token=TOKSECRET&sig=SIGSECRET&api_key=APIKEYSECRET&user=bob")
    metrics_port, preview_port = free_port(), free_port()
    out, metrics, track = tmp_path / "out.mp4", tmp_path / "m.json", tmp_path / "t.jsonl"
    run = subprocess.Popen([BIN, "run", "-i", url, "-o", str(out), "--metrics-json", str(metrics),
                            "--track-out", str(track), "--metrics-port", str(metrics_port),
                            "--preview-port", str(preview_port), "--log-level", "debug", "--log-format", log_format],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    scraped = []
    while run.poll() is None:
        for u in (f"http://127.0.0.1:{metrics_port}/metrics", f"http://127.0.0.1:{preview_port}/",
                  f"http://127.0.0.1:{preview_port}/stats.json"):
            text = scrape(u)
            if text:
                scraped.append((u, text))
        time.sleep(0.3)
    stdout, stderr = run.communicate(timeout=300)
    stdout, stderr = stdout.decode(errors="replace"), stderr.decode(errors="replace")
    assert run.returncode == 0, stderr[-3000:]
    assert any(u.endswith("/metrics") for u, _ in scraped), "the run ended before /metrics was scraped"
    # The server did receive the secret query (the real URL was used) ...
    assert any("TOKSECRET" in p for p in SlowFileHandler.seen_paths)
    # ... and the user sees the input named, without its secrets.
    assert f"127.0.0.1:{server}/clip.mp4" in stderr
    for what, text in [("stdout", stdout), ("stderr", stderr), ("metrics json", metrics.read_text()),
                       ("track", track.read_text())] + scraped:
        assert_clean(what, text)
    report = tmp_path / "report"
    r = subprocess.run([BIN, "report", "--video", str(out), "--track", str(track), "--metrics", str(metrics),
                        "--out-dir", str(report)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert_clean("report output", r.stdout + r.stderr)
    for f in report.iterdir():
        assert_clean(str(f), f.read_bytes().decode(errors="replace"))


@pytest.mark.parametrize("output,code", [
    ("rtmp://publisher:PUBPASSWD@127.0.0.1:{port}/live/STREAMKEY42?token=TOKSECRET", 4),
    ("rtmps://127.0.0.1:{port}/app/STREAMKEY42", 4),
    ("srt://127.0.0.1:{port}?mode=caller&streamid=SRTSTREAMKEY&passphrase=SRTPASSPHRASE1&connect_timeout=1000", 4),
])
def test_network_output_errors_do_not_show_secrets(server, tmp_path, output, code):
    clip = tmp_path / "c.mp4"
    subprocess.run([BIN, "synth", "-o", str(clip), "--size", "320x180", "--duration", "1", "--seed", "1"],
                   check=True, capture_output=True)
    url = output.format(port=free_port())
    r = subprocess.run([BIN, "run", "-i", str(clip), "-o", url, "--log-level", "debug", "-q"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == code, r.stderr
    assert "ballcam: error:" in r.stderr
    assert "127.0.0.1" in r.stderr  # the output is still named
    assert_clean("stderr", r.stderr + r.stdout)


def test_rtsp_input_error_does_not_show_the_password(tmp_path):
    url = f"rtsp://admin:CAMPASSWD@127.0.0.1:{free_port()}/stream1?password=CAMPASSWD"
    for fmt in ("text", "json"):
        r = subprocess.run([BIN, "run", "-i", url, "-o", str(tmp_path / "o.mp4"), "--input-timeout-ms", "2000",
                            "--log-level", "debug", "--log-format", fmt], capture_output=True, text=True, timeout=120)
        assert r.returncode == 3, r.stderr
        assert "rtsp://127.0.0.1:" in r.stderr
        assert_clean("stderr", r.stderr + r.stdout)
