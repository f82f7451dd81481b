#include "io/media.hpp"

#include <algorithm>
#include <cctype>
#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <utility>

#include "io/media_internal.hpp"

namespace ballcam::io {

AudioPacket::AudioPacket() = default;
AudioPacket::AudioPacket(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
AudioPacket::AudioPacket(AudioPacket&&) noexcept = default;
AudioPacket& AudioPacket::operator=(AudioPacket&&) noexcept = default;
AudioPacket::~AudioPacket() = default;

std::int64_t AudioPacket::pts_us() const {
  if (!impl_ || !impl_->packet) return 0;
  const AVPacket* p = impl_->packet.get();
  const std::int64_t ts = p->pts != AV_NOPTS_VALUE ? p->pts : p->dts;
  if (ts == AV_NOPTS_VALUE) return 0;
  return av_rescale_q(ts, impl_->time_base, AVRational{1, 1000000});
}

AudioStreamDescPtr make_pcm_audio_desc(int sample_rate_hz, int channels) {
  auto desc = std::make_shared<AudioStreamDesc>();
  desc->kind = AudioStreamDesc::Kind::kPcmFloatInterleaved;
  desc->par.reset(avcodec_parameters_alloc());
  if (!desc->par) return nullptr;
  desc->par->codec_type = AVMEDIA_TYPE_AUDIO;
  desc->par->codec_id = AV_CODEC_ID_PCM_F32LE;
  desc->par->format = AV_SAMPLE_FMT_FLT;
  desc->par->sample_rate = sample_rate_hz;
  av_channel_layout_default(&desc->par->ch_layout, channels);
  desc->time_base = AVRational{1, sample_rate_hz > 0 ? sample_rate_hz : 1};
  return desc;
}

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Query parameters whose value is a secret. Matched on the lower-cased name:
// exact names, then any name containing one of the fragments (api_key,
// access_token, x-amz-signature, stream_key, ...).
bool is_secret_query_key(const std::string& raw_key) {
  const std::string key = lower(raw_key);
  static constexpr const char* kExact[] = {"pass", "pwd", "auth", "key", "sig", "session", "sid", "jwt"};
  for (const char* k : kExact)
    if (key == k) return true;
  static constexpr const char* kFragments[] = {"pass", "secret", "token", "key", "auth", "signature", "credential",
                                               "streamid", "pwd"};
  for (const char* f : kFragments)
    if (key.find(f) != std::string::npos) return true;
  return false;
}

// RTMP carries the stream key in the path: rtmp://host/app/STREAMKEY (YouTube,
// Twitch, Facebook...). Everything after the application name is a secret.
bool key_in_path(const std::string& scheme) {
  const std::string s = lower(scheme);
  return s == "rtmp" || s == "rtmps" || s == "rtmpt" || s == "rtmpe" || s == "rtmpte" || s == "rtmpts";
}

}  // namespace

std::string url_scheme(const std::string& url) {
  const auto pos = url.find("://");
  return pos == std::string::npos ? std::string() : lower(url.substr(0, pos));
}

std::string redact_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  const std::string scheme = url_scheme(url);
  const auto authority_begin = scheme_end + 3;
  auto authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string::npos) authority_end = url.size();
  // user:password@ (the last '@' before the path: passwords may contain '@').
  std::string out = url;
  const auto at = url.rfind('@', authority_end == 0 ? 0 : authority_end - 1);
  if (at != std::string::npos && at >= authority_begin) {
    out = url.substr(0, authority_begin) + url.substr(at + 1);
    authority_end -= at + 1 - authority_begin;
  }
  // An http(s) fragment may hold a token too. Other schemes have no fragment
  // ('#' is data there: SRT's streamid "#!::r=...").
  std::string suffix;
  if (scheme == "http" || scheme == "https") {
    const auto hash = out.find('#', authority_end);
    if (hash != std::string::npos) {
      out.resize(hash);
      suffix = "#***";
    }
  }
  const auto query = out.find('?', authority_end);
  std::string result = out.substr(0, std::min(query, out.size()));
  // rtmp://host/app/KEY -> rtmp://host/app/***
  if (key_in_path(scheme) && authority_end < result.size() && result[authority_end] == '/') {
    const auto app_end = result.find('/', authority_end + 1);
    if (app_end != std::string::npos && app_end + 1 < result.size()) result = result.substr(0, app_end + 1) + "***";
  }
  // Secrets passed as query parameters (srt://...?passphrase=...&streamid=...).
  if (query != std::string::npos) {
    result += '?';
    std::size_t pos = query + 1;
    while (pos <= out.size()) {
      auto amp = out.find('&', pos);
      if (amp == std::string::npos) amp = out.size();
      const std::string param = out.substr(pos, amp - pos);
      const auto eq = param.find('=');
      result += eq != std::string::npos && is_secret_query_key(param.substr(0, eq)) ? param.substr(0, eq + 1) + "***"
                                                                                      : param;
      if (amp < out.size()) result += '&';
      pos = amp + 1;
    }
  }
  return result + suffix;
}

namespace {

// Applies redact_url() to every URL inside a free-form log line.
std::string redact_urls_in_impl(std::string line) {
  static constexpr const char* kDelims = " \t\n'\"<>[]()";
  std::size_t pos = 0;
  while ((pos = line.find("://", pos)) != std::string::npos) {
    const std::size_t before = line.find_last_of(kDelims, pos);
    const std::size_t begin = before == std::string::npos ? 0 : before + 1;
    std::size_t end = line.find_first_of(kDelims, pos);
    if (end == std::string::npos) end = line.size();
    const std::string clean = redact_url(line.substr(begin, end - begin));
    line.replace(begin, end - begin, clean);
    pos = begin + clean.size();
  }
  return line;
}

std::mutex g_log_mutex;
int g_print_prefix = 1;

void redacting_log_callback(void* avcl, int level, const char* fmt, va_list vl) {
  if (level > av_log_get_level()) return;
  char line[2048];
  std::lock_guard<std::mutex> lock(g_log_mutex);
  av_log_format_line2(avcl, level, fmt, vl, line, sizeof(line), &g_print_prefix);
  const std::string clean = redact_urls_in_impl(line);
  std::fputs(clean.c_str(), stderr);
}

}  // namespace

std::string redact_urls_in(std::string line) { return redact_urls_in_impl(std::move(line)); }

void install_log_filter() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_callback(&redacting_log_callback); });
}

void set_library_log_level(LibraryLogLevel level) {
  install_log_filter();
  switch (level) {
    case LibraryLogLevel::kQuiet: av_log_set_level(AV_LOG_QUIET); break;
    case LibraryLogLevel::kError: av_log_set_level(AV_LOG_ERROR); break;
    case LibraryLogLevel::kWarning: av_log_set_level(AV_LOG_WARNING); break;
    case LibraryLogLevel::kInfo: av_log_set_level(AV_LOG_INFO); break;
    case LibraryLogLevel::kDebug: av_log_set_level(AV_LOG_DEBUG); break;
  }
}

}  // namespace ballcam::io
