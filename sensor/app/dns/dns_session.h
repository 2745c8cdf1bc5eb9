#pragma once
// DNS over UDP (one message per datagram) and TCP (RFC 1035 4.2.2: 2-byte length prefix,
// several messages per segment, messages split anywhere). Each query (QR=0) question becomes a
// track::DnsQueryEvent (src = the sender, i.e. the client); responses are counted by rcode.
//
// Metrics: vigie_dns_queries_total, vigie_dns_responses_total{rcode},
//          vigie_dns_anomalies_total{reason}.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "app/app_context.h"
#include "app/dns/dns_message.h"
#include "app/session.h"

namespace vigie::app {

namespace dns {
enum class TcpAnomaly : std::uint8_t { kEmptyMessage, kTcpGap, kCount };

class DnsMetrics {
 public:
  static constexpr std::size_t kSlot = 1;  // AppContext::metric_slots index
  static constexpr std::array<std::string_view, 7> kRcodeNames = {"noerror",  "formerr", "servfail", "nxdomain",
                                                                  "notimp", "refused", "other"};
  explicit DnsMetrics(metrics::CounterSet& set);
  metrics::Cell* queries;
  std::array<metrics::Cell*, kRcodeNames.size()> responses{};
  std::array<metrics::Cell*, static_cast<std::size_t>(DnsError::kCount)> parse_anomalies{};
  metrics::Cell* empty_message;
  metrics::Cell* tcp_gap;
  metrics::Cell* truncated_length;  // TCP stream ended inside a length-prefixed message
  // Reused parse target (a DnsMessage is ~4 KiB: not on every datagram's stack frame twice).
  DnsMessage scratch;
};

// Parses one message and emits its events. `proto` is 6 or 17.
void HandleDnsMessage(const AppContext& ctx, flow::Flow& flow, flow::Direction dir, ByteView message,
                      std::uint8_t proto);
}  // namespace dns

// UDP entry point (called by the router for each datagram of a DNS flow).
void HandleDnsDatagram(const AppContext& ctx, flow::Flow& flow, flow::Direction dir, ByteView datagram);

class DnsTcpSession : public AppSession {
 public:
  static constexpr std::size_t kMaxMessage = 65535;

  DnsTcpSession(const AppContext& ctx, flow::Flow& flow);
  void OnData(flow::Flow& flow, flow::Direction dir, ByteView data) override;
  void OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) override;
  void OnClose(flow::Flow& flow) override;
  track::AppProto proto() const override { return track::AppProto::kDns; }

 private:
  struct Side {
    std::uint8_t len_bytes[2] = {0, 0};
    std::uint8_t len_have = 0;
    std::uint32_t msg_len = 0;
    std::vector<std::uint8_t> buf;  // partial message (capacity grows to at most kMaxMessage)
    bool lost = false;              // framing lost after a gap: volume only
  };
  void Message(flow::Flow& flow, flow::Direction dir, ByteView msg);

  const AppContext& ctx_;
  dns::DnsMetrics& metrics_;
  std::array<Side, 2> sides_;
};

}  // namespace vigie::app
