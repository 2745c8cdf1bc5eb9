#pragma once
// Application-layer settings (parsed from the `app:` section of vigie.yaml by sensor/config/).
// Every default lives here.
#include <cstdint>
#include <string>
#include <vector>

namespace vigie::app {

struct AppConfig {
  // HTTP
  std::uint64_t http_body_limit = 0;               // 0 = scan bodies in full
  std::uint64_t decompress_max_output = 256ull << 20;  // per body, after inflate
  std::uint32_t decompress_max_ratio = 1000;       // output/input before it is called a bomb
  std::uint32_t max_header_bytes = 64 * 1024;      // per header block; more is an anomaly
  std::string jwt_claim = "sub";                   // account from a Bearer JWT
  std::vector<std::string> account_headers;        // e.g. "X-User" (value keyed-hashed)
  std::vector<std::string> account_cookies;        // e.g. "session"
  bool use_x_forwarded_for = false;                // client address from XFF / X-Real-IP
  // Raw fallback: scan unknown plaintext streams, and the bytes of HTTP flows the HTTP framer
  // cannot frame (false: counted only).
  bool scan_raw_streams = true;
  // Volume reports to the tracker: at most one per flow per this many bytes or seconds.
  std::uint64_t volume_report_bytes = 1 << 20;
  std::uint32_t volume_report_seconds = 10;
};

}  // namespace vigie::app
