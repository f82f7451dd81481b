// The preview page: one self-contained HTML file (no external scripts, fonts
// or images), so it works on a machine without internet access.
#include "preview/preview_server.hpp"

namespace ballcam::preview {

const std::string& PreviewServer::page_html() {
  static const std::string kPage = R"HTML(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ballcam preview</title>
<style>
  :root { --bg:#12161c; --panel:#1b2129; --line:#2a323d; --text:#e6e9ee; --dim:#8b95a3;
          --ok:#3ecf6e; --warn:#f0b429; --bad:#ef5b5b; --accent:#4aa3ff; }
  * { box-sizing: border-box; }
  body { margin:0; background:var(--bg); color:var(--text);
         font:14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  header { display:flex; align-items:center; gap:12px; padding:10px 18px; border-bottom:1px solid var(--line); }
  header h1 { font-size:16px; margin:0; font-weight:600; letter-spacing:.3px; }
  header .url { color:var(--dim); font-size:12px; }
  #conn { margin-left:auto; font-size:12px; color:var(--dim); display:flex; align-items:center; gap:6px; }
  #conn .dot { width:9px; height:9px; border-radius:50%; background:var(--dim); }
  #conn.live .dot { background:var(--ok); }
  #conn.down .dot { background:var(--bad); }
  main { display:flex; flex-wrap:wrap; gap:18px; padding:18px; align-items:flex-start; }
  .view { background:#000; border:1px solid var(--line); border-radius:6px; overflow:hidden;
          flex:0 1 640px; min-width:320px; position:relative; }
  .view img { display:block; width:100%; height:auto; aspect-ratio:16/9; background:#000; }
  .view .caption { position:absolute; left:8px; bottom:8px; background:rgba(0,0,0,.6); color:#fff;
                   padding:2px 8px; border-radius:4px; font:12px ui-monospace, monospace; }
  .side { flex:1 1 300px; max-width:420px; display:flex; flex-direction:column; gap:14px; }
  .card { background:var(--panel); border:1px solid var(--line); border-radius:6px; padding:12px 14px; }
  .card h2 { font-size:12px; text-transform:uppercase; letter-spacing:.8px; color:var(--dim); margin:0 0 8px; font-weight:600; }
  .grid { display:grid; grid-template-columns:repeat(3, 1fr); gap:10px; }
  .num { font:600 22px/1.1 ui-monospace, "DejaVu Sans Mono", monospace; }
  .lbl { color:var(--dim); font-size:12px; }
  .mode { display:inline-block; padding:2px 10px; border-radius:10px; font-weight:600; font-size:13px;
          background:var(--line); }
  .mode.tracking { background:#1f4d2e; color:#9ff0b8; }
  .mode.coasting { background:#4d3f14; color:#ffd77a; }
  .mode.lost, .mode.searching { background:#4d1f1f; color:#ffb0b0; }
  table { width:100%; border-collapse:collapse; font-size:13px; }
  td { padding:3px 0; }
  td.v { text-align:right; font-family:ui-monospace, monospace; width:70px; }
  td.bar { width:45%; padding-left:10px; }
  .bar div { height:6px; border-radius:3px; background:var(--accent); min-width:2px; }
  .legend { color:var(--dim); font-size:12px; margin-top:8px; }
  .legend span { display:inline-block; width:10px; height:10px; border-radius:50%; border:2px solid; vertical-align:-1px; }
</style>
</head>
<body>
<header>
  <h1>ballcam &middot; live preview</h1>
  <span class="url" id="where"></span>
  <span id="conn"><span class="dot"></span><span id="conn-text">connecting</span></span>
</header>
<main>
  <div class="view">
    <img id="picture" alt="output picture (latest preview frame)" width="640" height="360">
    <span class="caption" id="caption">waiting for the first frame</span>
  </div>
  <div class="side">
    <div class="card">
      <h2>Run</h2>
      <div class="grid">
        <div><div class="num" id="fps">&ndash;</div><div class="lbl">FPS</div></div>
        <div><div class="num" id="frames">&ndash;</div><div class="lbl">frames out</div></div>
        <div><div class="num" id="dropped">&ndash;</div><div class="lbl">dropped</div></div>
        <div><div class="num" id="frames-in">&ndash;</div><div class="lbl">frames in</div></div>
        <div><div class="num" id="cpu">&ndash;</div><div class="lbl">CPU %</div></div>
        <div><div class="num" id="uptime">&ndash;</div><div class="lbl">running</div></div>
      </div>
    </div>
    <div class="card">
      <h2>Tracker</h2>
      <span class="mode" id="mode">&ndash;</span>
      <span class="lbl" id="ball" style="margin-left:10px"></span>
      <div class="legend"><span style="border-color:#ffe000"></span> detected &nbsp;
        <span style="border-color:#00e0ff"></span> predicted</div>
    </div>
    <div class="card">
      <h2>Stage latency p95 (ms)</h2>
      <table id="stages"><tr><td class="lbl">no data yet</td></tr></table>
    </div>
  </div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
$("where").textContent = location.host;
const ORDER = ["decode", "detect", "track_camera", "render", "encode"];
const fmt = (x, d) => (typeof x === "number" && isFinite(x)) ? x.toFixed(d) : "\u2013";
function setConn(ok, text) {
  $("conn").className = ok ? "live" : "down";
  $("conn-text").textContent = text;
}
function duration(s) {
  s = Math.floor(s || 0);
  const m = Math.floor(s / 60), r = s % 60;
  return m + ":" + String(r).padStart(2, "0");
}
function showStats(s) {
  $("fps").textContent = fmt(s.fps, 1);
  $("frames").textContent = fmt(s.frames_out, 0);
  $("frames-in").textContent = fmt(s.frames_in, 0);
  $("dropped").textContent = fmt(s.dropped, 0);
  $("cpu").textContent = fmt(s.cpu_percent, 0);
  $("uptime").textContent = duration(s.uptime_s);
  const t = s.track || {};
  const mode = t.mode || "\u2013";
  $("mode").textContent = mode;
  $("mode").className = "mode " + mode;
  $("ball").textContent = t.has_estimate ? "ball at (" + fmt(t.x, 0) + ", " + fmt(t.y, 0) + ") px" : "no estimate";
  const stages = s.stages || {};
  const names = ORDER.filter((n) => n in stages).concat(Object.keys(stages).filter((n) => !ORDER.includes(n)));
  const max = Math.max(1, ...names.map((n) => stages[n].p95_ms || 0));
  const table = $("stages");
  table.textContent = "";
  for (const n of names) {
    const row = table.insertRow();
    row.insertCell().textContent = n;
    const v = row.insertCell(); v.className = "v"; v.textContent = fmt(stages[n].p95_ms, 2);
    const b = row.insertCell(); b.className = "bar";
    const d = document.createElement("div");
    d.style.width = (100 * (stages[n].p95_ms || 0) / max) + "%";
    b.appendChild(d);
  }
  if (!names.length) table.innerHTML = '<tr><td class="lbl">no data yet</td></tr>';
}
async function pollStats() {
  try {
    const r = await fetch("/stats.json", {cache: "no-store"});
    if (!r.ok) throw new Error(r.status);
    showStats(await r.json());
    setConn(true, "live");
  } catch (e) {
    setConn(false, "disconnected");
  }
}
// The picture: fetch the next one when the last has loaded (at most ~5/s),
// so a slow link never piles up requests.
const img = $("picture");
let seq = 0;
function nextPicture(delay) { setTimeout(() => { img.src = "/frame.jpg?n=" + (++seq); }, delay); }
img.onload = () => {
  $("caption").textContent = img.naturalWidth + "\u00d7" + img.naturalHeight + " \u00b7 picture " + seq;
  nextPicture(200);
};
img.onerror = () => nextPicture(1000);
nextPicture(0);
pollStats();
setInterval(pollStats, 1000);
</script>
</body>
</html>
)HTML";
  return kPage;
}

}  // namespace ballcam::preview
