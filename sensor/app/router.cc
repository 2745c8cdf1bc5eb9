#include "app/router.h"

#include <algorithm>
#include <cstring>

#include "app/data_path.h"
#include "app/detect.h"
#include "app/http/http_session.h"
#include "app/raw/raw_session.h"

#if __has_include("app/smtp/smtp_session.h")
#include "app/smtp/smtp_session.h"
#define VIGIE_HAVE_SMTP 1
#endif
#if __has_include("app/tls/tls_session.h")
#include "app/tls/tls_session.h"
#define VIGIE_HAVE_TLS 1
#endif
#if __has_include("app/dns/dns_session.h")
#include "app/dns/dns_session.h"
#define VIGIE_HAVE_DNS 1
#endif

namespace vigie::app {

namespace {
constexpr std::size_t kRouterMetricsSlot = 5;

// Encrypted or otherwise opaque stream: volume only (used for TLS while no TLS decoder exists).
class VolumeOnlySession final : public AppSession {
 public:
  explicit VolumeOnlySession(track::AppProto p) : proto_(p) {}
  void OnData(flow::Flow&, flow::Direction, ByteView) override {}
  void OnGap(flow::Flow&, flow::Direction, std::uint64_t) override {}
  void OnClose(flow::Flow&) override {}
  track::AppProto proto() const override { return proto_; }

