#!/usr/bin/env python3
"""Browser test of `ballcam run --preview-port` (docs/PREVIEW.md).

Starts `ballcam run` on a synthetic clip with the preview on, opens the page
in headless Chromium and drives it over the DevTools protocol (a small
websocket client below: python3 standard library only) to check that
  - the page loads and shows the picture (<img> naturalWidth 640),
  - the picture updates (pixel hash of the <img> and a screenshot of its
    region differ between two moments),
  - the numbers update (frames counter text differs between two moments).
The clip is fed at its real rate through ffmpeg -re and a FIFO when ffmpeg is
installed, so the run lasts its 20 s on any machine.

    python3 tests/browser/test_preview.py BUILD/src/app/ballcam [SCREENSHOT_DIR]
    BALLCAM_BIN=... python3 -m pytest tests/browser/test_preview.py

Skips (exit code 77 for CTest) when no Chromium is installed; set
BALLCAM_CHROMIUM to use another Chromium/Chrome binary.
"""

import base64
import hashlib
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

SKIP = 77
BALLCAM = os.environ.get("BALLCAM_BIN", "")
SHOTS = os.environ.get("BALLCAM_PREVIEW_SHOTS", "")


def find_chromium():
    for name in (os.environ.get("BALLCAM_CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


def wait_until(fn, timeout, what, step=0.1):
    end = time.monotonic() + timeout
    last = None
    while time.monotonic() < end:
        try:
            last = fn()
            if last:
                return last
        except Exception as e:  # not up yet
            last = e
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: text frames, client masking."""

    def __init__(self, url, timeout=20.0):
        assert url.startswith("ws://"), url
        hostport, _, path = url[len("ws://"):].partition("/")
        host, _, port = hostport.partition(":")
        self.sock = socket.create_connection((host, int(port)), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise ConnectionError("websocket handshake: connection closed")
            head += chunk
        head, _, self.buf = head.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError("websocket handshake refused: " + head.decode(errors="replace"))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("websocket closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def _send_frame(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 65536:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send(self, text):
        self._send_frame(0x1, text.encode())

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0x8:
                raise ConnectionError("websocket closed by the browser")
            message += payload
            if b0 & 0x80:
                return message.decode()

    def close(self):
        try:
            self._send_frame(0x8, b"")
        except OSError:
            pass
        self.sock.close()


class DevTools:
    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise AssertionError(f"{method}: {msg['error']}")
                return msg.get("result", {})

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise AssertionError(f"JS error in {expression!r}: {r['exceptionDetails']}")
        return r["result"].get("value")


# Page state read by the test: counters as displayed, the picture's size and a
# hash of its pixels (same origin, so the canvas is readable).
PAGE_STATE_JS = r"""
(() => {
  const img = document.getElementById("picture");
  let hash = 0;
  if (img.complete && img.naturalWidth > 0) {
    const c = document.createElement("canvas");
    c.width = img.naturalWidth; c.height = img.naturalHeight;
    const g = c.getContext("2d");
    g.drawImage(img, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    for (let k = 0; k < d.length; k += 61) hash = (hash * 31 + d[k]) >>> 0;
  }
  const r = img.getBoundingClientRect();
  return {
    frames: document.getElementById("frames").textContent,
    fps: document.getElementById("fps").textContent,
    mode: document.getElementById("mode").textContent,
    stages: document.getElementById("stages").rows.length,
    conn: document.getElementById("conn-text").textContent,
    width: img.naturalWidth, height: img.naturalHeight, hash: hash,
    rect: {x: r.x, y: r.y, width: r.width, height: r.height},
  };
})()
"""


class PreviewInBrowser(unittest.TestCase):
    def setUp(self):
        self.chromium = find_chromium()
        if not self.chromium:
            raise unittest.SkipTest("no chromium installed (Debian: apt-get install chromium)")
        if not BALLCAM or not os.access(BALLCAM, os.X_OK):
            raise unittest.SkipTest("BALLCAM_BIN not set to the ballcam binary")
        self.tmp = tempfile.mkdtemp(prefix="ballcam-preview-")
        self.procs = []

    def tearDown(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def start(self, args, log_name):
        # stderr to a file: a pipe nobody reads could fill and stall the process.
        log = open(os.path.join(self.tmp, log_name), "wb")
        p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=log)
        log.close()
        self.procs.append(p)
        return p

    def log(self, name):
        try:
            with open(os.path.join(self.tmp, name), errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def test_page_shows_live_picture_and_numbers(self):
        t0 = time.monotonic()
        clip = os.path.join(self.tmp, "clip.mp4")
        subprocess.run([BALLCAM, "synth", "-o", clip, "--duration", "20", "--size", "1280x720"],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        # Feed the clip at its real rate (ffmpeg -re into a FIFO) when ffmpeg is
        # there, so that the run outlasts the browser checks on a fast machine.
        source = clip
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg:
            source = os.path.join(self.tmp, "live.ts")
            os.mkfifo(source)
            self.start([ffmpeg, "-nostdin", "-loglevel", "error", "-re", "-i", clip, "-c", "copy", "-f", "mpegts",
                        "-y", source], "ffmpeg.log")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        run = self.start([BALLCAM, "run", "-q", "-i", source, "-o", os.path.join(self.tmp, "out.mp4"),
                          "--preview-port", str(port)], "run.log")
        # Server up and a picture encoded.
        try:
            wait_until(lambda: run.poll() is None and http_get(base + "/frame.jpg")[0] == 200, 20,
                       "the first picture")
        except AssertionError:
            print("ballcam run log:\n" + self.log("run.log"), file=sys.stderr)
            raise

        profile = os.path.join(self.tmp, "profile")
        browser = self.start([self.chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                              "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                              "--remote-debugging-port=0", f"--user-data-dir={profile}",
                              "--window-size=1200,760", "about:blank"], "chromium.log")
        port_file = os.path.join(profile, "DevToolsActivePort")
        wait_until(lambda: os.path.exists(port_file) and open(port_file).read().split("\n")[0].strip(), 20,
                   "chromium's DevTools port")
        devtools_port = int(open(port_file).read().split("\n")[0])
        targets = wait_until(lambda: [t for t in json.loads(
            http_get(f"http://127.0.0.1:{devtools_port}/json/list")[1]) if t.get("type") == "page"], 10, "a page")
        cdp = DevTools(targets[0]["webSocketDebuggerUrl"])
        try:
            cdp.call("Page.enable")
            cdp.call("Emulation.setDeviceMetricsOverride", width=1200, height=760, deviceScaleFactor=1, mobile=False)
            cdp.call("Page.navigate", url=base + "/")
            # The page ran its JS: a picture is shown and the counters are filled in.
            first = wait_until(lambda: (lambda s: s if s["width"] > 0 and s["frames"].isdigit() else None)(
                cdp.eval(PAGE_STATE_JS)), 15, "the page to show a picture and numbers")
            self.assertEqual(first["width"], 640)
            self.assertEqual(first["height"], 360)
            shot1 = self.screenshot(cdp, first["rect"])
            self.save(cdp, "preview-1.png")

            # A moment later: new picture, new numbers.
            def changed():
                s = cdp.eval(PAGE_STATE_JS)
                return s if s["frames"] != first["frames"] and s["hash"] != first["hash"] else None
            second = wait_until(changed, 10, "the picture and the frames counter to change", step=0.5)
            shot2 = self.screenshot(cdp, second["rect"])
            self.save(cdp, "preview-2.png")
            self.assertNotEqual(hashlib.sha1(shot1).hexdigest(), hashlib.sha1(shot2).hexdigest(),
                                "the picture region of two screenshots is identical")
            self.assertGreater(int(second["frames"]), int(first["frames"]))
            self.assertEqual(second["conn"], "live")
            self.assertGreaterEqual(second["stages"], 5)  # decode, detect, track_camera, render, encode
            self.assertIn(second["mode"], ("searching", "tracking", "coasting", "lost"))
            self.assertIsNone(run.poll(), "ballcam run ended before the browser checks finished")
        finally:
            cdp.ws.close()
        run.terminate()
        self.assertIn(run.wait(timeout=30), (0, 130))
        self.assertLess(time.monotonic() - t0, 90)

    def screenshot(self, cdp, rect):
        clip = {"x": rect["x"], "y": rect["y"], "width": rect["width"], "height": rect["height"], "scale": 1}
        return base64.b64decode(cdp.call("Page.captureScreenshot", format="png", clip=clip)["data"])

    def save(self, cdp, name):
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            with open(os.path.join(SHOTS, name), "wb") as f:
                f.write(base64.b64decode(cdp.call("Page.captureScreenshot", format="png")["data"]))


def main():
    global BALLCAM, SHOTS
    if len(sys.argv) > 1:
        BALLCAM = sys.argv[1]
    if len(sys.argv) > 2:
        SHOTS = sys.argv[2]
    suite = unittest.defaultTestLoader.loadTestsFromTestCase(PreviewInBrowser)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    if not result.wasSuccessful():
        return 1
    return SKIP if result.skipped and result.testsRun == len(result.skipped) else 0


if __name__ == "__main__":
    sys.exit(main())
