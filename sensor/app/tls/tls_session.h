#pragma once
// TLS: reads the client's ClientHello (record type 0x16, handshake type 1) from the
// client→server stream, however it is split into records and segments, buffering at most
// kMaxHandshake bytes of it; then the flow is volume-only. Encrypted payload is never scanned
// and nothing of the server direction is parsed.
//
// Metrics: vigie_tls_client_hellos_total, vigie_tls_anomalies_total{reason}.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "app/app_context.h"
#include "app/session.h"
#include "app/tls/client_hello.h"

namespace vigie::app {

namespace tls {
enum class Anomaly : std::uint8_t {
  kNotTls,            // first client record is not a handshake (or not version 3.x)
  kSslv2Hello,        // SSL 2.0-compatible hello: not parsed
  kNotClientHello,    // first handshake message is not a ClientHello
  kRecordTooLong,     // record length above 2^14 + 2048
  kHelloTooLarge,     // ClientHello bigger than kMaxHandshake
  kTruncatedHello,    // stream ended or changed record type before the hello was complete
  kMalformedHello,    // fixed fields overrun, or extensions malformed (what parsed is kept)
  kGap,               // bytes lost before the hello was complete
  kCount
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(Anomaly::kCount)> kAnomalyNames = {
    "not_tls", "sslv2_hello", "not_client_hello", "record_too_long", "hello_too_large", "truncated_hello",
    "malformed_hello", "gap"};

class TlsMetrics {
 public:
  static constexpr std::size_t kSlot = 2;  // AppContext::metric_slots index
  explicit TlsMetrics(metrics::CounterSet& set);
  metrics::Cell* client_hellos;
  std::array<metrics::Cell*, static_cast<std::size_t>(Anomaly::kCount)> anomalies{};
};
}  // namespace tls

class TlsSession : public AppSession {
 public:
  static constexpr std::size_t kMaxHandshake = 16 * 1024;

  TlsSession(const AppContext& ctx, flow::Flow& flow);
  void OnData(flow::Flow& flow, flow::Direction dir, ByteView data) override;
  void OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) override;
  void OnClose(flow::Flow& flow) override;
  track::AppProto proto() const override { return track::AppProto::kTls; }
  std::string_view server_name() const override { return sni_; }

  // Known once the ClientHello was parsed (hello_seen()); empty before.
  bool hello_seen() const { return hello_seen_; }
  std::string_view sni() const { return sni_; }
  const std::vector<std::string>& alpn() const { return alpn_; }
  std::string_view ja4() const { return ja4_; }
  std::uint16_t legacy_version() const { return legacy_version_; }
  std::uint16_t version() const { return version_; }  // highest supported_versions, else legacy

 private:
  void Fail(tls::Anomaly a);
  void Done();
  void Parse();

  tls::TlsMetrics& metrics_;
  bool done_ = false;  // volume only from here on
  bool hello_seen_ = false;
  std::uint8_t hdr_[5] = {};
  std::uint8_t hdr_have_ = 0;
  std::uint32_t record_left_ = 0;
  std::vector<std::uint8_t> hs_;  // handshake bytes gathered so far (<= kMaxHandshake)
  std::string sni_;
  std::vector<std::string> alpn_;
  std::string ja4_;
  std::uint16_t legacy_version_ = 0;
  std::uint16_t version_ = 0;
};

}  // namespace vigie::app
