#!/usr/bin/env python3
"""RF-DETR checkpoint -> TorchScript file + JSON sidecar for ballcam's `rfdetr` detector.

    .venv/bin/python tools/export_rfdetr.py --checkpoint rf-detr-nano.pth --size nano --out models/rfdetr-nano.pt
    .venv/bin/python tools/export_rfdetr.py --random --size nano --seed 0 --out build/rfdetr-nano-random.pt

The TorchScript graph is RF-DETR's own export forward (the one its ONNX export
traces), traced at a fixed square resolution with batch 1; libtorch runs it for
any batch size (the traced graph has no batch-size constants). It takes
[N,3,H,W] RGB in 0-1 normalised with ImageNet mean/std (stretch resize, no
letterbox) and returns (pred_boxes [N,300,4] normalised cx,cy,w,h,
pred_logits [N,300,C]) with no post-processing. The sidecar (FILE.json next to
FILE.pt) carries the resolution, class names, ball class, mean/std and the
versions that made it, so the C++ side never asks the user for them.

--random builds the model with random weights (seeded) and no network access:
RF-DETR's N/S/M configs use patch size 16, so the package never fetches the
DINOv2 backbone for them; pretrain_weights=None skips the checkpoint download.

--reference-dir DIR also writes, for the Python-vs-C++ equality test, a fixed
seeded input tensor and the eager (untraced) PyTorch model's outputs for it:
input.f32, boxes.f32, logits.f32 (raw little-endian float32, C order) and
reference.json (shapes, and how far the traced graph is from the eager model).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for the hub; everything here is local

try:
    from importlib.metadata import version as _dist_version

    RFDETR_VERSION = _dist_version("rfdetr")
except Exception:  # not installed: build_model() says so
    RFDETR_VERSION = "?"

COCO_SPORTS_BALL = 37  # RF-DETR's COCO heads use COCO category ids (1..90 with gaps): 37 = "sports ball"
IMAGENET_MEAN = [0.485, 0.456, 0.406]
IMAGENET_STD = [0.229, 0.224, 0.225]
SIZES = {
    "nano": "RFDETRNano",
    "small": "RFDETRSmall",
    "medium": "RFDETRMedium",
    "base": "RFDETRBase",
    "large": "RFDETRLarge",
}


def fail(message: str, code: int = 2) -> None:
    print(f"export_rfdetr: {message}", file=sys.stderr)
    sys.exit(code)


def build_model(args: argparse.Namespace):
    import torch

    try:
        import rfdetr
    except ImportError:
        fail("the rfdetr package is not installed in this Python (scripts/setup.sh installs it into .venv)", 5)
    cls = getattr(rfdetr, SIZES[args.size], None)
    if cls is None:
        fail(f"rfdetr {RFDETR_VERSION} has no {SIZES[args.size]}")
    kwargs: dict = {"device": "cpu"}
    if args.random:
        torch.manual_seed(args.seed)
        kwargs["pretrain_weights"] = None
        if args.num_classes is not None:
            kwargs["num_classes"] = args.num_classes
    else:
        if not Path(args.checkpoint).is_file():
            fail(f"checkpoint not found: {args.checkpoint}", 3)
        kwargs["pretrain_weights"] = str(args.checkpoint)
    return cls(**kwargs)


def class_names_of(wrapper, num_logits: int) -> list[str]:
    """Names indexed by logit slot (slot i -> names[i]); "" where a slot has no name."""
    names = list(getattr(wrapper, "class_names", None) or [])
    try:
        from rfdetr.assets.coco_classes import COCO_CLASSES  # {category id: name}
    except ImportError:
        COCO_CLASSES = {}
    coco_names = [COCO_CLASSES[k] for k in sorted(COCO_CLASSES)] if isinstance(COCO_CLASSES, dict) else []
    out = [""] * num_logits
    if names and coco_names and names == coco_names and isinstance(COCO_CLASSES, dict):
        for cat_id, name in COCO_CLASSES.items():  # COCO heads: slot = category id
            if 0 <= cat_id < num_logits:
                out[cat_id] = name
    else:
        for i, name in enumerate(names[:num_logits]):
            out[i] = str(name)
    return out


def pick_ball_class(names: list[str], requested: int | None, random_weights: bool) -> int:
    if requested is not None:
        return requested
    if random_weights or (len(names) > COCO_SPORTS_BALL and names[COCO_SPORTS_BALL] == "sports ball"):
        return COCO_SPORTS_BALL
    for i, name in enumerate(names):  # a fine-tuned model: its own "ball" class
        if "ball" in name.lower():
            return i
    fail("no class named like 'ball' in this model; pass --ball-class N")
    return -1


def export_graph(wrapper, resolution: int):
    """The LWDETR module in export mode (postprocess-free (boxes, logits) forward) at resolution²."""
    from rfdetr.models.backbone.dinov2 import DinoV2

    net = copy.deepcopy(wrapper.model.model).cpu().eval()
    for m in net.modules():  # freeze the position embeddings to the export shape (as rfdetr's exporters do)
        if isinstance(m, DinoV2):
            m.shape = (resolution, resolution)
            m.export()
    if not getattr(net, "_export", False):
        net.export()  # forward -> forward_export(tensor) -> (boxes, logits)
    for p in net.parameters():
        p.requires_grad_(False)
    return net


def options_key(args: argparse.Namespace) -> str:
    keep = ("checkpoint", "random", "size", "seed", "num_classes", "resolution", "ball_class", "reference_dir")
    return json.dumps({k: str(getattr(args, k)) for k in keep}, sort_keys=True)


def is_current(args: argparse.Namespace) -> bool:
    sidecar = args.out.with_suffix(".json")
    needed = [args.out, sidecar] + ([args.reference_dir / "reference.json"] if args.reference_dir else [])
    if not all(p.is_file() for p in needed):
        return False
    if min(p.stat().st_mtime for p in needed) < Path(__file__).stat().st_mtime:
        return False
    try:
        import torch

        meta = json.loads(sidecar.read_text())
        return (meta.get("export_options") == options_key(args) and meta.get("rfdetr_version") == RFDETR_VERSION
                and meta.get("torch_version") == torch.__version__)
    except (ValueError, ImportError):
        return False


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--checkpoint", type=Path, help="RF-DETR .pth checkpoint (rfdetr's pretrain_weights)")
    src.add_argument("--random", action="store_true", help="random weights (offline; for tests)")
    p.add_argument("--size", choices=sorted(SIZES), default="nano")
    p.add_argument("--seed", type=int, default=0, help="seed for --random weights and the reference input")
    p.add_argument("--num-classes", type=int, help="--random only: classes of the head (default: COCO's 90)")
    p.add_argument("--resolution", type=int, help="square input side (default: the model's native one)")
    p.add_argument("--ball-class", type=int, help="logit index of the ball (default: 37 COCO sports ball, or "
                   "the class whose name contains 'ball')")
    p.add_argument("--out", type=Path, required=True, help="TorchScript file to write; the sidecar is OUT.json "
                   "with the suffix replaced")
    p.add_argument("--reference-dir", type=Path, help="also write a fixed input and the eager model's outputs")
    p.add_argument("--if-stale", action="store_true", help="do nothing when OUT, its sidecar (and the reference) "
                   "exist, are newer than this script and were made with the same options and versions (tests)")
    args = p.parse_args()
    if args.if_stale and is_current(args):
        print(f"export_rfdetr: {args.out} is current")
        return

    try:
        import torch
    except ImportError:
        fail("torch is not installed in this Python (scripts/setup.sh installs it into .venv)", 5)

    t0 = time.time()
    wrapper = build_model(args)
    cfg = wrapper.model_config
    resolution = args.resolution or int(cfg.resolution)
    block = int(cfg.patch_size) * int(cfg.num_windows)
    if resolution % block != 0:
        fail(f"--resolution {resolution} is not a multiple of patch_size*num_windows = {block}")
    net = export_graph(wrapper, resolution)

    example = torch.zeros(1, 3, resolution, resolution)
    with torch.no_grad(), warnings.catch_warnings():
        # Shape checks in rfdetr's code become constants: right for a fixed input size.
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(net, example, check_trace=False, strict=False)
    with torch.no_grad():
        boxes, logits = traced(example)[:2]
    num_logits = int(logits.shape[-1])
    names = class_names_of(wrapper, num_logits)
    ball = pick_ball_class(names, args.ball_class, args.random)
    if not 0 <= ball < num_logits:
        fail(f"--ball-class {ball} is outside the model's {num_logits} logits")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    traced.save(str(args.out))
    sidecar = {
        "format": "ballcam-rfdetr-1",
        "model": f"rfdetr-{args.size}",
        "weights": "random" if args.random else os.path.basename(str(args.checkpoint)),
        "seed": args.seed if args.random else None,
        "resolution": [resolution, resolution],  # [height, width]
        "num_queries": int(boxes.shape[1]),
        "num_logits": num_logits,
        "class_names": names,
        "ball_class": ball,
        "mean": IMAGENET_MEAN,
        "std": IMAGENET_STD,
        "input": "RGB 0-1, (v-mean)/std, stretch resize (bilinear, no antialias), NCHW float32",
        "outputs": ["pred_boxes [N,Q,4] cx,cy,w,h normalised", "pred_logits [N,Q,C] (sigmoid -> score)"],
        "rfdetr_version": RFDETR_VERSION,
        "torch_version": torch.__version__,
        "export_options": options_key(args),
    }
    sidecar_path = args.out.with_suffix(".json")
    sidecar_path.write_text(json.dumps(sidecar, indent=1) + "\n")
    print(f"export_rfdetr: {args.out} + {sidecar_path.name} ({resolution}², {num_logits} logits, ball class "
          f"{ball}, rfdetr {RFDETR_VERSION}, torch {torch.__version__}, {time.time() - t0:.1f} s)")

    if args.reference_dir:
        d = args.reference_dir
        d.mkdir(parents=True, exist_ok=True)
        g = torch.Generator().manual_seed(args.seed + 1)
        # A plausible normalised image: 0-1 noise through the ImageNet normalisation.
        x = torch.rand(1, 3, resolution, resolution, generator=g)
        x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
        with torch.no_grad():
            eb, el = net(x)[:2]
            tb, tl = traced(x)[:2]
        x.numpy().astype("<f4").tofile(d / "input.f32")
        eb.numpy().astype("<f4").tofile(d / "boxes.f32")
        el.numpy().astype("<f4").tofile(d / "logits.f32")
        ref = {
            "input_shape": list(x.shape),
            "boxes_shape": list(eb.shape),
            "logits_shape": list(el.shape),
            "traced_vs_eager_max_abs": max(float((tb - eb).abs().max()), float((tl - el).abs().max())),
            "torch_threads": torch.get_num_threads(),
        }
        (d / "reference.json").write_text(json.dumps(ref, indent=1) + "\n")
        print(f"export_rfdetr: reference in {d} (traced vs eager max |diff| {ref['traced_vs_eager_max_abs']:.3g})")


if __name__ == "__main__":
    main()
