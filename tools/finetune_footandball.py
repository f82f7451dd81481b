#!/usr/bin/env python3
"""Fine-tune FootAndBall's ball map on annotated frames of your own footage.

The published FootAndBall weights were trained on stadium footage whose ball
is larger in pixels than a wide amateur or broadcast shot's 5-7 px ball; on
such footage their ball probabilities stay around 0.003-0.01 (docs/
BENCHMARKS.md). This tool fine-tunes them on frames with hand-checked ball
positions (the ground-truth JSONL of docs/FORMATS.md, e.g. tests/data/
annotations/) and writes a .pth with the same tensor names, which
`ballcam run --detector footandball --model OUT.pth` loads unchanged.

    finetune_footandball.py --weights footandball_20201019.pth \\
        --clip zak_soccer.mp4 --truth zak_soccer.jsonl --frames 0-280 \\
        --out zak-finetuned.pth

What it trains:
- the whole network, batch norm statistics frozen (its affine terms train);
- ball map: softmax cross-entropy at stride 4, the cells within one cell of
  the ball's centre positive, every other cell negative (all negatives
  averaged, plus the hardest 3 per positive);
- players are not annotated: the player maps are distilled from the
  published network (same input, MSE on logits and boxes), so player
  detection stays what it was.
Samples are crops of --crop source pixels (at --input-scale network pixels
per source pixel): half around the ball, half anywhere in the frame, with
flips and brightness/contrast jitter. Frames next to an annotated frame
(within --interp frames, between two annotations at most 10 frames apart)
are labelled by linear interpolation.

Use frames you will not evaluate on: the numbers in docs/BENCHMARKS.md
train on zak frames 0-280 and evaluate on 330-620 (and on rubi, unseen).
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

import numpy as np

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("finetune_footandball: torch is not installed in this Python (scripts/setup.sh installs it into .venv)",
          file=sys.stderr)
    sys.exit(5)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import footandball_reference as ref  # noqa: E402

MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)
BALL_STRIDE = 4
# A few tensors every FootAndBall state_dict has (a quick check that --weights is one).
REQUIRED_TENSORS = ["base_network.layers.0.0.weight", "ball_classifier.0.weight", "ball_classifier.2.weight",
                    "player_classifier.2.weight", "player_regressor.2.weight"]


def probe_size(clip):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=width,height", "-of", "csv=p=0", clip], check=True, capture_output=True,
                         text=True).stdout.strip().split(",")
    return int(out[0]), int(out[1])


def decode_frames(clip, wanted):
    """RGB float32 0-1 frames (BT.709 limited range, as the C++ backend converts
    yuv420p) for the frame indices in `wanted`, numbered as the ffmpeg CLI
    numbers them (edit list applied)."""
    w, h = probe_size(clip)
    last = max(wanted)
    proc = subprocess.Popen(["ffmpeg", "-v", "error", "-i", clip, "-map", "0:v:0", "-vsync", "0", "-frames:v",
                             str(last + 1), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"], stdout=subprocess.PIPE)
    size = w * h * 3 // 2
    frames = {}
    for i in range(last + 1):
        buf = proc.stdout.read(size)
        if len(buf) < size:
            break
        if i in wanted:
            frames[i] = yuv420p_to_rgb(np.frombuffer(buf, np.uint8), w, h)
    proc.stdout.close()
    proc.wait()
    return frames


def yuv420p_to_rgb(buf, w, h):
    y = buf[:w * h].reshape(h, w).astype(np.float32)
    u = buf[w * h:w * h + w * h // 4].reshape(h // 2, w // 2).astype(np.float32)
    v = buf[w * h + w * h // 4:].reshape(h // 2, w // 2).astype(np.float32)
    u = np.repeat(np.repeat(u, 2, 0), 2, 1) - 128.0
    v = np.repeat(np.repeat(v, 2, 0), 2, 1) - 128.0
    yy = (y - 16.0) * 1.164383
    r = yy + 1.792741 * v
    g = yy - 0.213249 * u - 0.532909 * v
    b = yy + 2.112402 * u
    return np.clip(np.stack([r, g, b], -1) / 255.0, 0.0, 1.0)


class InputError(Exception):
    """Bad input a user can fix: reported as one line, exit 2."""


def parse_frames(spec):
    lo, _, hi = spec.partition("-")
    try:
        lo, hi = int(lo), int(hi or lo)
    except ValueError:
        raise InputError("frame range '%s' is not FIRST-LAST (e.g. 0-280)" % spec) from None
    if lo < 0 or hi < lo:
        raise InputError("frame range '%s' is empty or negative" % spec)
    return lo, hi


def labels(truth_path, frame_range, interp):
    """frame -> (x, y, r) in source pixels: annotated frames in range, and
    frames within `interp` of one, between two annotations <= 10 apart."""
    lo, hi = frame_range
    ann = {}
    for n, line in enumerate(open(truth_path), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            frame = int(rec["frame"])
            ball = rec.get("ball")
            if ball:
                ball = dict(ball, x=float(ball["x"]), y=float(ball["y"]))
        except (ValueError, KeyError, TypeError, AttributeError):
            raise InputError("%s line %d is not a ground-truth record (docs/FORMATS.md)" % (truth_path, n)) from None
        rec["frame"] = frame
        if lo <= rec["frame"] <= hi and ball and ball.get("visible", True):
            ann[rec["frame"]] = (ball["x"], ball["y"], ball.get("r", 3.0))
    out = dict(ann)
    keys = sorted(ann)
    for a, b in zip(keys, keys[1:]):
        if b - a > 10:
            continue
        for t in range(a + 1, b):
            if min(t - a, b - t) <= interp:
                f = (t - a) / (b - a)
                out[t] = tuple(ann[a][k] + f * (ann[b][k] - ann[a][k]) for k in range(3))
    return out


def sample(rng, frames, lab, crop, scale, hard=()):
    """One training crop: normalised CHW tensor at the network's size and the
    ball's centre in network pixels (None when the crop has no ball). Half
    the crops hold the ball; with mined hard negatives a third hold the ball,
    a third one of those, and a third lie anywhere."""
    if hard and rng.random() < 1 / 3:
        idx, hx, hy = hard[rng.integers(len(hard))]
    else:
        idx = list(lab)[rng.integers(len(lab))]
        hx = hy = None
    img = frames[idx]
    h, w = img.shape[:2]
    bx, by, _ = lab[idx]
    if hx is not None:
        x0 = int(hx - rng.uniform(8, crop - 8))
        y0 = int(hy - rng.uniform(8, crop - 8))
    elif rng.random() < 0.5:
        x0 = int(bx - rng.uniform(8, crop - 8))
        y0 = int(by - rng.uniform(8, crop - 8))
    else:
        x0 = int(rng.integers(0, w - crop + 1))
        y0 = int(rng.integers(0, h - crop + 1))
    x0 = min(max(x0, 0), w - crop)
    y0 = min(max(y0, 0), h - crop)
    patch = img[y0:y0 + crop, x0:x0 + crop]
    cx, cy = bx - x0, by - y0
    if rng.random() < 0.5:
        patch = patch[:, ::-1]
        cx = crop - cx
    gain, bias = rng.uniform(0.8, 1.2), rng.uniform(-0.06, 0.06)
    patch = np.clip(patch * gain + bias, 0.0, 1.0)
    t = to_input(patch)
    if scale != 1.0:
        n = int(round(crop * scale))
        t = F.interpolate(t[None], size=(n, n), mode="bilinear", align_corners=False)[0]
    inside = 0 <= cx < crop and 0 <= cy < crop
    return t, ((cx * scale, cy * scale) if inside else None)


def target(centres, n, side):
    """Stride-4 ball target: 1 within one cell (4 network px) of the centre."""
    cells = side // BALL_STRIDE
    tgt = torch.zeros(n, cells, cells, dtype=torch.long)
    grid = (torch.arange(cells, dtype=torch.float32) + 0.5) * BALL_STRIDE
    for i, c in enumerate(centres):
        if c is None:
            continue
        d2 = (grid[None, :] - c[0]) ** 2 + (grid[:, None] - c[1]) ** 2
        m = d2 <= BALL_STRIDE ** 2
        if not m.any():
            m[min(int(c[1] // BALL_STRIDE), cells - 1), min(int(c[0] // BALL_STRIDE), cells - 1)] = True
        tgt[i][m] = 1
    return tgt


def ball_loss(logits, tgt):
    ce = F.cross_entropy(logits, tgt, reduction="none")
    pos, neg = ce[tgt == 1], ce[tgt == 0]
    k = min(neg.numel(), max(3 * pos.numel(), 16))
    hard = neg.topk(k).values.mean()
    return (pos.mean() if pos.numel() else ce.new_zeros(())) + neg.mean() + hard


def peaks(prob, radius=2):
    """Local maxima of a [H,W] map: (value, row, col), best first."""
    mx = F.max_pool2d(prob[None, None], 2 * radius + 1, 1, radius)[0, 0]
    rows, cols = torch.nonzero((prob == mx) & (prob > 1e-4), as_tuple=True)
    vals = prob[rows, cols]
    order = vals.argsort(descending=True)
    return [(float(vals[i]), int(rows[i]), int(cols[i])) for i in order]


def to_input(img):
    """HWC RGB 0-1 image -> normalised CHW tensor."""
    return torch.from_numpy(np.ascontiguousarray(((img - MEAN) / STD).transpose(2, 0, 1)))


def frame_peaks(sd, img, scale):
    """Ball-map peaks of a whole frame, best first: (probability, x, y) in source pixels."""
    t = to_input(img)[None]
    if scale != 1.0:
        t = F.interpolate(t, scale_factor=scale, mode="bilinear", align_corners=False)
    with torch.inference_mode():
        ball = ref.forward(sd, t)[0][0]
    return [(v, (c + 0.5) * BALL_STRIDE / scale, (r + 0.5) * BALL_STRIDE / scale) for v, r, c in peaks(ball)]


def mine_hard_negatives(sd, frames, lab, scale, min_prob=0.2, radius_px=8.0, per_frame=4):
    """What the network takes for the ball on the training frames: (frame,
    x, y) of up to per_frame map peaks >= min_prob farther than radius_px
    from the labelled ball (boots, socks, heads, line crossings)."""
    found = []
    for idx, (bx, by, _) in lab.items():
        kept = 0
        for v, x, y in frame_peaks(sd, frames[idx], scale):
            if v < min_prob or kept >= per_frame:
                break
            if math.hypot(x - bx, y - by) > radius_px:
                found.append((idx, x, y))
                kept += 1
    return found


def evaluate(sd, frames, truth, scale, radius_px=8.0):
    """Whole-frame check on frames: is the map's best peak the ball (<= radius_px)?"""
    hits, ranks, vals = 0, [], []
    for idx, (bx, by, _) in sorted(truth.items()):
        rank = None
        for j, (v, x, y) in enumerate(frame_peaks(sd, frames[idx], scale)):
            if math.hypot(x - bx, y - by) <= radius_px:
                rank = j
                vals.append(v)
                break
        hits += rank == 0
        ranks.append(rank)
    n = len(truth)
    found = [r for r in ranks if r is not None]
    return {"frames": n, "top1": hits, "top1_rate": hits / max(n, 1),
            "median_rank": float(np.median(found)) if found else None,
            "median_ball_prob": float(np.median(vals)) if vals else None}


