#!/usr/bin/env python3
"""The Python side of bench_rfdetr: the same TorchScript export (and, with
--eager, the rfdetr package's eager Nano) on a [1,3,S,S] input, 1 and 2 threads.

    .venv/bin/python bench/rfdetr_python_latency.py build/rfdetr-test/rfdetr-nano-random.pt [--eager]
"""
import statistics
import sys
import time

import torch


def bench(fn, x, runs=5):
    with torch.inference_mode():
        for _ in range(2):
            fn(x)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fn(x)
            times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), min(times)


def main():
    model = torch.jit.load(sys.argv[1])
    size = 384
    x = torch.rand(1, 3, size, size)
    fns = {"torchscript": model}
    if "--eager" in sys.argv:
        from rfdetr import RFDETRNano
        fns["eager"] = RFDETRNano(pretrain_weights=None, device="cpu").model.model.eval()
    for name, fn in fns.items():
        for threads in (1, 2):
            torch.set_num_threads(threads)
            med, best = bench(fn, x)
            print(f"python {name} {size}x{size} threads={threads}: median {med:.0f} ms, min {best:.0f} ms")


if __name__ == "__main__":
    main()
