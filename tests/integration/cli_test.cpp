// End-to-end: synthesise real H.264 clips, run the `ballcam` binary on them,
// and check what comes out with ffprobe.
#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "process.hpp"

namespace fs = std::filesystem;
using ballcam::testing::ProcessResult;
using ballcam::testing::run_process;
using nlohmann::json;

namespace {

fs::path g_dir;

std::string bin() { return BALLCAM_BIN; }

std::string path(const std::string& name) { return (g_dir / name).string(); }

ProcessResult ballcam(std::vector<std::string> args, double timeout_s = 300, double signal_after_s = 0,
                      int signal_number = 0, const std::string& signal_when_file = "", long signal_when_bytes = 0) {
  args.insert(args.begin(), bin());
  return run_process(args, timeout_s, signal_after_s, signal_number, signal_when_file, signal_when_bytes);
}

json probe(const std::string& file) {
  ProcessResult r = run_process({"ffprobe", "-v", "error", "-count_frames", "-show_entries",
                                 "stream=codec_type,codec_name,width,height,nb_read_frames:format=format_name,duration",
                                 "-of", "json", file});
  if (r.exit_code != 0) return json();
  return json::parse(r.out, nullptr, false);
}

const json* stream_of(const json& p, const std::string& type) {
  if (!p.contains("streams")) return nullptr;
  for (const auto& s : p["streams"])
    if (s.value("codec_type", "") == type) return &s;
  return nullptr;
}

int count_lines(const std::string& file) {
  std::ifstream in(file);
  int n = 0;
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) ++n;
  return n;
}

// One line on stderr naming the problem, non-zero exit, no output left.
void expect_clean_failure(const ProcessResult& r, int code, const std::string& output, const std::string& needle) {
  EXPECT_EQ(r.exit_code, code) << r.err;
  EXPECT_EQ(r.signal, 0);
  EXPECT_NE(r.err.find("ballcam: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(needle), std::string::npos) << r.err;
  if (!output.empty()) {
    EXPECT_FALSE(fs::exists(output)) << output << " should not exist";
  }
}

// CTest runs every test in its own process, so the synthetic clips are made
// once into a cache shared by all of them (keyed by the binary's build time,
// so a rebuilt synthesiser makes fresh clips); each process writes its own
// outputs into a private scratch directory.
fs::path g_cache;

bool make_clip(const std::string& name, const std::vector<std::string>& synth_args) {
  const fs::path video = g_cache / (name + ".mp4");
  if (fs::exists(video)) return true;
  const fs::path tmp = g_cache / (name + ".tmp" + std::to_string(getpid()) + ".mp4");
  std::vector<std::string> args = {"synth", "-o", tmp.string(), "--truth",
                                   (g_cache / (name + ".tmp" + std::to_string(getpid()) + ".jsonl")).string()};
  args.insert(args.end(), synth_args.begin(), synth_args.end());
  if (ballcam(args).exit_code != 0) return false;
  std::error_code ec;
  fs::rename(g_cache / (name + ".tmp" + std::to_string(getpid()) + ".jsonl"), g_cache / (name + ".jsonl"), ec);
  fs::rename(tmp, video, ec);  // atomic: a parallel test sees all or nothing
  return fs::exists(video);
}

class Cli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto stamp = fs::last_write_time(bin()).time_since_epoch().count();
    g_cache = fs::temp_directory_path() / ("ballcam-cli-fixtures-" + std::to_string(stamp));
    fs::create_directories(g_cache);
    char tmpl[] = "/tmp/ballcam-cli-XXXXXX";
    g_dir = mkdtemp(tmpl);
    // A failure here must fail every test: gtest reports the tests of a suite
    // whose SetUpTestSuite failed as *skipped*, which CTest counts as a pass.
    if (!make_clip("clip720", {"--size", "1280x720", "--fps", "25", "--duration", "6", "--seed", "3"}) ||
        !make_clip("clip1080", {"--size", "1920x1080", "--fps", "25", "--duration", "10", "--seed", "7"})) {
      g_setup_error = "ballcam synth could not make the fixture clips";
      return;
    }
    for (const char* name : {"clip720.mp4", "clip720.jsonl", "clip1080.mp4", "clip1080.jsonl"}) {
      fs::create_symlink(g_cache / name, g_dir / name);
    }
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(g_dir, ec);
  }
  void SetUp() override { ASSERT_TRUE(g_setup_error.empty()) << g_setup_error; }
  static inline std::string g_setup_error;
};