 private:
  track::AppProto proto_;
};
}  // namespace

RouterMetrics::RouterMetrics(metrics::CounterSet& set)
    : detect_unknown(set.Counter("vigie_app_detect_unknown_total", "TCP flows whose first bytes matched no protocol")),
      volume_events(set.Counter("vigie_app_volume_events_total", "VolumeEvents emitted")),
      udp_ignored(set.Counter("vigie_app_udp_ignored_total", "UDP datagrams with no content decoder")) {
  for (std::size_t i = 0; i < flows.size(); ++i)
    flows[i] = &set.Counter("vigie_app_flows_total", "Flows by detected application protocol",
                            {{"proto", std::string(track::AppProtoName(static_cast<track::AppProto>(i)))}});
}

// Flow::app of every flow the router saw.
struct AppRouter::State final : flow::FlowAppState {
  std::unique_ptr<AppSession> session;
  track::AppProto proto = track::AppProto::kUnknown;  // decided protocol (kUnknown: not yet)
  bool decided = false;
  // Detection buffers: the first bytes of each direction until the protocol is known.
  std::uint8_t buf[2][kDetectMaxBytes];
  std::uint8_t buf_len[2] = {0, 0};
  // Volume accounting per direction.
  std::uint64_t seen[2] = {0, 0};
  std::uint64_t unreported[2] = {0, 0};
  Timestamp window_start[2] = {0, 0};
};

AppRouter::AppRouter(const AppContext& ctx)
    : ctx_(ctx), metrics_(DecoderMetrics<RouterMetrics>(ctx, kRouterMetricsSlot)) {}

AppRouter::State& AppRouter::StateOf(flow::Flow& flow) {
  if (!flow.app) flow.app = std::make_unique<State>();
  return static_cast<State&>(*flow.app);
}

AppSession* AppRouter::SessionOf(const flow::Flow& flow) {
  return flow.app ? static_cast<const State&>(*flow.app).session.get() : nullptr;
}

std::unique_ptr<AppSession> AppRouter::MakeSession(flow::Flow& flow, track::AppProto proto) {
  switch (proto) {
    case track::AppProto::kHttp:
      return std::make_unique<http::HttpSession>(ctx_, flow);
    case track::AppProto::kSmtp:
#ifdef VIGIE_HAVE_SMTP
      return std::make_unique<SmtpSession>(ctx_, flow);
#else
      break;
#endif
    case track::AppProto::kTls:
#ifdef VIGIE_HAVE_TLS
      return std::make_unique<TlsSession>(ctx_, flow);
#else
      return std::make_unique<VolumeOnlySession>(track::AppProto::kTls);
#endif
    case track::AppProto::kDns:
#ifdef VIGIE_HAVE_DNS
      return std::make_unique<DnsTcpSession>(ctx_, flow);
#else
      break;
#endif
    default:
      break;
  }
  return std::make_unique<RawSession>(ctx_, flow);
}

void AppRouter::Decide(flow::Flow& flow, State& st, track::AppProto proto) {
  if (proto == track::AppProto::kUnknown || proto == track::AppProto::kRaw) {
    metrics_.detect_unknown.Inc();
    proto = track::AppProto::kRaw;
  }
  st.decided = true;
  st.session = MakeSession(flow, proto);
  st.proto = st.session->proto();
  metrics_.flows[static_cast<std::size_t>(st.proto)]->Inc();
  // Replay what detection held back, client side first (requests precede responses).
  for (int d = 0; d < 2; ++d) {
    if (st.buf_len[d] == 0) continue;
    const std::uint8_t n = st.buf_len[d];
    st.buf_len[d] = 0;
    st.session->OnData(flow, static_cast<flow::Direction>(d), ByteView(st.buf[d], n));
  }
}

void AppRouter::OnData(flow::Flow& flow, flow::Direction dir, std::span<const std::uint8_t> data) {
  if (data.empty()) return;
  State& st = StateOf(flow);
  if (st.decided) {
    if (st.session) st.session->OnData(flow, dir, data);
    return;
  }
  const int d = flow::Index(dir);
  track::AppProto proto;
  if (st.buf_len[d] == 0) {
    proto = DetectTcp(data, dir, flow.server.port);
    if (proto == track::AppProto::kUnknown && data.size() >= kDetectMaxBytes) proto = track::AppProto::kRaw;
    if (proto == track::AppProto::kUnknown) {
      std::memcpy(st.buf[d], data.data(), data.size());
      st.buf_len[d] = static_cast<std::uint8_t>(data.size());
      return;
    }
  } else {
    // Detect on held bytes + the start of this chunk; on a decision the held bytes are
    // replayed and then the whole chunk is delivered.
    std::uint8_t tmp[kDetectMaxBytes];
    const std::size_t held = st.buf_len[d];
    const std::size_t add = std::min(data.size(), kDetectMaxBytes - held);
    std::memcpy(tmp, st.buf[d], held);
    std::memcpy(tmp + held, data.data(), add);
    proto = DetectTcp(ByteView(tmp, held + add), dir, flow.server.port);
    if (proto == track::AppProto::kUnknown && held + add >= kDetectMaxBytes) proto = track::AppProto::kRaw;
    if (proto == track::AppProto::kUnknown) {
      std::memcpy(st.buf[d] + held, data.data(), add);
      st.buf_len[d] = static_cast<std::uint8_t>(held + add);
      return;
    }
  }
  Decide(flow, st, proto);
  st.session->OnData(flow, dir, data);
}

void AppRouter::OnGap(flow::Flow& flow, flow::Direction dir, std::uint64_t length) {
  State& st = StateOf(flow);
  if (!st.decided) {
    // Decide with what we have: a hole this early leaves nothing better to wait for.
    const int d = flow::Index(dir);
    track::AppProto proto = DetectTcp(ByteView(st.buf[d], st.buf_len[d]), dir, flow.server.port);
    Decide(flow, st, proto);
  }
  if (st.session) st.session->OnGap(flow, dir, length);
}

void AppRouter::OnDatagram(flow::Flow& flow, flow::Direction dir, std::span<const std::uint8_t> data) {
  State& st = StateOf(flow);
  if (!st.decided) {
    st.decided = true;
    const bool dns = flow.client.port == 53 || flow.server.port == 53 || LooksLikeDnsDatagram(data);
    st.proto = dns ? track::AppProto::kDns : track::AppProto::kUnknown;
    metrics_.flows[static_cast<std::size_t>(st.proto)]->Inc();
  }
#ifdef VIGIE_HAVE_DNS
  if (st.proto == track::AppProto::kDns) {
    HandleDnsDatagram(ctx_, flow, dir, data);
    return;
  }
#else
  (void)dir;
#endif
  metrics_.udp_ignored.Inc();
}

void AppRouter::OnPacket(flow::Flow& flow, flow::Direction dir) {
  State& st = StateOf(flow);
  const int d = flow::Index(dir);
  const std::uint64_t total = flow.payload_bytes[d];
  if (total <= st.seen[d]) return;
  if (st.unreported[d] == 0) st.window_start[d] = flow.last_seen;
  st.unreported[d] += total - st.seen[d];
  st.seen[d] = total;
  const AppConfig& cfg = *ctx_.config;
  if (st.unreported[d] >= cfg.volume_report_bytes ||
      flow.last_seen - st.window_start[d] >= Seconds(cfg.volume_report_seconds))
    ReportVolume(flow, st, d);
}

void AppRouter::ReportVolume(flow::Flow& flow, State& st, int d) {
  if (st.unreported[d] == 0) return;
  track::VolumeEvent e;
  e.ts = flow.last_seen;
  e.path = MakeDataPath(flow, static_cast<flow::Direction>(d));
  e.bytes = st.unreported[d];
  e.app_proto = st.proto;
  if (st.session) e.sni = std::string(st.session->server_name());
  st.unreported[d] = 0;
  metrics_.volume_events.Inc();
  if (ctx_.events) ctx_.events->OnVolume(e);
}

void AppRouter::OnClose(flow::Flow& flow, flow::CloseReason) {
  State& st = StateOf(flow);
  if (!st.decided && (st.buf_len[0] > 0 || st.buf_len[1] > 0)) {
    const int d = st.buf_len[0] > 0 ? 0 : 1;
    Decide(flow, st, DetectTcp(ByteView(st.buf[d], st.buf_len[d]), static_cast<flow::Direction>(d), flow.server.port));
  }
  if (st.session) st.session->OnClose(flow);
  ReportVolume(flow, st, 0);
  ReportVolume(flow, st, 1);
  flow.app.reset();  // the session's memory goes now, not when the table recycles the flow
}

}  // namespace vigie::app
