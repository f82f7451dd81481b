#!/usr/bin/env python3
"""How well does FootAndBall see the ball in the hand-annotated real frames?

For every annotated frame of tests/data/annotations (zak_soccer, rubi_football)
it runs the reference FootAndBall network (tools/footandball_reference.py, the
same maths as the C++ backend) on a square window around the annotated ball
(offset by up to +-30 px, as a tracker's prediction would be) at several input
scales, and reports:
  - top-1 hit: the window's highest ball-map peak lies within 8 px of the ball;
  - the median peak probability on hits and on misses (the C++ backend's
    default --min-score is 0.3).
With --whole-frame it also ranks the ball's peak among all peaks of the whole
frame (slow at scale > 1).

    bench/footandball_roi_probe.py --weights ../shared/models/footandball_20201019.pth \\
        --footage ../shared/footage --scales 1,2,3,4 --side 192

Needs the project venv (torch, numpy) and the ffmpeg CLI.
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tools"))
import footandball_reference as ref  # noqa: E402

MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def frames_of(path, indices, width, height):
    sel = "+".join("eq(n\\,%d)" % f for f in indices)
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", path, "-vf", "select=" + sel, "-vsync", "0",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    imgs = np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)
    if len(imgs) != len(indices):
        raise SystemExit("decoded %d frames, expected %d" % (len(imgs), len(indices)))
    return imgs


def ball_map(sd, rgb, scale):
    x = torch.from_numpy(rgb.astype(np.float32) / 255.0).permute(2, 0, 1)[None]
    if scale != 1.0:
        x = F.interpolate(x, scale_factor=scale, mode="bilinear", align_corners=False)
    h, w = x.shape[-2:]
    x = x[..., : h // 32 * 32, : w // 32 * 32]
    with torch.inference_mode():
        ball, _, _ = ref.forward(sd, (x - MEAN) / STD)
    return ball[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--footage", required=True, help="folder with zak_soccer.mp4 and rubi_football.mp4")
    ap.add_argument("--scales", default="1,2,3")
    ap.add_argument("--side", type=int, default=192, help="window side in source pixels")
    ap.add_argument("--radius", type=float, default=8.0)
    ap.add_argument("--whole-frame", action="store_true")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    sd = torch.load(args.weights, map_location="cpu", weights_only=True)
    scales = [float(s) for s in args.scales.split(",")]
    rng = np.random.default_rng(1)
    ann_dir = os.path.join(HERE, "..", "tests", "data", "annotations")
    print("| clip | window | scale | top-1 within %g px | median peak p (hit / miss) |" % args.radius)
    print("|---|---|---|---|---|")
    for clip in ("zak_soccer", "rubi_football"):
        anns = [json.loads(line) for line in open(os.path.join(ann_dir, clip + ".jsonl"))]
        imgs = frames_of(os.path.join(args.footage, clip + ".mp4"), [a["frame"] for a in anns], 1280, 720)
        side = args.side
        for s in scales:
            hits, vals = 0, []
            rows = []
            for a, img in zip(anns, imgs):
                b = a["ball"]
                if args.whole_frame:
                    x0 = y0 = 0
                    win = img
                else:
                    ox, oy = rng.uniform(-30, 30, 2)
                    x0 = int(np.clip(b["x"] + ox - side / 2, 0, img.shape[1] - side))
                    y0 = int(np.clip(b["y"] + oy - side / 2, 0, img.shape[0] - side))
                    win = img[y0:y0 + side, x0:x0 + side]
                m = ball_map(sd, win, s)
                i = int(m.flatten().argmax())
                v = float(m.flatten()[i])
                cx = ((i % m.shape[1]) * 4 + 1.5) / s + x0
                cy = ((i // m.shape[1]) * 4 + 1.5) / s + y0
                ok = bool(np.hypot(cx - b["x"], cy - b["y"]) <= args.radius)
                hits += ok
                vals.append((v, ok))
                rows.append(ok)
            v = np.array(vals)
            med = lambda sel: "%.4f" % np.median(v[sel, 0]) if sel.any() else "-"  # noqa: E731
            window = "whole frame" if args.whole_frame else "%d px around the ball" % side
            print("| %s | %s | %g | %d/%d (%.0f %%) | %s / %s |" % (
                clip, window, s, hits, len(anns), 100.0 * hits / len(anns), med(v[:, 1] == 1), med(v[:, 1] == 0)),
                flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
