#!/usr/bin/env python3
"""Reference FootAndBall forward pass in plain PyTorch (functional ops).

Written independently of the C++ network (src/detect/footandball.cpp) from the
same description, so that the two can check each other: tests/unit/detect
feeds the same input to both and requires equal outputs within 1e-4.

    footandball_reference.py --weights footandball_20201019.pth \
        --input in.f32 --shape N,3,H,W --out ref.f32

Input: raw float32, NCHW, already normalised (ImageNet mean/std). Output:
raw float32 concatenation of ball_prob [N,H/4,W/4], player_prob
[N,H/16,W/16] and player_box [N,4,H/16,W/16], in that order.
"""
import argparse
import sys

import numpy as np
import torch
import torch.nn.functional as F

BLOCKS = [1, 2, 2, 2, 2]  # convs per encoder block


def conv_bn_relu(x, sd, prefix):
    x = F.conv2d(x, sd[prefix[0] + ".weight"], None, padding=1)
    bn = prefix[1]
    x = F.batch_norm(x, sd[bn + ".running_mean"], sd[bn + ".running_var"], sd[bn + ".weight"],
                     sd[bn + ".bias"], training=False, eps=1e-5)
    return F.relu(x)


def head(x, sd, name):
    x = F.relu(F.conv2d(x, sd[name + ".0.weight"], sd[name + ".0.bias"], padding=1))
    return F.conv2d(x, sd[name + ".2.weight"], sd[name + ".2.bias"], padding=1)


def forward_logits(sd, x):
    """The network's raw outputs: ball logits [N,2,H/4,W/4], player logits
    [N,2,H/16,W/16], player box [N,4,H/16,W/16]. Differentiable in sd's
    tensors (batch norm uses its stored statistics, as at inference)."""
    feats = []
    for b, convs in enumerate(BLOCKS):
        for i in range(convs):
            base = "base_network.layers.%d." % b
            x = conv_bn_relu(x, sd, (base + str(3 * i), base + str(3 * i + 1)))
        x = F.max_pool2d(x, 2, 2)
        feats.append(x)

    def lateral(level):
        k = "base_network.lateral_layers.%d" % (level - 1)
        return F.conv2d(feats[level], sd[k + ".weight"], sd[k + ".bias"])

    top = lateral(4)
    pyramid = {}
    for level in (3, 2, 1):
        lat = lateral(level)
        top = F.interpolate(top, size=lat.shape[-2:], mode="bilinear", align_corners=False) + lat
        pyramid[level] = top
    return (head(pyramid[1], sd, "ball_classifier"), head(pyramid[3], sd, "player_classifier"),
            head(pyramid[3], sd, "player_regressor"))


def forward(sd, x):
    ball, player, box = forward_logits(sd, x)
    return torch.softmax(ball, dim=1)[:, 1], torch.softmax(player, dim=1)[:, 1], box


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--input", required=True)
    ap.add_argument("--shape", required=True, help="N,3,H,W")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    shape = [int(v) for v in args.shape.split(",")]
    x = torch.from_numpy(np.fromfile(args.input, dtype=np.float32).reshape(shape))
    sd = torch.load(args.weights, map_location="cpu", weights_only=True)
    with torch.inference_mode():
        outs = forward(sd, x)
    np.concatenate([o.contiguous().numpy().ravel() for o in outs]).astype(np.float32).tofile(args.out)
    print("footandball_reference: %s -> %s" % (tuple(shape), [tuple(o.shape) for o in outs]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
