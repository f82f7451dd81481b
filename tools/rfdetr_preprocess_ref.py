#!/usr/bin/env python3
"""RF-DETR's Python preprocessing of one decoded video frame, for ballcam's C++-vs-Python test.

    .venv/bin/python tools/rfdetr_preprocess_ref.py VIDEO FRAME_INDEX SIZE OUT_DIR

Decodes frame FRAME_INDEX (0-based, decode order of presentation) of VIDEO with
PyAV (libavcodec, as a Python pipeline would), converts it to RGB the way a
Python caller hands images to RF-DETR (PyAV's rgb24, i.e. libswscale using the
stream's colour matrix), then applies exactly the steps RFDETR.predict() runs
before the network (rfdetr/detr.py: to float 0-1, F.resize(..., antialias=False)
to SIZE x SIZE, F.normalize with ImageNet mean/std). Writes OUT_DIR/
preprocessed.f32 ([1,3,SIZE,SIZE] float32), rgb.u8 (HxWx3) and yuv.u8 (the
decoded planes Y, U, V back to back) plus meta.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main() -> None:
    if len(sys.argv) != 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    video, index, size, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4])
    import av
    import numpy as np
    import torch
    import torchvision.transforms.functional as F

    frame = None
    with av.open(video) as container:
        for i, f in enumerate(container.decode(video=0)):
            if i == index:
                frame = f
                break
    if frame is None:
        print(f"rfdetr_preprocess_ref: {video} has no frame {index}", file=sys.stderr)
        sys.exit(3)
    if frame.format.name != "yuv420p":
        print(f"rfdetr_preprocess_ref: frame is {frame.format.name}, expected yuv420p", file=sys.stderr)
        sys.exit(3)
    yuv = frame.to_ndarray()  # (H*3/2, W) planar yuv420p
    rgb = frame.to_ndarray(format="rgb24")  # (H, W, 3), libswscale
    # RFDETR.predict(): PIL/ndarray -> float CHW in 0-1, stretch resize without antialias, normalise.
    t = F.to_tensor(rgb)
    t = F.resize(t, [size, size], antialias=False)
    t = F.normalize(t, [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]).unsqueeze(0)
    out.mkdir(parents=True, exist_ok=True)
    t.numpy().astype("<f4").tofile(out / "preprocessed.f32")
    rgb.astype(np.uint8).tofile(out / "rgb.u8")
    yuv.astype(np.uint8).tofile(out / "yuv.u8")
    meta = {
        "video": video,
        "frame_index": index,
        "width": frame.width,
        "height": frame.height,
        "colorspace": str(getattr(frame, "colorspace", "")),
        "color_range": str(getattr(frame, "color_range", "")),
        "size": size,
        "pyav": av.__version__,
        "torch": torch.__version__,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
