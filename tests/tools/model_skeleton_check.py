#!/usr/bin/env python3
"""tools/model_skeleton.py round trip on a real TorchScript archive: pack
strips the large float32 storages only, unpack gives an archive torch.jit
loads and runs with the same shapes and dtypes, small tensors and integer
buffers unchanged, large weights refilled (different values, similar scale),
and the same seed gives the same file. Run with a python that has torch."""
import os
import subprocess
import sys
import tempfile
import zipfile

import torch

TOOL = os.path.join(os.path.dirname(__file__), "..", "..", "tools", "model_skeleton.py")


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.big = torch.nn.Linear(256, 256)          # 256 KB weight: stripped
        self.small = torch.nn.Linear(256, 4)          # 4 KB: kept
        self.register_buffer("index", torch.arange(40000, dtype=torch.int64))  # 320 KB of integers: kept

    def forward(self, x):
        return self.small(torch.relu(self.big(x))) + self.index[:4].float()


def run(*args):
    r = subprocess.run([sys.executable, TOOL, *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


def main():
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as d:
        model = os.path.join(d, "m.pt")
        torch.jit.save(torch.jit.script(Net()), model)
        skel = os.path.join(d, "m.skel.zip")
        print(run("pack", model, skel).strip())
        assert os.path.getsize(skel) < os.path.getsize(model) / 2, "the skeleton is not smaller"
        out1, out2 = os.path.join(d, "a.pt"), os.path.join(d, "b.pt")
        run("unpack", skel, out1, "--seed", "3")
        run("unpack", skel, out2, "--seed", "3")
        assert open(out1, "rb").read() == open(out2, "rb").read(), "same seed, different files"
        orig, back = torch.jit.load(model), torch.jit.load(out1)
        y = back(torch.zeros(2, 256))
        assert y.shape == (2, 4) and torch.isfinite(y).all()
        assert torch.equal(orig.small.weight, back.small.weight), "a small tensor changed"
        assert torch.equal(orig.index, back.index), "an integer buffer changed"
        assert not torch.equal(orig.big.weight, back.big.weight), "a large weight was kept"
        assert abs(float(back.big.weight.detach().std()) - float(orig.big.weight.detach().std())) < 0.2 * float(orig.big.weight.detach().std())
        # Bad input: one line, exit 2.
        bad = subprocess.run([sys.executable, TOOL, "unpack", model, os.path.join(d, "x.pt")],
                             capture_output=True, text=True)
        assert bad.returncode == 2 and bad.stderr.count("\n") == 1, (bad.returncode, bad.stderr)
    print("model_skeleton: ok")


if __name__ == "__main__":
    main()
