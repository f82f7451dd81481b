"""ballcam: follow the ball in football video, from Python.

    import ballcam
    ballcam.AutoPipeline({"encoder.crf": 20}).run("match.mp4", "follow.mp4")

    def on_frame(f):                      # ballcam.FrameInfo, once per frame
        print(f.frame_index, f.mode, f.ball, f.crop)
    ballcam.CpuPipeline("config.yaml").run("match.mp4", "follow.mp4", on_frame=on_frame)

Config keys are those of `ballcam options` / docs/CONFIG.md
(ballcam.Config.keys()). See docs/PYTHON.md.
"""

from ._ballcam import __version__, cuda_pipeline_available
from ._config import Config
from ._pipeline import (
    TRACK_MODES,
    AutoPipeline,
    CpuPipeline,
    FrameInfo,
    GpuPipeline,
    evaluate,
    scenario_names,
    set_log_level,
    synth,
)

__all__ = [
    "AutoPipeline",
    "Config",
    "CpuPipeline",
    "FrameInfo",
    "GpuPipeline",
    "TRACK_MODES",
    "__version__",
    "cuda_pipeline_available",
    "evaluate",
    "scenario_names",
    "set_log_level",
    "synth",
]
