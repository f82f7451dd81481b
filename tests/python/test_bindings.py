"""Tests of the Python bindings (python/ballcam over src/bindings).

Run with the package importable, e.g. PYTHONPATH=build-test/python pytest tests/python
(scripts/test.sh does this after CTest).
"""

import json
import math
import shutil
import subprocess

import pytest

import ballcam

WIDTH, HEIGHT, FPS, SECONDS = 640, 360, 25, 3
FRAMES = FPS * SECONDS


# --------------------------------------------------------------------- Config
def test_config_from_nested_and_dotted_dict():
    nested = ballcam.Config({"encoder": {"crf": 20}, "camera": {"dead_zone_frac": 0.1}})
    dotted = ballcam.Config({"encoder.crf": 20, "camera.dead_zone_frac": 0.1})
    assert nested["encoder.crf"] == 20
    assert nested["camera.dead_zone_frac"] == pytest.approx(0.1)
    assert nested == dotted
    assert nested != ballcam.Config()


def test_config_get_set_and_types():
    config = ballcam.Config()
    config["camera.dead_zone_frac"] = 0.2
    assert config["camera.dead_zone_frac"] == pytest.approx(0.2)
    config["overlay"] = True
    assert config["overlay"] is True
    config["output.size"] = (640, 360)
    assert config["output.size"] == "640x360"
    config["encoder.crf"] = 30.0  # integral floats are accepted for integer options
    assert config["encoder.crf"] == 30
    assert config.to_dict(changed_only=True) == {
        "camera.dead_zone_frac": pytest.approx(0.2),
        "overlay": True,
        "output.size": "640x360",
        "encoder.crf": 30,
    }
    assert config.to_dict(nested=True)["encoder"]["crf"] == 30
    assert ballcam.Config.default("encoder.crf") == ballcam.Config()["encoder.crf"]


def test_config_from_yaml(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("encoder:\n  crf: 23\ncamera:\n  dead_zone_frac: 0.15\noverlay: true\n")
    for config in (ballcam.Config.from_yaml(path), ballcam.Config(str(path))):
        assert config["encoder.crf"] == 23
        assert config["camera.dead_zone_frac"] == pytest.approx(0.15)
        assert config["overlay"] is True
    with pytest.raises(FileNotFoundError, match="nope.yaml"):
        ballcam.Config.from_yaml(tmp_path / "nope.yaml")


def test_config_unknown_key_raises_value_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match="encoder.crff"):
        ballcam.Config({"encoder.crff": 20})
    with pytest.raises(ValueError, match="camera.bogus"):
        ballcam.Config({"camera": {"bogus": 1}})
    with pytest.raises(ValueError, match="no_such_key"):
        ballcam.Config()["no_such_key"] = 1
    with pytest.raises(ValueError, match="no_such_key"):
        ballcam.Config()["no_such_key"]
    path = tmp_path / "bad.yaml"
    path.write_text("encoder:\n  crff: 20\n")
    with pytest.raises(ValueError, match="encoder.crff"):
        ballcam.Config.from_yaml(path)


def test_config_bad_value_raises_value_error_naming_key():
    with pytest.raises(ValueError, match="encoder.crf"):
        ballcam.Config({"encoder.crf": 99})
    with pytest.raises(ValueError, match="device"):
        ballcam.Config({"device": "tpu"})


def test_config_keys_cover_the_option_table():
    keys = ballcam.Config.keys()
    for key in ("encoder.crf", "camera.dead_zone_frac", "input.url", "output.url", "track_out", "device"):
        assert key in keys
    assert len(keys) == len(set(keys)) == len(ballcam.Config())
    assert ballcam.Config.help("encoder.crf")


# ------------------------------------------------------------------ synth/run
@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    d = tmp_path_factory.mktemp("clip")
    video = d / "clip.mp4"
    truth = ballcam.synth(video, size=(WIDTH, HEIGHT), fps=FPS, duration=SECONDS, seed=3)
    assert video.stat().st_size > 0
    assert sum(1 for _ in open(truth)) == FRAMES
    return video, truth


def ffprobe_size(path):
    assert shutil.which("ffprobe"), "ffprobe (package ffmpeg) is required"
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height",
         "-of", "csv=p=0", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    return tuple(int(v) for v in out.split(","))


