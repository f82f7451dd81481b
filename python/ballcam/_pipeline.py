"""Pipelines (CPU, GPU, automatic choice), per-frame info, synth and eval."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Optional, Union

from . import _ballcam
from ._config import Config, ConfigLike

PathLike = Union[str, "os.PathLike[str]"]

#: Track modes reported in FrameInfo.mode.
TRACK_MODES = ("searching", "tracking", "coasting", "lost")


@dataclass(frozen=True)
class FrameInfo:
    """What the analyse stage decided for one frame (one line of --track-out).

    Coordinates are source-frame pixels (origin top-left, x right, y down).
    """

    frame_index: int
    pts: float                      # presentation time, seconds
    mode: str                       # "searching", "tracking", "coasting" or "lost"
    ball_x: Optional[float]         # estimated ball centre; None without an estimate
    ball_y: Optional[float]
    velocity: Optional[tuple[float, float]]  # px per frame; None without an estimate
    uncertainty: Optional[float]    # 1-sigma position uncertainty (px)
    measured: bool                  # a detection confirmed the ball this frame
    crop_x: float                   # the virtual camera's crop rectangle
    crop_y: float
    crop_w: float
    crop_h: float
    detections: list[dict[str, float]] = field(default_factory=list)  # {x, y, r, score}, best first
    players: list[dict[str, float]] = field(default_factory=list)     # {x, y, w, h, score}

    @property
    def crop(self) -> tuple[float, float, float, float]:
        return (self.crop_x, self.crop_y, self.crop_w, self.crop_h)

    @property
    def ball(self) -> Optional[tuple[float, float]]:
        return None if self.ball_x is None or self.ball_y is None else (self.ball_x, self.ball_y)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


FrameCallback = Callable[[FrameInfo], Any]
ProgressCallback = Callable[[int, int], Any]


class CpuPipeline:
    """The CPU pipeline: libavcodec decode, classical detector, tracker,
    virtual camera, libx264 encode (four threads).

    ``run(input, output, on_frame=cb)`` calls ``cb(FrameInfo)`` for every
    analysed frame, on the pipeline's analyse thread (the GIL is taken for
    the call; the pipeline waits for it, so keep it short). An exception in
    the callback stops the run and is re-raised by run(). Ctrl-C stops the
    run, finalises the output and raises KeyboardInterrupt.
    """

    device = "cpu"

    def __init__(self, config: ConfigLike = None) -> None:
        self.config = Config(config)
        self.summary: Optional[dict[str, Any]] = None

    def run(
        self,
        input: PathLike,
        output: PathLike,
        on_frame: Optional[FrameCallback] = None,
        on_progress: Optional[ProgressCallback] = None,
    ) -> dict[str, Any]:
        """Runs input -> output (files or URLs, as `ballcam run -i -o`).

        on_progress(frames_out, frames_total) is called about every 50 ms
        (frames_total is -1 when unknown). Returns the run summary (the
        --metrics-json document). Errors raise with the CLI's one-line
        message: ValueError (config), FileNotFoundError (missing input file),
        OSError (unreadable input, unwritable output), RuntimeError (others);
        the exception's ``ballcam_code`` is the CLI exit code.
        """
        callback = None
        if on_frame is not None:
            if not callable(on_frame):
                raise TypeError("on_frame must be callable")

            def callback(info: dict[str, Any]) -> None:
                on_frame(FrameInfo(**info))

        if on_progress is not None and not callable(on_progress):
            raise TypeError("on_progress must be callable")
        self.summary = _ballcam.run_pipeline(
            self.config._native, os.fspath(input), os.fspath(output), self.device, callback, on_progress
        )
        return self.summary

    def __repr__(self) -> str:
        return f"ballcam.{type(self).__name__}({self.config!r})"


class GpuPipeline(CpuPipeline):
    """The CUDA pipeline. Not in this build yet: constructing one raises
    RuntimeError("CUDA pipeline not available in this build"). The CUDA
    kernels exist (docs/GPU.md) but are not wired into a pipeline."""

    device = "cuda"

    def __init__(self, config: ConfigLike = None) -> None:
        if not _ballcam.cuda_pipeline_available():
            raise RuntimeError("CUDA pipeline not available in this build")
        super().__init__(config)


class AutoPipeline(CpuPipeline):
    """The best pipeline available here.

    prefer_gpu=True runs with device "auto": the GPU pipeline where one is
    built and usable, else the CPU one. Today no CUDA pipeline exists, so
    "auto" always falls back to the CPU pipeline (the log says so).
    prefer_gpu=False forces device "cpu".
    """

    def __init__(self, config: ConfigLike = None, prefer_gpu: bool = True) -> None:
        super().__init__(config)
        self.device = "auto" if prefer_gpu else "cpu"


def synth(
    output: PathLike,
    size: tuple[int, int] = (1920, 1080),
    fps: int = 25,
    duration: float = 10,
    seed: int = 1,
    scenario: str = "match",
    truth: Optional[PathLike] = None,
    audio: bool = True,
    crf: int = 18,
) -> str:
    """Renders a synthetic match clip (as `ballcam synth`) and its per-frame
    ground truth (JSONL, default: output with .jsonl). Returns the truth path.
    scenario: one of ballcam.scenario_names()."""
    out = os.fspath(output)
    truth_path = os.fspath(truth) if truth is not None else os.path.splitext(out)[0] + ".jsonl"
    try:
        width, height = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height), got {size!r}") from None
    _ballcam.synthesize(out, truth_path, width, height, int(fps), float(duration), int(seed), scenario,
                        bool(audio), int(crf))
    return truth_path


def scenario_names() -> list[str]:
    """Scenarios accepted by synth()."""
    return list(_ballcam.scenario_names())


def evaluate(
    truth: PathLike,
    track: PathLike,
    match_radius_px: float = 5.0,
    view_margin_frac: float = 0.10,
    warmup_frames: int = 0,
    baseline: bool = False,
) -> dict[str, Any]:
    """Scores a track JSONL (config "track_out", CLI --track-out) against
    ground truth (as `ballcam eval`). Returns the report as a dict (NaN
    metrics are None); with baseline=True, {"ballcam": report,
    "naive_baseline": report}, the `ballcam eval --json` document."""
    return _ballcam.evaluate(os.fspath(truth), os.fspath(track), float(match_radius_px), float(view_margin_frac),
                             int(warmup_frames), bool(baseline))


def set_log_level(level: str) -> None:
    """Log level of the native code (stderr): trace, debug, info (default), warning, error, critical, off.
    FFmpeg's own messages (x264 statistics) appear only at debug and below, as in the CLI."""
    _ballcam.set_log_level({"warn": "warning"}.get(level, level))
