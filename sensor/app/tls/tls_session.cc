#include "app/tls/tls_session.h"

#include <algorithm>

namespace vigie::app {

namespace tls {
TlsMetrics::TlsMetrics(metrics::CounterSet& set)
    : client_hellos(&set.Counter("vigie_tls_client_hellos_total", "TLS ClientHellos parsed")) {
  for (std::size_t i = 0; i < anomalies.size(); ++i)
    anomalies[i] = &set.Counter("vigie_tls_anomalies_total", "TLS oddities, by reason",
                                {{"reason", std::string(kAnomalyNames[i])}});
}
}  // namespace tls

namespace {
constexpr std::uint32_t kMaxRecord = (1u << 14) + 2048;
}

TlsSession::TlsSession(const AppContext& ctx, flow::Flow& /*flow*/)
    : metrics_(DecoderMetrics<tls::TlsMetrics>(ctx, tls::TlsMetrics::kSlot)) {}

void TlsSession::Done() {
  done_ = true;
  hs_ = {};
}

void TlsSession::Fail(tls::Anomaly a) {
  metrics_.anomalies[static_cast<std::size_t>(a)]->Inc();
  Done();
}

void TlsSession::OnData(flow::Flow& /*flow*/, flow::Direction dir, ByteView data) {
  if (done_ || dir != flow::Direction::kToServer) return;
  while (!data.empty() && !done_) {
    if (hdr_have_ < 5) {
      hdr_[hdr_have_++] = data[0];
      data = data.subspan(1);
      if (hdr_have_ == 1 && hs_.empty() && (hdr_[0] & 0x80) != 0) return Fail(tls::Anomaly::kSslv2Hello);
      if (hdr_have_ < 5) continue;
      if (hdr_[0] != 0x16 || hdr_[1] != 0x03) {
        return Fail(hs_.empty() ? tls::Anomaly::kNotTls : tls::Anomaly::kTruncatedHello);
      }
      record_left_ = LoadBe16(hdr_ + 3);
      if (record_left_ > kMaxRecord) return Fail(tls::Anomaly::kRecordTooLong);
      if (record_left_ == 0) hdr_have_ = 0;  // empty record: tolerated, next header
      continue;
    }
    std::size_t take = std::min<std::size_t>(record_left_, data.size());
    if (hs_.size() + take > kMaxHandshake) take = kMaxHandshake + 1 - hs_.size();  // enough to decide
    hs_.insert(hs_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
    data = data.subspan(take);
    record_left_ -= static_cast<std::uint32_t>(take);
    if (record_left_ == 0) hdr_have_ = 0;
    if (hs_.size() >= 4) {
      if (hs_[0] != 0x01) return Fail(tls::Anomaly::kNotClientHello);
      std::size_t len = LoadBe24(hs_.data() + 1);
      if (len + 4 > kMaxHandshake) return Fail(tls::Anomaly::kHelloTooLarge);
      if (hs_.size() >= len + 4) {
        hs_.resize(len + 4);
        return Parse();
      }
    }
  }
}

void TlsSession::Parse() {
  bool partial = false;
  auto hello = tls::ParseClientHello(ByteView(hs_).subspan(4), &partial);
  if (!hello) return Fail(tls::Anomaly::kMalformedHello);
  if (partial) metrics_.anomalies[static_cast<std::size_t>(tls::Anomaly::kMalformedHello)]->Inc();
  metrics_.client_hellos->Inc();
  hello_seen_ = true;
  ja4_ = tls::Ja4(*hello, 't');
  sni_ = std::move(hello->sni);
  alpn_ = std::move(hello->alpn);
  legacy_version_ = hello->legacy_version;
  version_ = tls::NegotiableVersion(*hello);
  Done();
}

void TlsSession::OnGap(flow::Flow& /*flow*/, flow::Direction dir, std::uint64_t /*length*/) {
  if (!done_ && dir == flow::Direction::kToServer) Fail(tls::Anomaly::kGap);
}

void TlsSession::OnClose(flow::Flow& /*flow*/) {
  if (!done_ && (hdr_have_ > 0 || !hs_.empty())) return Fail(tls::Anomaly::kTruncatedHello);
  Done();
}

}  // namespace vigie::app