def test_auto_pipeline_run_with_on_frame(clip, tmp_path):
    video, truth = clip
    out = tmp_path / "follow.mp4"
    track = tmp_path / "track.jsonl"
    frames = []
    progress = []
    pipeline = ballcam.AutoPipeline({"output.size": "320x180", "track_out": str(track)}, prefer_gpu=True)
    summary = pipeline.run(video, out, on_frame=frames.append, on_progress=lambda d, t: progress.append((d, t)))

    assert len(frames) == FRAMES
    assert [f.frame_index for f in frames] == list(range(FRAMES))
    for f in frames:
        assert isinstance(f, ballcam.FrameInfo)
        assert f.mode in ballcam.TRACK_MODES
        assert (f.ball_x is None) == (f.ball_y is None) == (f.velocity is None)
        x, y, w, h = f.crop
        assert w > 0 and h > 0
        assert -1e-6 <= x and x + w <= WIDTH + 1e-6
        assert -1e-6 <= y and y + h <= HEIGHT + 1e-6
        for d in f.detections:
            assert set(d) == {"x", "y", "r", "score"}
    assert frames[-1].pts == pytest.approx((FRAMES - 1) / FPS, abs=1e-3)
    assert any(f.mode == "tracking" for f in frames), "the synthetic ball is never tracked"
    assert progress and progress[-1][0] == FRAMES

    assert out.stat().st_size > 0
    assert ffprobe_size(out) == (320, 180)
    assert summary["counters"]["frames_out"] == FRAMES

    # The callback sees exactly what --track-out writes.
    lines = [json.loads(line) for line in open(track)]
    assert len(lines) == FRAMES
    assert lines[10]["crop"]["x"] == pytest.approx(frames[10].crop_x)

    report = ballcam.evaluate(truth, track)
    assert report["frames"] == FRAMES
    recall = report["detection"]["recall"]
    assert recall is None or 0.0 <= recall <= 1.0
    assert 0.0 <= report["view"]["ball_in_view"] <= 1.0
    both = ballcam.evaluate(truth, track, baseline=True)
    assert set(both) == {"ballcam", "naive_baseline"}


def test_cpu_pipeline_without_callback(clip, tmp_path):
    video, _ = clip
    out = tmp_path / "cpu.mkv"
    summary = ballcam.CpuPipeline({"output": {"size": "320x180"}, "pipeline": {"max_frames": 10}}).run(
        str(video), str(out))
    assert summary["counters"]["frames_out"] == 10
    assert ffprobe_size(out) == (320, 180)


def test_missing_input_raises_with_file_name(tmp_path):
    missing = tmp_path / "no_such_clip.mp4"
    with pytest.raises(FileNotFoundError, match="no_such_clip.mp4") as info:
        ballcam.AutoPipeline().run(missing, tmp_path / "out.mp4")
    assert "\n" not in str(info.value)
    assert info.value.ballcam_code == 3
    assert not (tmp_path / "out.mp4").exists()


def test_callback_exception_stops_the_run_and_propagates(clip, tmp_path):
    video, _ = clip

    class Boom(Exception):
        pass

    calls = []

    def on_frame(info):
        calls.append(info.frame_index)
        if len(calls) == 5:
            raise Boom("stop here")

    pipeline = ballcam.CpuPipeline({"output.size": "320x180"})
    with pytest.raises(Boom, match="stop here"):
        pipeline.run(video, tmp_path / "boom.mp4", on_frame=on_frame)
    assert len(calls) == 5  # no call after the exception
    # The same pipeline object runs again afterwards.
    pipeline.config["pipeline.max_frames"] = 5
    assert pipeline.run(video, tmp_path / "again.mp4")["counters"]["frames_out"] == 5


def test_gpu_pipeline_not_available():
    if ballcam.cuda_pipeline_available():
        pytest.skip("this build has a CUDA pipeline")
    with pytest.raises(RuntimeError, match="CUDA pipeline not available in this build"):
        ballcam.GpuPipeline({"encoder.crf": 20})


def test_synth_and_evaluate_errors(tmp_path):
    with pytest.raises(ValueError, match="scenario"):
        ballcam.synth(tmp_path / "x.mp4", size=(320, 180), duration=1, scenario="no_such_scenario")
    assert "match" in ballcam.scenario_names()
    with pytest.raises(FileNotFoundError, match="missing_truth.jsonl"):
        ballcam.evaluate(tmp_path / "missing_truth.jsonl", tmp_path / "missing_track.jsonl")


def test_frame_info_helpers():
    info = ballcam.FrameInfo(frame_index=0, pts=0.0, mode="coasting", ball_x=1.0, ball_y=2.0, velocity=(0.5, 0.0),
                             uncertainty=3.0, measured=False, crop_x=0, crop_y=0, crop_w=10, crop_h=5)
    assert info.ball == (1.0, 2.0)
    assert info.crop == (0, 0, 10, 5)
    assert info.to_dict()["mode"] == "coasting"
    assert not math.isnan(info.to_dict()["uncertainty"])
