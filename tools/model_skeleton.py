#!/usr/bin/env python3
"""Ship a TorchScript model with random weights in a few MB, for speed tests.

A TorchScript archive (torch.jit.save, a zip) holds its code, its pickled
structure and one file per tensor storage (ARCHIVE/data/N). RF-DETR Nano is
123 MB, almost all of it weights; the GPU machine takes 64 MiB of carried
files and has no network, and "random weights are fine for speed".

  model_skeleton.py pack MODEL.pt SKELETON.zip [--keep-below BYTES]
      Everything but the large float32 storages, plus a manifest of those
      (size, mean, std). A storage is stripped when it is at least
      --keep-below bytes (default 65536) and reads as finite float32 values of
      moderate size; anything else (integer buffers, small tensors) is kept
      byte for byte.
  model_skeleton.py unpack SKELETON.zip MODEL.pt [--seed N]
      Rebuilds a loadable archive: every stripped storage is refilled with
      normal values of its recorded mean and std (seeded). The JSON sidecar
      next to MODEL.pt, if any, is copied beside the output by the caller.

Same architecture, same shapes and dtypes, different weights: the speed is
the model's, its detections mean nothing. Needs python3; pack also needs
numpy, unpack needs numpy or torch (whichever is there).

Exit codes: 0 ok, 2 bad arguments or a file that is not a TorchScript zip.
"""
import argparse
import io
import json
import math
import random
import struct
import sys
import zipfile

MANIFEST = "ballcam-skeleton.json"


def fail(msg):
    print(f"model_skeleton: {msg}", file=sys.stderr)
    sys.exit(2)


def float_stats(data):
    """(mean, std) when `data` reads as moderate finite float32, else None."""
    if len(data) % 4:
        return None
    try:
        import numpy as np
        v = np.frombuffer(data, dtype="<f4")
        if not np.all(np.isfinite(v)) or float(np.max(np.abs(v))) > 1e4:
            return None
        nonzero = np.count_nonzero(v)
        # Integer data (int64 indices) read as float32 is mostly exact zeros
        # and denormals; real weights are not.
        tiny = np.count_nonzero((np.abs(v) < 1e-30) & (v != 0))
        if tiny > len(v) // 100 or nonzero < len(v) // 2:
            return None
        return float(np.mean(v)), float(np.std(v))
    except ImportError:
        fail("pack needs numpy")


def pack(args):
    try:
        src = zipfile.ZipFile(args.model)
    except (OSError, zipfile.BadZipFile) as e:
        fail(f"{args.model}: not a TorchScript archive ({e})")
    names = src.namelist()
    if not any(n.endswith("/data.pkl") for n in names):
        fail(f"{args.model}: not a TorchScript archive (no data.pkl)")
    stripped = {}
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if "/data/" in info.filename and len(data) >= args.keep_below:
                stats = float_stats(data)
                if stats is not None:
                    stripped[info.filename] = {"bytes": len(data), "mean": stats[0], "std": stats[1]}
                    continue
            out.writestr(info.filename, data)
        out.writestr(MANIFEST, json.dumps({"format": "ballcam-skeleton-1", "order": names, "stripped": stripped}))
    kept = sum(i.file_size for i in src.infolist()) - sum(s["bytes"] for s in stripped.values())
    print(f"packed {args.model}: {len(stripped)} float32 storages stripped "
          f"({sum(s['bytes'] for s in stripped.values()) / 1e6:.1f} MB), {kept / 1e6:.1f} MB kept -> {args.out}")


def random_floats(count, mean, std, rng_seed):
    try:
        import numpy as np
        rng = np.random.default_rng(rng_seed)
        return rng.normal(mean, std, count).astype("<f4").tobytes()
    except ImportError:
        pass
    try:
        import torch
        g = torch.Generator().manual_seed(rng_seed)
        return (torch.randn(count, generator=g) * std + mean).float().numpy().tobytes()
    except ImportError:
        rnd = random.Random(rng_seed)
        return struct.pack(f"<{count}f", *(rnd.gauss(mean, std) for _ in range(count)))


def unpack(args):
    try:
        skel = zipfile.ZipFile(args.skeleton)
        manifest = json.loads(skel.read(MANIFEST))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as e:
        fail(f"{args.skeleton}: not a model skeleton ({e})")
    stripped = manifest["stripped"]
    # Stored, not deflated, like torch.jit.save: the reader maps the records.
    with zipfile.ZipFile(args.out, "w", zipfile.ZIP_STORED) as out:
        for k, name in enumerate(manifest["order"]):
            if name in stripped:
                s = stripped[name]
                std = s["std"] if math.isfinite(s["std"]) and s["std"] > 0 else 0.02
                data = random_floats(s["bytes"] // 4, s["mean"], std, args.seed * 100003 + k)
            else:
                data = skel.read(name)
            out.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data)
    print(f"unpacked {args.skeleton} -> {args.out} ({len(stripped)} storages refilled, seed {args.seed})")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("pack", help="MODEL.pt -> SKELETON.zip")
    a.add_argument("model")
    a.add_argument("out")
    a.add_argument("--keep-below", type=int, default=65536, help="storages smaller than this are kept (bytes)")
    b = sub.add_parser("unpack", help="SKELETON.zip -> MODEL.pt with random weights")
    b.add_argument("skeleton")
    b.add_argument("out")
    b.add_argument("--seed", type=int, default=0)
    args = p.parse_args()
    pack(args) if args.cmd == "pack" else unpack(args)


if __name__ == "__main__":
    main()