def options_key(args):
    """What the weights depend on: inputs (by size and mtime), options, versions."""
    files = [args.weights] + args.clip + args.truth + [os.path.abspath(__file__), ref.__file__]
    return {"files": [[os.path.abspath(f), os.path.getsize(f), int(os.path.getmtime(f))] for f in files],
            "frames": args.frames, "steps": args.steps, "batch": args.batch, "crop": args.crop,
            "input_scale": args.input_scale, "lr": args.lr, "interp": args.interp, "seed": args.seed,
            "hard_negatives": args.hard_negatives,
            "torch": torch.__version__}


def sidecar_path(out):
    return os.path.splitext(out)[0] + ".json"


def is_current(args):
    try:
        with open(sidecar_path(args.out)) as f:
            meta = json.load(f)
        return os.path.isfile(args.out) and meta.get("options") == options_key(args)
    except (OSError, ValueError):
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    ap.add_argument("--weights", required=True, help="starting weights (footandball_20201019.pth)")
    ap.add_argument("--clip", required=True, action="append", help="video (repeat with --truth per clip)")
    ap.add_argument("--truth", required=True, action="append", help="ground-truth JSONL of the clip")
    ap.add_argument("--frames", action="append", help="frame range to train on, e.g. 0-280 (per clip)")
    ap.add_argument("--eval-frames", action="append", help="held-out frame range to report (per clip)")
    ap.add_argument("--out", required=True, help="fine-tuned weights (.pth)")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--batch", type=int, default=12)
    ap.add_argument("--crop", type=int, default=128, help="source pixels per crop side")
    ap.add_argument("--input-scale", type=float, default=1.0, help="network px per source px (as --input-scale)")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--interp", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-every", type=int, default=0, help="report held-out figures every N steps (0: end)")
    ap.add_argument("--hard-negatives", type=int, default=0, metavar="STEP",
                    help="at STEP, find what the network takes for the ball on the training frames and train a "
                         "third of the remaining crops on those places (0: off)")
    ap.add_argument("--if-stale", action="store_true",
                    help="do nothing when OUT and its sidecar (OUT.json) were made from the same inputs and options")
    args = ap.parse_args()
    if len(args.clip) != len(args.truth):
        ap.error("give one --truth per --clip")
    for p in args.clip + args.truth + [args.weights]:
        if not os.path.isfile(p):
            ap.error("no such file: " + p)
    if args.steps < 1 or args.batch < 1 or args.crop < 32 or args.input_scale <= 0:
        ap.error("--steps and --batch must be >= 1, --crop >= 32, --input-scale > 0")
    if args.if_stale and is_current(args):
        print("finetune: %s is current" % args.out, flush=True)
        return 0
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    try:
        base = torch.load(args.weights, map_location="cpu", weights_only=True)
        missing = [k for k in REQUIRED_TENSORS if k not in base]
    except Exception as e:  # torch raises many kinds for a file that is not a state_dict
        raise InputError("cannot load %s as FootAndBall weights: %s" % (args.weights, str(e).splitlines()[0])) from None
    if missing:
        raise InputError("%s is not a FootAndBall state_dict (no tensor %s)" % (args.weights, missing[0]))
    train_frames, train_lab, eval_sets = {}, {}, []
    for i, (clip, truth) in enumerate(zip(args.clip, args.truth)):
        rng_spec = args.frames[i] if args.frames and i < len(args.frames) else "0-1000000000"
        lab = labels(truth, parse_frames(rng_spec), args.interp)
        if not lab:
            raise InputError("%s has no visible ball in frames %s" % (truth, rng_spec))
        ev = {}
        if args.eval_frames and i < len(args.eval_frames):
            ev = labels(truth, parse_frames(args.eval_frames[i]), 0)
        if set(lab) & set(ev):
            ap.error("%s: training and evaluation frames overlap" % clip)
        frames = decode_frames(clip, set(lab) | set(ev))
        for k, v in lab.items():
            if k in frames:
                train_frames[(i, k)] = frames[k]
                train_lab[(i, k)] = v
        if ev:
            eval_sets.append((os.path.basename(clip), {k: frames[k] for k in ev if k in frames},
                              {k: v for k, v in ev.items() if k in frames}))
        print("finetune: %s: %d training frames (%d annotated), %d held out" %
              (clip, len([k for k in train_lab if k[0] == i]), len(labels(truth, parse_frames(rng_spec), 0)),
               len(ev)), flush=True)
    if not train_lab:
        ap.error("no annotated frame in the training range")

    frozen = {k: v.clone() for k, v in base.items()}
    sd = {}
    params = []
    for k, v in base.items():
        t = v.clone()
        if t.is_floating_point() and not (k.endswith("running_mean") or k.endswith("running_var")):
            t.requires_grad_(True)
            params.append(t)
        sd[k] = t
    opt = torch.optim.Adam(params, lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, args.steps)

    def report(step):
        results = {}
        for name, frames, truth in eval_sets:
            before = evaluate(frozen, frames, truth, args.input_scale) if step == 0 else None
            after = evaluate({k: v.detach() for k, v in sd.items()}, frames, truth, args.input_scale)
            print("finetune: step %d held-out %s: %s%s" % (step, name, json.dumps(after),
                                                          (" (published: %s)" % json.dumps(before)) if before else ""),
                  flush=True)
            results[name] = after
        return results

    if args.eval_every:
        report(0)
    side = int(round(args.crop * args.input_scale))
    t0 = time.time()
    hard = []
    for step in range(1, args.steps + 1):
        if args.hard_negatives and step == args.hard_negatives:
            hard = mine_hard_negatives({k: v.detach() for k, v in sd.items()}, train_frames, train_lab,
                                       args.input_scale)
            print("finetune: step %d: %d hard negatives on %d frames" % (step, len(hard), len(train_lab)), flush=True)
        batch = [sample(rng, train_frames, train_lab, args.crop, args.input_scale, hard)
                 for _ in range(args.batch)]
        x = torch.stack([b[0] for b in batch])
        tgt = target([b[1] for b in batch], len(batch), side)
        ball, player, box = ref.forward_logits(sd, x)
        with torch.no_grad():
            _, player0, box0 = ref.forward_logits(frozen, x)
        loss_ball = ball_loss(ball, tgt)
        loss_player = F.mse_loss(player, player0) + F.mse_loss(box, box0)
        loss = loss_ball + loss_player
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        if step % 25 == 0 or step == args.steps:
            print("finetune: step %d/%d loss %.4f (ball %.4f, players %.4f) %.1f s" %
                  (step, args.steps, loss.item(), loss_ball.item(), loss_player.item(), time.time() - t0),
                  flush=True)
        if args.eval_every and step % args.eval_every == 0 and step != args.steps:
            report(step)
    out = {k: (v.detach().clone() if v.is_floating_point() else v) for k, v in sd.items()}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.save(out, args.out)
    print("finetune: wrote %s (%d tensors) after %.1f s of training" % (args.out, len(out), time.time() - t0),
          flush=True)
    held_out = {}
    if eval_sets:
        held_out = report(args.steps)
    with open(sidecar_path(args.out), "w") as f:
        json.dump({"tool": "tools/finetune_footandball.py", "base_weights": os.path.basename(args.weights),
                   "clips": [os.path.basename(c) for c in args.clip], "training_frames": len(train_lab),
                   "train_seconds": round(time.time() - t0, 1), "held_out": held_out,
                   "options": options_key(args)}, f, indent=1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except InputError as e:
        print("finetune_footandball: error: %s" % e, file=sys.stderr)
        sys.exit(2)
    except subprocess.CalledProcessError as e:
        print("finetune_footandball: error: %s failed (exit %d): cannot decode the clip" % (e.cmd[0], e.returncode),
              file=sys.stderr)
        sys.exit(3)
