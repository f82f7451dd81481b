"""Real servers on loopback for ballcam's live tests and bench/soak_live.sh:
GStreamer's RTSP server (rtsp_server.py) and nginx with libnginx-mod-rtmp
recording what it receives. Each start()/stop() is a real process start and
kill, which is what the fault scenarios need."""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout_s=10.0):
    end = time.time() + timeout_s
    while time.time() < end:
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


class RtspServer:
    """rtsp://127.0.0.1:PORT/PATH serving an H.264 MP4 at its real rate."""

    def __init__(self, clip, port=None, path="/cam", user=None, password=None, log_dir=None):
        self.clip, self.port, self.path = str(clip), port or free_port(), path
        self.user, self.password = user, password
        self.log = Path(log_dir or "/tmp") / f"rtsp-{self.port}.log"
        self.proc = None

    def url(self, credentials=None, path=None):
        cred = f"{credentials}@" if credentials else ""
        return f"rtsp://{cred}127.0.0.1:{self.port}{path or self.path}"

    def start(self, clip=None):
        if clip:
            self.clip = str(clip)
        cmd = ["/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable, str(HERE / "rtsp_server.py"), "--port", str(self.port), "--clip", self.clip, "--path", self.path]
        if self.user:
            cmd += ["--user", self.user, "--password", self.password]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=open(self.log, "ab"),
                                     stderr=subprocess.STDOUT)
        assert wait_port(self.port), f"RTSP server did not start (see {self.log})"
        return self

    def stop(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        self.proc = None

    def freeze(self):
        self.proc.send_signal(signal.SIGSTOP)

    def thaw(self):
        self.proc.send_signal(signal.SIGCONT)


class NginxRtmp:
    """nginx + the RTMP module: rtmp://127.0.0.1:PORT/live/KEY, every publish
    recorded to record_dir as KEY-<unix time>.flv (record_unique)."""

    def __init__(self, work_dir, port=None):
        self.dir = Path(work_dir)
        self.port = port or free_port()
        self.record_dir = self.dir / "rec"
        self.record_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.record_dir, 0o777)
        self.conf = self.dir / "nginx.conf"
        # Running as root, the workers run as root too (the record dir under a
        # private tmp must be writable by them); as a user, they are that user.
        user_line = "user root root;" if os.geteuid() == 0 else ""
        self.conf.write_text(f"""
load_module {RTMP_MODULE};
{user_line}
daemon off;
master_process on;
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/error.log warn;
events {{ worker_connections 64; }}
rtmp {{
  server {{
    listen 127.0.0.1:{self.port};
    chunk_size 4096;
    application live {{
      live on;
      record all;
      record_path {self.record_dir};
      record_unique on;
    }}
  }}
}}
""")
        self.proc = None

    def url(self, key="stream"):
        return f"rtmp://127.0.0.1:{self.port}/live/{key}"

    def start(self):
        self.proc = subprocess.Popen(["nginx", "-c", str(self.conf), "-p", str(self.dir), "-e",
                                      str(self.dir / "error.log")],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        assert wait_port(self.port), f"nginx did not start (see {self.dir}/error.log)"
        return self

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM: nginx's fast shutdown (the master stops its workers and
        closes every connection), as when the ingest server restarts."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        self.proc = None

    def recordings(self):
        return sorted(self.record_dir.glob("*.flv"))


class SrtListener:
    """An SRT ingest on loopback: srt://127.0.0.1:PORT in listener mode,
    served by FFmpeg's libsrt (the same library an SRT ingest runs), each
    session written to record_dir as session-N.ts with the timestamps the
    sender gave it (-copyts). SRT runs over UDP, so
    there is no port to poll: start() returns once the process runs."""

    def __init__(self, work_dir, port=None):
        self.dir = Path(work_dir)
        self.port = port or free_port()
        self.record_dir = self.dir / "rec"
        self.record_dir.mkdir(parents=True, exist_ok=True)
        self.sessions = 0
        self.proc = None

    def url(self, options="mode=caller"):
        return f"srt://127.0.0.1:{self.port}?{options}"

    def start(self):
        self.sessions += 1
        out = self.record_dir / f"session-{self.sessions}.ts"
        # A short probe: an ingest starts passing the stream on at once (the
        # default 5 s analysis would hold every byte of a short session back).
        self.proc = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-y", "-probesize", "65536",
                                      "-analyzeduration", "500000", "-i",
                                      f"srt://127.0.0.1:{self.port}?mode=listener", "-c", "copy", "-copyts",
                                      "-f", "mpegts",
                                      str(out)],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                     stderr=open(self.dir / f"session-{self.sessions}.log", "wb"))
        time.sleep(0.3)
        assert self.proc.poll() is None, f"SRT listener exited (see {self.dir})"
        return self

    def stop(self, sig=signal.SIGTERM):
        """SIGTERM: the ingest closes its sessions and exits (a restart);
        SIGKILL: it dies without a goodbye, as a crashed server does."""
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        self.proc = None

    def recordings(self):
        return sorted(self.record_dir.glob("session-*.ts"))
