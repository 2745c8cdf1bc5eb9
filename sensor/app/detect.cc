#include "app/detect.h"

#include <string_view>

#include "app/http/http_framer.h"

namespace vigie::app {

namespace {
using track::AppProto;

// 1 = matches, 0 = prefix (need more), -1 = no. Case-insensitive on letters.
int PrefixCi(ByteView d, std::string_view want) {
  const std::size_t n = std::min(d.size(), want.size());
  for (std::size_t i = 0; i < n; ++i) {
    char c = static_cast<char>(d[i]);
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != want[i]) return -1;
  }
  return d.size() >= want.size() ? 1 : 0;
}

int DetectTls(ByteView d) {
  if (d.empty()) return 0;
  if (d[0] != 0x16) return -1;
  if (d.size() < 2) return 0;
  if (d[1] != 0x03) return -1;
  if (d.size() < 3) return 0;
  if (d[2] > 0x04) return -1;
  if (d.size() < 6) return 0;
  return (d[5] == 1 || d[5] == 2) ? 1 : -1;
}

bool SmtpPort(std::uint16_t p) { return p == 25 || p == 587 || p == 465 || p == 2525; }

int DetectSmtpServer(ByteView d, std::uint16_t server_port) {
  const int v = std::max(PrefixCi(d, "220 "), PrefixCi(d, "220-"));
  if (v <= 0) return v;
  if (SmtpPort(server_port)) return 1;
  // Look for "SMTP" (covers ESMTP) on the banner line.
  std::string_view s = AsStringView(d);
  const auto nl = s.find('\n');
  const std::string_view line = s.substr(0, nl);
  for (std::size_t i = 0; i + 4 <= line.size(); ++i) {
    const std::string_view w = line.substr(i, 4);
    if ((w[0] | 0x20) == 's' && (w[1] | 0x20) == 'm' && (w[2] | 0x20) == 't' && (w[3] | 0x20) == 'p') return 1;
  }
  return nl == std::string_view::npos ? 0 : -1;
}

int DetectDnsTcp(ByteView d, std::uint16_t server_port) {
  if (server_port != 53) return -1;
  if (d.size() < 14) return 0;
  const std::uint16_t len = LoadBe16(d.data());
  if (len < 12) return -1;
  const std::uint16_t flags = LoadBe16(d.data() + 4);
  const unsigned opcode = (flags >> 11) & 0xf;
  const std::uint16_t qd = LoadBe16(d.data() + 6);
  if (opcode > 6 || qd > 16) return -1;
  return 1;
}
}  // namespace

track::AppProto DetectTcp(ByteView d, flow::Direction dir, std::uint16_t server_port) {
  if (d.empty()) return AppProto::kUnknown;
  bool maybe = false;
  auto check = [&](int v) {
    if (v == 0) maybe = true;
    return v > 0;
  };
  const std::string_view s = AsStringView(d);
  if (dir == flow::Direction::kToServer) {
    if (check(http::HttpFramer::LooksLikeRequestStart(s))) return AppProto::kHttp;
    if (check(std::max(PrefixCi(d, "EHLO "), PrefixCi(d, "HELO ")))) return AppProto::kSmtp;
  } else {
    if (check(http::HttpFramer::LooksLikeResponseStart(s))) return AppProto::kHttp;
    if (check(DetectSmtpServer(d, server_port))) return AppProto::kSmtp;
  }
  if (check(DetectTls(d))) return AppProto::kTls;
  if (check(DetectDnsTcp(d, server_port))) return AppProto::kDns;
  return maybe ? AppProto::kUnknown : AppProto::kRaw;
}

bool LooksLikeDnsDatagram(ByteView d) {
  if (d.size() < 17) return false;
  const std::uint16_t flags = LoadBe16(d.data() + 2);
  if ((flags & 0x8000) != 0 || ((flags >> 11) & 0xf) != 0) return false;  // a standard query
  if (LoadBe16(d.data() + 4) != 1 || LoadBe16(d.data() + 6) != 0 || LoadBe16(d.data() + 8) != 0 ||
      LoadBe16(d.data() + 10) > 1)
    return false;
  std::size_t i = 12;
  for (int labels = 0; labels < 128; ++labels) {
    if (i >= d.size()) return false;
    const std::uint8_t len = d[i];
    if (len == 0) return i + 5 <= d.size();
    if (len > 63) return false;
    for (std::size_t k = 1; k <= len; ++k) {
      if (i + k >= d.size()) return false;
      const std::uint8_t c = d[i + k];
      if (c <= 0x20 || c >= 0x7f) return false;
    }
    i += 1 + len;
  }
  return false;
}

}  // namespace vigie::app
