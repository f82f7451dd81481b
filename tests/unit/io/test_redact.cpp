// Credentials in URLs never reach a log line, an error or a metrics file:
// redact_url() and redact_urls_in() are what every printed URL goes through.
#include <gtest/gtest.h>

#include "io/media.hpp"

namespace ballcam::io {
namespace {

TEST(RedactUrl, UserAndPassword) {
  EXPECT_EQ(redact_url("rtsp://admin:s3cret@10.0.0.5:554/stream1"), "rtsp://10.0.0.5:554/stream1");
  EXPECT_EQ(redact_url("rtsp://admin:p@ss@word@cam/1"), "rtsp://cam/1");  // '@' inside the password
  EXPECT_EQ(redact_url("http://a:b@host"), "http://host");
  EXPECT_EQ(redact_url("srt://u:p@host:9000"), "srt://host:9000");
}

TEST(RedactUrl, RtmpStreamKeyInThePath) {
  EXPECT_EQ(redact_url("rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl-mnop"), "rtmp://a.rtmp.youtube.com/live2/***");
  EXPECT_EQ(redact_url("rtmps://live-api-s.facebook.com:443/rtmp/FB-1234-0-Abc"),
            "rtmps://live-api-s.facebook.com:443/rtmp/***");
  EXPECT_EQ(redact_url("RTMP://u:pw@127.0.0.1:1935/live/sk_live_123?bw=1&token=zz"),
            "RTMP://127.0.0.1:1935/live/***?bw=1&token=***");
  EXPECT_EQ(redact_url("rtmp://host/app/inst/key"), "rtmp://host/app/***");
  // Only the application: nothing secret to hide.
  EXPECT_EQ(redact_url("rtmp://host/live"), "rtmp://host/live");
  EXPECT_EQ(redact_url("rtmp://host/live/"), "rtmp://host/live/");
  EXPECT_EQ(redact_url("rtmp://host"), "rtmp://host");
  // Idempotent: a redacted URL stays as it is.
  EXPECT_EQ(redact_url("rtmp://host/live/***"), "rtmp://host/live/***");
}

TEST(RedactUrl, SecretQueryValues) {
  EXPECT_EQ(redact_url("srt://host:9000?mode=caller"), "srt://host:9000?mode=caller");
  EXPECT_EQ(redact_url("srt://host:9000?mode=caller&passphrase=topsecret1&latency=200"),
            "srt://host:9000?mode=caller&passphrase=***&latency=200");
  EXPECT_EQ(redact_url("srt://host:9000?streamid=#!::r=live/key,m=publish&pbkeylen=16"),
            "srt://host:9000?streamid=***&pbkeylen=***");
  EXPECT_EQ(redact_url("https://cdn/x.m3u8?Token=abc&X-Amz-Signature=f00&api_key=k&access_token=t&user=bob"),
            "https://cdn/x.m3u8?Token=***&X-Amz-Signature=***&api_key=***&access_token=***&user=bob");
  EXPECT_EQ(redact_url("rtsp://cam/live?password=pw&auth=1&channel=2"), "rtsp://cam/live?password=***&auth=***&channel=2");
  EXPECT_EQ(redact_url("http://host/v.mp4#access_token=abc"), "http://host/v.mp4#***");
  EXPECT_EQ(redact_url("http://host/path?x=@y"), "http://host/path?x=@y");
  EXPECT_EQ(redact_url("udp://239.0.0.1:1234?pkt_size=1316"), "udp://239.0.0.1:1234?pkt_size=1316");
}

TEST(RedactUrl, PlainPathsAndOddInputsAreKept) {
  EXPECT_EQ(redact_url("/videos/match.mp4"), "/videos/match.mp4");
  EXPECT_EQ(redact_url("match key=1.mp4"), "match key=1.mp4");
  EXPECT_EQ(redact_url(""), "");
  EXPECT_EQ(redact_url("://"), "://");
  EXPECT_EQ(redact_url("rtmp://@/"), "rtmp:///");
  EXPECT_EQ(redact_url("x://?"), "x://?");
  EXPECT_EQ(redact_url("x://h?&&=&a"), "x://h?&&=&a");
}

TEST(RedactUrl, EveryUrlInALine) {
  EXPECT_EQ(redact_urls_in("[rtsp @ 0x1] method DESCRIBE failed for rtsp://bob:pw@cam/1: 401\n"),
            "[rtsp @ 0x1] method DESCRIBE failed for rtsp://cam/1: 401\n");
  EXPECT_EQ(redact_urls_in("output 'rtmp://h/live/KEY': cannot open, input 'srt://h:1?passphrase=x'"),
            "output 'rtmp://h/live/***': cannot open, input 'srt://h:1?passphrase=***'");
  EXPECT_EQ(redact_urls_in("no url here"), "no url here");
  EXPECT_EQ(redact_urls_in("://"), "://");
}

}  // namespace
}  // namespace ballcam::io
