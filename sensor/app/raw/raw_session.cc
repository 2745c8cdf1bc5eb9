#include "app/raw/raw_session.h"

#include "app/data_path.h"

namespace vigie::app {

RawSession::RawSession(const AppContext& ctx, flow::Flow&)
    : ctx_(ctx),
      metrics_(DecoderMetrics<RawMetrics>(ctx, kRawMetricsSlot)),
      scan_enabled_(ctx.config->scan_raw_streams) {
  for (JsonUnescaper& j : json_) j.Begin("", "");  // no type: sniffed
}

void RawSession::OnData(flow::Flow& flow, flow::Direction dir, ByteView data) {
  const int d = flow::Index(dir);
  metrics_.bytes.Inc(data.size());
  if (!scan_enabled_) {
    unit_bytes_[d] += data.size();
    return;
  }
  while (!data.empty()) {
    // Units are cut at kUnitBytes exactly so the chunking of the input does not matter.
    const std::size_t room = static_cast<std::size_t>(kUnitBytes - unit_bytes_[d]);
    const ByteView piece = data.first(std::min(room, data.size()));
    if (!scan_[d] && ctx_.scanner) scan_[d].emplace(*ctx_.scanner);
    if (scan_[d]) {
      json_[d].Feed(piece, [&](ByteView v) { scan_[d]->Feed(v); });
      metrics_.scanned.Inc(piece.size());
    }
    unit_bytes_[d] += piece.size();
    data = data.subspan(piece.size());
    if (unit_bytes_[d] == kUnitBytes) Emit(flow, d);
  }
}

void RawSession::OnGap(flow::Flow&, flow::Direction dir, std::uint64_t) {
  metrics_.gaps.Inc();
  const int d = flow::Index(dir);
  if (!scan_[d]) return;
  json_[d].Flush([&](ByteView v) { scan_[d]->Feed(v); });  // a held partial escape, verbatim
  scan_[d]->Gap();
}

void RawSession::OnClose(flow::Flow& flow) {
  Emit(flow, 0);
  Emit(flow, 1);
}

void RawSession::Emit(flow::Flow& flow, int d) {
  if (unit_bytes_[d] == 0 || !scan_enabled_) {
    unit_bytes_[d] = 0;
    return;
  }
  track::TransactionEvent e;
  e.ts = flow.last_seen;
  const auto dir = static_cast<flow::Direction>(d);
  e.path = MakeDataPath(flow, dir);
  e.app_proto = track::AppProto::kRaw;
  e.client_ip = flow.client.ip;
  e.bytes = unit_bytes_[d];
  if (scan_[d]) {
    json_[d].Flush([&](ByteView v) { scan_[d]->Feed(v); });
    e.pii = scan_[d]->Finish();
  }
  e.detail = dir == flow::Direction::kToServer ? "raw client->server" : "raw server->client";
  unit_bytes_[d] = 0;
  metrics_.events.Inc();
  if (ctx_.events) ctx_.events->OnTransaction(e);
}

}  // namespace vigie::app
