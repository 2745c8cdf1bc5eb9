#pragma once
// Fallback for TCP streams no decoder claimed (FTP data, custom sockets, unknown plaintext):
// each direction is one scanned unit (a ScanStream), reported as a TransactionEvent with
// app_proto kRaw at close, or every kUnitBytes so a long-lived stream reports as it goes.
// No event for a direction that carried no bytes. With scan_raw_streams = false the session
// only counts bytes (volume comes from the router anyway); without a scanner (tests) events
// carry bytes and an empty summary. A direction whose first bytes (past blanks and a UTF-8
// byte-order mark) are '{' or '[' — JSON lines from a log shipper, JSON-RPC — is JSON-unescaped
// before the scan, as a JSON HTTP body is (JsonSniff, JsonUnescaper: app/json_text.h); the
// decision holds for the whole stream.
#include <cstdint>
#include <optional>
#include <string>

#include "app/app_context.h"
#include "app/json_text.h"
#include "app/session.h"
#include "match/scanner.h"

namespace vigie::app {

struct RawMetrics {
  explicit RawMetrics(metrics::CounterSet& set)
      : bytes(set.Counter("vigie_raw_bytes_total", "Bytes of unrecognised TCP streams")),
        scanned(set.Counter("vigie_raw_scanned_bytes_total", "Raw-stream bytes fed to the PII scanner")),
        events(set.Counter("vigie_raw_events_total", "TransactionEvents emitted for raw streams")),
        gaps(set.Counter("vigie_raw_gaps_total", "Holes in raw streams")) {}
  metrics::Cell& bytes;
  metrics::Cell& scanned;
  metrics::Cell& events;
  metrics::Cell& gaps;
};
inline constexpr std::size_t kRawMetricsSlot = 4;

class RawSession final : public AppSession {
 public:
  static constexpr std::uint64_t kUnitBytes = 16ull << 20;

  RawSession(const AppContext& ctx, flow::Flow& flow);
  void OnData(flow::Flow& flow, flow::Direction dir, ByteView data) override;
  void OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) override;
  void OnClose(flow::Flow& flow) override;
  track::AppProto proto() const override { return track::AppProto::kRaw; }

 private:
  void Emit(flow::Flow& flow, int d);
  const AppContext& ctx_;
  RawMetrics& metrics_;
  bool scan_enabled_;
  std::optional<match::ScanStream> scan_[2];
  JsonUnescaper json_[2];  // sniffing each direction's first bytes, then unescaping or not
  std::uint64_t unit_bytes_[2] = {0, 0};
};

}  // namespace vigie::app
