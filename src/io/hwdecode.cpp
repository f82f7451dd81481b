#include "io/hwdecode.hpp"

#include <algorithm>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/hwcontext.h>
#include <libavutil/imgutils.h>
#include <libavutil/pixdesc.h>
}

namespace ballcam::io {
namespace {

AVPixelFormat pick_cuda_format(AVCodecContext* /*ctx*/, const AVPixelFormat* formats) {
  for (const AVPixelFormat* f = formats; *f != AV_PIX_FMT_NONE; ++f) {
    if (*f == AV_PIX_FMT_CUDA) return *f;
  }
  // The hwaccel refused this stream (profile, size): FFmpeg then offers only
  // software formats, and the first is its native one.
  return formats[0];
}

}  // namespace

const char* to_string(DecodeMode mode) {
  switch (mode) {
    case DecodeMode::kCpu: return "cpu";
    case DecodeMode::kAuto: return "auto";
    case DecodeMode::kNvdec: return "nvdec";
  }
  return "?";
}

bool nvdec_codec(AVCodecID id) { return id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC; }

Status enable_nvdec(AVCodecContext* dec, int frames_in_flight) {
  const AVCodec* codec = dec->codec != nullptr ? dec->codec : avcodec_find_decoder(dec->codec_id);
  if (codec == nullptr || !nvdec_codec(codec->id)) {
    return error(ErrorCode::kUnavailable, std::string("NVDEC does not take codec ") + avcodec_get_name(dec->codec_id));
  }
  bool has_cuda_config = false;
  for (int i = 0;; ++i) {
    const AVCodecHWConfig* cfg = avcodec_get_hw_config(codec, i);
    if (cfg == nullptr) break;
    if (cfg->device_type == AV_HWDEVICE_TYPE_CUDA && (cfg->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0) {
      has_cuda_config = true;
    }
  }
  if (!has_cuda_config) {
    return error(ErrorCode::kUnavailable,
                 std::string("this FFmpeg build has no NVDEC hwaccel for ") + codec->name + " (built without --enable-nvdec)");
  }
  auto device = open_cuda_device();
  if (!device.ok()) return error(ErrorCode::kUnavailable, "NVDEC: " + device.status().message());
  // Device pointers of NVDEC frames are valid in the primary context.
  dec->hw_device_ctx = device.value().release();  // the codec context owns the reference now
  dec->get_format = &pick_cuda_format;
  // NVDEC takes at most 32 decode surfaces, and FFmpeg asks for the
  // stream's DPB (up to 16) + 2 + extra_hw_frames of them: more and
  // cuvidCreateDecoder fails with CUDA_ERROR_INVALID_VALUE (seen on the
  // H200 with 28 extra), after which FFmpeg silently decodes on the CPU.
  dec->extra_hw_frames = std::clamp(frames_in_flight, 0, kMaxExtraNvdecSurfaces);
  // The hwaccel decodes in order on the GPU; frame threads would only add
  // latency and surfaces.
  dec->thread_count = 1;
  return Status::Ok();
}

Result<ff::BufferRefPtr> open_cuda_device() {
  AVBufferRef* device = nullptr;
  // Value of AV_CUDA_USE_PRIMARY_CONTEXT (libavutil/hwcontext_cuda.h, which
  // needs cuda.h; FFmpeg >= 4.3).
  constexpr int kUsePrimaryContext = 1 << 0;
  const int rc = av_hwdevice_ctx_create(&device, AV_HWDEVICE_TYPE_CUDA, nullptr, nullptr, kUsePrimaryContext);
  if (rc < 0) {
    return error(ErrorCode::kUnavailable,
                 "cannot open a CUDA device (" + ff::error_string(rc) + "; no NVIDIA driver or GPU here?)");
  }
  return ff::BufferRefPtr(device);
}

Status use_cuda_nv12_frames(AVCodecContext* enc) {
  BALLCAM_ASSIGN_OR_RETURN(ff::BufferRefPtr device, open_cuda_device());
  ff::BufferRefPtr frames(av_hwframe_ctx_alloc(device.get()));
  if (!frames) return error(ErrorCode::kInternal, "out of memory");
  auto* ctx = reinterpret_cast<AVHWFramesContext*>(frames->data);
  ctx->format = AV_PIX_FMT_CUDA;
  ctx->sw_format = AV_PIX_FMT_NV12;
  ctx->width = enc->width;
  ctx->height = enc->height;
  const int rc = av_hwframe_ctx_init(frames.get());
  if (rc < 0) return error(ErrorCode::kUnavailable, "cannot make CUDA NV12 frames: " + ff::error_string(rc));
  enc->pix_fmt = AV_PIX_FMT_CUDA;
  enc->hw_frames_ctx = frames.release();  // the codec context owns it
  return Status::Ok();
}

bool is_nvenc(const std::string& encoder) { return encoder == "h264_nvenc" || encoder == "hevc_nvenc"; }

Result<ff::FramePtr> download_hw_frame(const AVFrame* hw, std::uint64_t* bytes) {
  ff::FramePtr sw = ff::make_frame();
  if (!sw) return error(ErrorCode::kInternal, "out of memory");
  const int rc = av_hwframe_transfer_data(sw.get(), hw, 0);
  if (rc < 0) return error(ErrorCode::kInputError, "cannot download an NVDEC frame: " + ff::error_string(rc));
  av_frame_copy_props(sw.get(), hw);
  if (bytes != nullptr) {
    const int size = av_image_get_buffer_size(static_cast<AVPixelFormat>(sw->format), sw->width, sw->height, 1);
    if (size > 0) *bytes += static_cast<std::uint64_t>(size);
  }
  return sw;
}

std::vector<std::string> ffmpeg_hw_device_types() {
  std::vector<std::string> out;
  for (AVHWDeviceType t = av_hwdevice_iterate_types(AV_HWDEVICE_TYPE_NONE); t != AV_HWDEVICE_TYPE_NONE;
       t = av_hwdevice_iterate_types(t)) {
    out.emplace_back(av_hwdevice_get_type_name(t));
  }
  return out;
}

std::vector<std::string> ffmpeg_video_encoders() {
  std::vector<std::string> out;
  void* it = nullptr;
  while (const AVCodec* c = av_codec_iterate(&it)) {
    if (av_codec_is_encoder(c) != 0 && c->type == AVMEDIA_TYPE_VIDEO) out.emplace_back(c->name);
  }
  return out;
}

std::vector<std::string> ffmpeg_hw_decoders() {
  std::vector<std::string> out;
  void* it = nullptr;
  while (const AVCodec* c = av_codec_iterate(&it)) {
    if (av_codec_is_decoder(c) == 0 || c->type != AVMEDIA_TYPE_VIDEO) continue;
    if ((c->capabilities & AV_CODEC_CAP_HARDWARE) != 0) {
      out.emplace_back(c->name);
      continue;
    }
    for (int i = 0;; ++i) {
      const AVCodecHWConfig* cfg = avcodec_get_hw_config(c, i);
      if (cfg == nullptr) break;
      if ((cfg->methods & AV_CODEC_HW_CONFIG_METHOD_HW_DEVICE_CTX) != 0) {
        out.push_back(std::string(c->name) + " (" + av_hwdevice_get_type_name(cfg->device_type) + ")");
      }
    }
  }
  return out;
}

Status try_open_encoder(const std::string& name, int width_px, int height_px, bool cuda_frames) {
  const AVCodec* codec = avcodec_find_encoder_by_name(name.c_str());
  if (codec == nullptr) return error(ErrorCode::kUnavailable, "this FFmpeg build has no encoder " + name);
  if (cuda_frames && !is_nvenc(name)) return error(ErrorCode::kInvalidArgument, name + " takes no CUDA frames");
  ff::CodecContextPtr enc(avcodec_alloc_context3(codec));
  if (!enc) return error(ErrorCode::kInternal, "out of memory");
  enc->width = width_px;
  enc->height = height_px;
  enc->time_base = AVRational{1, 25};
  enc->framerate = AVRational{25, 1};
  enc->pix_fmt = AV_PIX_FMT_YUV420P;
  if (codec->pix_fmts != nullptr) {
    enc->pix_fmt = codec->pix_fmts[0];
    for (const AVPixelFormat* f = codec->pix_fmts; *f != AV_PIX_FMT_NONE; ++f) {
      if (*f == AV_PIX_FMT_NV12 || *f == AV_PIX_FMT_YUV420P) {
        enc->pix_fmt = *f;
        break;
      }
    }
  }
  if (cuda_frames) BALLCAM_RETURN_IF_ERROR(use_cuda_nv12_frames(enc.get()));
  const int rc = avcodec_open2(enc.get(), codec, nullptr);
  if (rc < 0) return error(ErrorCode::kUnavailable, name + " does not open here: " + ff::error_string(rc));
  return Status::Ok();
}

}  // namespace ballcam::io