TEST_F(Cli, SynthWritesVideoAudioAndGroundTruth) {
  const json p = probe(path("clip720.mp4"));
  const json* v = stream_of(p, "video");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["width"], 1280);
  EXPECT_EQ((*v)["height"], 720);
  EXPECT_EQ((*v)["nb_read_frames"], "150");
  EXPECT_NE(stream_of(p, "audio"), nullptr);
  EXPECT_EQ(count_lines(path("clip720.jsonl")), 150);
}

TEST_F(Cli, RunWritesFinalisedMp4WithAudioTrackAndMetrics) {
  const std::string out = path("run.mp4");
  ProcessResult r = ballcam({"run", "-i", path("clip720.mp4"), "-o", out, "--track-out", path("run.jsonl"),
                             "--metrics-json", path("run_metrics.json")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = probe(out);
  const json* v = stream_of(p, "video");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["codec_name"], "h264");
  EXPECT_EQ((*v)["width"], 1280);
  EXPECT_EQ((*v)["height"], 720);
  EXPECT_EQ((*v)["nb_read_frames"], "150");
  const json* a = stream_of(p, "audio");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ((*a)["codec_name"], "aac");
  EXPECT_NEAR(std::stod(p["format"]["duration"].get<std::string>()), 6.0, 0.15);
  EXPECT_EQ(count_lines(path("run.jsonl")), 150);

  std::ifstream mj(path("run_metrics.json"));
  const json m = json::parse(mj);
  EXPECT_EQ(m["counters"]["frames_in"], 150);
  EXPECT_EQ(m["counters"]["frames_out"], 150);
  EXPECT_EQ(m["counters"]["frames_dropped"], 0);
  for (const char* stage : {"decode", "detect", "track_camera", "render", "encode"}) {
    EXPECT_EQ(m["stages"][stage]["count"], 150) << stage;
    EXPECT_GE(m["stages"][stage]["p95_ms"].get<double>(), m["stages"][stage]["p50_ms"].get<double>());
  }
  EXPECT_GT(m["fps"].get<double>(), 0.0);

  // faststart: the index (moov) precedes the media data (mdat).
  std::ifstream f(out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  const auto moov = bytes.find("moov");
  const auto mdat = bytes.find("mdat");
  ASSERT_NE(moov, std::string::npos);
  EXPECT_LT(moov, mdat);
}

TEST_F(Cli, EvalShowsBallInsideCropOn1080p) {
  const std::string track = path("eval_track.jsonl");
  ProcessResult r = ballcam({"run", "-i", path("clip1080.mp4"), "-o", path("eval.mp4"), "--track-out", track, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ProcessResult e = ballcam({"eval", "--truth", path("clip1080.jsonl"), "--track", track, "--json",
                             path("eval.json"), "--min-in-view", "0.95"});
  EXPECT_EQ(e.exit_code, 0) << e.out << e.err;
  std::ifstream in(path("eval.json"));
  const json j = json::parse(in);
  EXPECT_GE(j["ballcam"]["view"]["ball_in_view"].get<double>(), 0.95) << j.dump(2);
  // The smooth camera must be smoother than the naive one, in the same run.
  EXPECT_LT(j["ballcam"]["camera"]["jerk_rms_px_per_frame3"].get<double>(),
            j["naive_baseline"]["camera"]["jerk_rms_px_per_frame3"].get<double>());
  std::printf("%s\n", e.out.c_str());
}

// The foundation's detector bar, measured the way docs/BENCHMARKS.md does:
// an encoded 12 s 1080p match through `ballcam run`, then `ballcam eval
// --warmup 25` at 5 px, P and R >= 0.9. Seeds 9 and 27 are the closest to the
// bar (a ball dribbled at a player's feet; a standing ball merged with a sock).
TEST_F(Cli, ClassicalDetectorMeetsTheBarOnEncodedMatches) {
  for (const char* seed : {"9", "27"}) {
    const std::string stem = path(std::string("bar") + seed);
    const std::string clip = stem + ".mp4", truth = stem + ".jsonl", track = stem + "_track.jsonl";
    ProcessResult s = ballcam({"synth", "-o", clip, "--truth", truth, "--duration", "12", "--seed", seed, "--no-audio"});
    ASSERT_EQ(s.exit_code, 0) << s.err;
    ProcessResult r =
        ballcam({"run", "-i", clip, "-o", stem + "_out.mp4", "--track-out", track, "--preset", "ultrafast", "-q"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ProcessResult e = ballcam({"eval", "--truth", truth, "--track", track, "--warmup", "25", "--min-recall", "0.9",
                               "--min-precision", "0.9"});
    EXPECT_EQ(e.exit_code, 0) << "seed " << seed << "\n" << e.out << e.err;
  }
}

TEST_F(Cli, OutputSizeAndNoAudio) {
  const std::string out = path("small.mp4");
  ProcessResult r = ballcam({"run", "-i", path("clip720.mp4"), "-o", out, "--size", "640x360", "--no-audio",
                             "--max-frames", "30", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = probe(out);
  const json* v = stream_of(p, "video");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["width"], 640);
  EXPECT_EQ((*v)["height"], 360);
  EXPECT_EQ((*v)["nb_read_frames"], "30");
  EXPECT_EQ(stream_of(p, "audio"), nullptr);
}

TEST_F(Cli, ContainersChosenByExtension) {
  const std::pair<const char*, const char*> cases[] = {
      {"out.mkv", "matroska,webm"}, {"out.ts", "mpegts"}, {"out.flv", "flv"}, {"out.mov", "mov,mp4,m4a,3gp,3g2,mj2"}};
  for (const auto& [name, format] : cases) {
    ProcessResult r = ballcam({"run", "-i", path("clip720.mp4"), "-o", path(name), "--max-frames", "25", "-q"});
    ASSERT_EQ(r.exit_code, 0) << name << ": " << r.err;
    const json p = probe(path(name));
    EXPECT_EQ(p["format"]["format_name"], format) << name;
    EXPECT_NE(stream_of(p, "audio"), nullptr) << name;
    const json* v = stream_of(p, "video");
    ASSERT_NE(v, nullptr) << name;
    EXPECT_EQ((*v)["nb_read_frames"], "25") << name;
  }
}

TEST_F(Cli, YamlConfigAndFlagsOverrideIt) {
  const std::string cfg = path("cfg.yaml");
  std::ofstream(cfg) << "output:\n  size: 320x180\nencoder:\n  preset: ultrafast\n  crf: 30\npipeline:\n  max_frames: 20\n"
                        "camera:\n  smoothing_time_s: 0.5\n";
  ProcessResult r = ballcam({"run", "-c", cfg, "-i", path("clip720.mp4"), "-o", path("cfg.mp4"), "--size", "480x270", "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = probe(path("cfg.mp4"));
  const json* v = stream_of(p, "video");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["width"], 480);
  EXPECT_EQ((*v)["nb_read_frames"], "20");
}

TEST_F(Cli, BadConfigValuesAreOneLineErrors) {
  const std::string out = path("never.mp4");
  expect_clean_failure(ballcam({"run", "-i", path("clip720.mp4"), "-o", out, "--crf", "99"}), 2, out, "encoder.crf");
  expect_clean_failure(ballcam({"run", "-i", path("clip720.mp4"), "-o", out, "--size", "13x7"}), 2, out, "output.size");
  expect_clean_failure(ballcam({"run", "-i", path("clip720.mp4"), "-o", out, "--device", "tpu"}), 2, out, "device");
  expect_clean_failure(ballcam({"run", "-i", path("clip720.mp4"), "-o", out, "--detector", "nope"}), 2, out, "nope");
  const std::string cfg = path("bad.yaml");
  std::ofstream(cfg) << "encoder:\n  crff: 20\n";
  expect_clean_failure(ballcam({"run", "-c", cfg, "-i", path("clip720.mp4"), "-o", out}), 2, out, "encoder.crff");
  std::ofstream(cfg) << "tracker:\n  gate_sigma: lots\n";
  expect_clean_failure(ballcam({"run", "-c", cfg, "-i", path("clip720.mp4"), "-o", out}), 2, out, "tracker.gate_sigma");
  std::ofstream(cfg) << "encoder: [1, 2\n";
  expect_clean_failure(ballcam({"run", "-c", cfg, "-i", path("clip720.mp4"), "-o", out}), 2, out, "YAML");
  ProcessResult missing_out = ballcam({"run", "-i", path("clip720.mp4")});
  EXPECT_EQ(missing_out.exit_code, 2);
}

TEST_F(Cli, BadInputsAreOneLineErrors) {
  const std::string out = path("never.mp4");
  expect_clean_failure(ballcam({"run", "-i", path("does-not-exist.mp4"), "-o", out}), 3, out, "does-not-exist.mp4");

  std::ofstream(path("empty.mp4")).close();
  expect_clean_failure(ballcam({"run", "-i", path("empty.mp4"), "-o", out}), 3, out, "empty.mp4");

  std::ofstream(path("notes.mp4")) << "this is not a video, just some text\n";
  expect_clean_failure(ballcam({"run", "-i", path("notes.mp4"), "-o", out}), 3, out, "notes.mp4");

  ASSERT_EQ(run_process({"ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=1", "-c:a",
                         "aac", path("audio_only.m4a")})
                .exit_code,
            0);
  expect_clean_failure(ballcam({"run", "-i", path("audio_only.m4a"), "-o", out}), 3, out, "video");

  // Truncated: the first third of an mp4 whose index sits at the end.
  ASSERT_EQ(run_process({"ffmpeg", "-v", "error", "-y", "-i", path("clip720.mp4"), "-c", "copy", path("tail_moov.mp4")})
                .exit_code,
            0);
  {
    std::ifstream in(path("tail_moov.mp4"), std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(path("truncated.mp4"), std::ios::binary) << bytes.substr(0, bytes.size() / 3);
  }
  expect_clean_failure(ballcam({"run", "-i", path("truncated.mp4"), "-o", out}), 3, out, "truncated.mp4");

  expect_clean_failure(ballcam({"run", "-i", "rtsp://127.0.0.1:9/none", "-o", out, "--input-timeout-ms", "2000"}), 3,
                       out, "rtsp://127.0.0.1:9/none");
}

TEST_F(Cli, UnwritableOutputIsAnErrorAndLeavesNothing) {
  expect_clean_failure(ballcam({"run", "-i", path("clip720.mp4"), "-o", "/nonexistent-dir/out.mp4"}), 4,
                       "/nonexistent-dir/out.mp4", "/nonexistent-dir/out.mp4");
  expect_clean_failure(
      ballcam({"run", "-i", path("clip720.mp4"), "-o", path("x.mp4"), "--track-out", "/nonexistent-dir/t.jsonl"}), 4,
      path("x.mp4"), "/nonexistent-dir/t.jsonl");
}

TEST_F(Cli, CorruptMiddleStillGivesAValidVideo) {
  std::ifstream in(path("clip720.mp4"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (std::size_t i = bytes.size() / 3; i < bytes.size() / 3 + 20000 && i < bytes.size(); i += 97) bytes[i] ^= 0x5a;
  std::ofstream(path("corrupt.mp4"), std::ios::binary) << bytes;
  const std::string out = path("corrupt_out.mp4");
  ProcessResult r = ballcam({"run", "-i", path("corrupt.mp4"), "-o", out, "-q"}, 300);
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 3) << r.err;
  if (fs::exists(out)) {
    const json p = probe(out);
    const json* v = stream_of(p, "video");
    ASSERT_NE(v, nullptr);
    EXPECT_GT(std::stoi((*v)["nb_read_frames"].get<std::string>()), 100);
  }
}

TEST_F(Cli, SigintFinalisesTheOutput) {
  const std::string out = path("interrupted.mp4");
  // Interrupt once the run has written some frames (~100 kB of output).
  ProcessResult r = ballcam({"run", "-i", path("clip1080.mp4"), "-o", out, "-q"}, 300, 0.5, SIGINT, out, 100000);
  ASSERT_EQ(r.exit_code, 130) << r.err;
  const json p = probe(out);
  const json* v = stream_of(p, "video");
  ASSERT_NE(v, nullptr) << "output not finalised";
  const int frames = std::stoi((*v)["nb_read_frames"].get<std::string>());
  EXPECT_GT(frames, 0);
  EXPECT_LT(frames, 250);
  std::ifstream f(out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), {});
  EXPECT_NE(bytes.find("moov"), std::string::npos);
}

TEST_F(Cli, RealFootageGives720pWithAudio) {
  const std::string input = std::string(BALLCAM_SHARED_DIR) + "/footage/rubi_football.mp4";
  if (!fs::exists(input)) GTEST_SKIP() << input << " not present";
  const std::string out = path("rubi.mp4");
  ProcessResult r = ballcam({"run", "-i", input, "-o", out, "-q"}, 600);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const json p = probe(out);
  const json* v = stream_of(p, "video");
  ASSERT_NE(v, nullptr);
  EXPECT_EQ((*v)["width"], 1280);
  EXPECT_EQ((*v)["height"], 720);
  EXPECT_GE(std::stoi((*v)["nb_read_frames"].get<std::string>()), 835);  // 854 packets, 840 after the edit list
  ASSERT_NE(stream_of(p, "audio"), nullptr);
  EXPECT_NEAR(std::stod(p["format"]["duration"].get<std::string>()), 28.5, 0.5);
}

TEST_F(Cli, LiveInputDropsOldestFramesAndCountsThem) {
  // A file read as if live: the source never waits, so analysis falls behind
  // and the queue in front of it drops its oldest frames. Nothing is lost
  // silently: every frame read is either written or counted as dropped.
  const std::string metrics = path("live_metrics.json");
  ProcessResult r = ballcam({"run", "-i", path("clip1080.mp4"), "-o", path("live.mp4"), "--live", "yes",
                             "--metrics-json", metrics, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(metrics);
  const json m = json::parse(in);
  const auto frames_in = m["counters"]["frames_in"].get<std::int64_t>();
  const auto frames_out = m["counters"]["frames_out"].get<std::int64_t>();
  const auto dropped = m["counters"]["frames_dropped"].get<std::int64_t>();
  EXPECT_EQ(frames_in, 250);
  EXPECT_GT(frames_out, 0);
  EXPECT_EQ(frames_in, frames_out + dropped);
  EXPECT_TRUE(m["input"]["live"].get<bool>());
  const json p = probe(path("live.mp4"));
  const json* v = stream_of(p, "video");
  ASSERT_NE(v, nullptr);
  // A slow machine (or a sanitizer build) can starve the writer for longer
  // than the gap-fill delay: the repeated pictures are written too, and counted.
  const auto gap_frames = m["counters"].value("gap_frames", std::int64_t{0});
  EXPECT_EQ(std::stoll((*v)["nb_read_frames"].get<std::string>()), frames_out + gap_frames);
}

TEST_F(Cli, LiveOutputKeepsItsCadenceWhenFramesAreDropped) {
  // The same file read as live, with the repeat delay at its minimum (50 ms):
  // every hole that dropping frames leaves in the timeline (two frame periods
  // or more) is filled with the last picture, so the output runs at a constant
  // 25 fps from its first to its last packet.
  const std::string cfg = path("cadence.yaml");
  std::ofstream(cfg) << "live:\n  repeat_after_ms: 50\n";
  const std::string out = path("cadence.mp4");
  const std::string metrics = path("cadence_metrics.json");
  ProcessResult r = ballcam({"run", "-c", cfg, "-i", path("clip1080.mp4"), "-o", out, "--live", "yes",
                             "--metrics-json", metrics, "-q"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(metrics);
  const json m = json::parse(in);
  const auto frames_out = m["counters"]["frames_out"].get<std::int64_t>();
  const auto gap_frames = m["counters"].value("gap_frames", std::int64_t{0});
  ProcessResult p = run_process({"ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time",
                                 "-of", "csv=p=0", out});
  ASSERT_EQ(p.exit_code, 0) << p.err;
  std::vector<double> pts;
  std::istringstream lines(p.out);
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) pts.push_back(std::stod(line));
  std::sort(pts.begin(), pts.end());
  ASSERT_EQ(static_cast<std::int64_t>(pts.size()), frames_out + gap_frames);
  ASSERT_GT(pts.size(), 10U);
  for (std::size_t i = 1; i < pts.size(); ++i) {
    ASSERT_NEAR(pts[i] - pts[i - 1], 0.04, 0.002) << "packet " << i << " of " << pts.size() << ", "
                                                   << m["counters"].value("frames_dropped", std::int64_t{0})
                                                   << " frames dropped, " << gap_frames << " filled";
  }
}

TEST_F(Cli, HelpAnswersForEveryCommand) {
  for (const char* cmd : {"run", "demo", "synth", "eval", "options", "bench", "doctor"}) {
    ProcessResult r = ballcam({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    EXPECT_NE(r.out.find("--"), std::string::npos) << cmd;
  }
  ProcessResult top = ballcam({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_NE(top.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(ballcam({}).exit_code, 2);
}

// `ballcam bench`: every stage alone, a table and JSON; the slowest stage is
// named, nothing is left behind, and bad input is a one-line error.
TEST_F(Cli, BenchTimesEachStageAlone) {
  const std::string out = path("bench.json");
  ProcessResult r = ballcam({"bench", "-i", path("clip720.mp4"), "--frames", "40", "--device", "cpu", "--bench-json", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("device cpu: decode libavcodec"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("slowest stage alone:"), std::string::npos) << r.out;
  std::ifstream in(out);
  ASSERT_TRUE(in);
  const json j = json::parse(in);
  EXPECT_EQ(j["path"], "cpu");
  EXPECT_EQ(j["width"], 1280);
  for (const char* stage : {"decode", "detect", "render", "encode"}) {
    ASSERT_TRUE(j["stages"].contains(stage)) << stage;
    EXPECT_EQ(j["stages"][stage]["frames"], 40) << stage;
    EXPECT_GT(j["stages"][stage]["fps"].get<double>(), 0.0) << stage;
  }
  EXPECT_EQ(j["bytes_host_to_device"], 0);
  EXPECT_EQ(j["bytes_device_to_host"], 0);

  ProcessResult bad = ballcam({"bench", "-i", path("missing.mp4")});
  EXPECT_EQ(bad.exit_code, 3) << bad.err;
  EXPECT_EQ(std::count(bad.err.begin(), bad.err.end(), '\n'), 1) << bad.err;
  ProcessResult no_input = ballcam({"bench"});
  EXPECT_EQ(no_input.exit_code, 2) << no_input.err;
}

TEST_F(Cli, DemoWritesItsFiles) {
  const std::string dir = path("demo");
  ProcessResult r = ballcam({"demo", "--out-dir", dir, "--duration", "3"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* f : {"demo.mp4", "demo_track.jsonl", "demo_metrics.json", "demo_eval.json"}) {
    EXPECT_TRUE(fs::exists(fs::path(dir) / f)) << f;
  }
  const json p = probe(dir + "/demo.mp4");
  EXPECT_NE(stream_of(p, "video"), nullptr);
}

}  // namespace
