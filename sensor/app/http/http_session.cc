#include "app/http/http_session.h"

#include "app/data_path.h"
#include "app/http/account.h"
#include "app/http/body_observer.h"
#include "app/http/http_util.h"
#include "app/raw/raw_session.h"

namespace vigie::app::http {

namespace {
// "host/path" from the request target and Host header; the query string and fragment are
// dropped so no parameter value ends up in the event detail.
std::string Where(const HttpHead& h) {
  std::string_view target = h.target;
  std::string_view host = Trim(h.Get("host"));
  if (IStartsWith(target, "http://") || IStartsWith(target, "https://")) {
    target.remove_prefix(target.find("//") + 2);
    const auto slash = target.find('/');
    host = target.substr(0, slash);
    target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
  }
  target = target.substr(0, target.find_first_of("?#"));
  std::string out;
  out.reserve(host.size() + target.size());
  for (char c : host.substr(0, 255))
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) out.push_back(c);
  for (char c : target.substr(0, 512))
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) out.push_back(c);
  return out;
}

std::string_view MediaType(const HttpHead& h) {
  const std::string_view ct = h.Get("content-type");
  return Trim(ct.substr(0, ct.find(';')));
}

// Last coding of Transfer-Encoding is "chunked"?
bool EndsWithChunked(std::string_view te) {
  const auto comma = te.rfind(',');
  return IEquals(Trim(comma == std::string_view::npos ? te : te.substr(comma + 1)), "chunked");
}
}  // namespace

HttpSession::Side::Side(HttpSession& session, flow::Direction d)
    : s(session),
      dir(d),
      framer(d == flow::Direction::kToServer, session.ctx_.config->max_header_bytes, *this),
      body(session.ctx_.scanner, session.metrics_) {
  if (session.ctx_.http_bodies != nullptr) body.SetObserver(session.ctx_.http_bodies, &session.flow_, d);
}

HttpSession::HttpSession(const AppContext& ctx, flow::Flow& flow)
    : ctx_(ctx),
      flow_(flow),
      metrics_(DecoderMetrics<HttpMetrics>(ctx, kHttpMetricsSlot)),
      sides_{Side(*this, flow::Direction::kToServer), Side(*this, flow::Direction::kToClient)} {}

void HttpSession::OnData(flow::Flow&, flow::Direction dir, ByteView data) { sides_[flow::Index(dir)].framer.Feed(data); }

void HttpSession::OnGap(flow::Flow&, flow::Direction dir, std::uint64_t length) {
  Side& side = sides_[flow::Index(dir)];
  side.framer.Gap(length);  // may first report the bytes it held as unframed
  if (side.raw_bytes > 0 && side.raw_scan) side.raw_scan->Gap();
}

void HttpSession::OnClose(flow::Flow&) {
  for (Side& side : sides_) {
    side.framer.Close();
    EmitRaw(side);
  }
}

BodyPlan HttpSession::Side::OnHead(const HttpHead& head) {
  // A message starts: the unframed bytes before it are one unit, reported first.
  s.EmitRaw(*this);
  raw_run = false;
  return dir == flow::Direction::kToServer ? s.OnRequestHead(*this, head) : s.OnResponseHead(*this, head);
}

bool HttpSession::Side::SimpleResponseNext() { return !s.pending_.empty() && s.pending_.front().http09; }

void HttpSession::Side::OnUnframed(ByteView bytes) {
  if (bytes.empty()) return;
  if (!raw_run) {
    raw_run = true;
    s.metrics_.anomalies[static_cast<std::size_t>(Anomaly::kUnframedData)]->Inc();
  }
  s.metrics_.unframed_bytes.Inc(bytes.size());
  if (!s.ctx_.config->scan_raw_streams) return;  // volume only, as for raw streams
  while (!bytes.empty()) {
    // Cut exactly every kUnitBytes so that the chunking of the input does not matter.
    const std::size_t room = static_cast<std::size_t>(RawSession::kUnitBytes - raw_bytes);
    const ByteView piece = bytes.first(std::min(room, bytes.size()));
    if (!raw_scan && s.ctx_.scanner) raw_scan.emplace(*s.ctx_.scanner);
    if (raw_scan) raw_scan->Feed(piece);
    raw_bytes += piece.size();
    bytes = bytes.subspan(piece.size());
    if (raw_bytes == RawSession::kUnitBytes) s.EmitRaw(*this);
  }
}

void HttpSession::Side::OnBodyGap(std::uint64_t) {
  s.metrics_.anomalies[static_cast<std::size_t>(Anomaly::kGap)]->Inc();
  body.BodyGap();
}

void HttpSession::Side::OnMessageEnd(bool complete) {
  if (!active) return;
  active = false;
  s.Emit(*this);  // ends the body pipeline: the decompressors' last output reaches the observer
  if (s.ctx_.http_bodies != nullptr) {
    BodyEnd end;
    end.complete = complete;
    end.coding_failed = body.coding_failed();
    s.ctx_.http_bodies->OnBodyEnd(s.flow_, dir, end);
  }
}

BodyPlan HttpSession::OnRequestHead(Side& side, const HttpHead& head) {
  metrics_.transactions.Inc();
  if (head.http09) metrics_.anomalies[static_cast<std::size_t>(Anomaly::kHttp09)]->Inc();
  Pending p;
  p.http09 = head.http09;
  p.method = head.method;
  p.where = Where(head);
  p.account = ExtractAccount(head, *ctx_.config, ctx_.hasher);
  p.client_ip = flow_.client.ip;
  if (ctx_.http_bodies != nullptr) {
    p.target = head.target;
    p.host = Trim(head.Get("host"));
  }
  if (ctx_.config->use_x_forwarded_for)
    if (auto fwd = ForwardedClient(head)) p.client_ip = *fwd;
  if (pending_.size() == kMaxPending) {
    metrics_.anomalies[static_cast<std::size_t>(Anomaly::kPipelineOverflow)]->Inc();
    pending_.pop_front();
  }
  pending_.push_back(p);
  side.meta = std::move(p);
  side.detail = side.meta.method + " " + side.meta.where;

  BeginUnit(side, head);
  // The request target (path and query, percent-decoded) is part of the request's unit.
  scratch_.clear();
  PercentDecodeAppend(head.target, /*plus_is_space=*/true, &scratch_);
  side.body.ScanExtra(scratch_);

  // Framing (RFC 9112 §6.3): Transfer-Encoding wins over Content-Length.
  const bool has_te = head.Has("transfer-encoding");
  const std::string_view cl = head.Get("content-length");
  if (has_te) {
    if (!cl.empty()) metrics_.anomalies[static_cast<std::size_t>(Anomaly::kTeAndCl)]->Inc();
    head.Join("transfer-encoding", &scratch_);
    if (EndsWithChunked(scratch_)) return {BodyKind::kChunked, 0};
    metrics_.anomalies[static_cast<std::size_t>(Anomaly::kBadTransferEncoding)]->Inc();
    return {BodyKind::kAwaitResync, 0};
  }
  BodyPlan plan{BodyKind::kNone, 0};
  if (!cl.empty()) {
    if (auto n = ParseContentLength(cl)) {
      plan = {BodyKind::kLength, *n};
    } else {
      metrics_.anomalies[static_cast<std::size_t>(Anomaly::kBadContentLength)]->Inc();
      return {BodyKind::kAwaitResync, 0};
    }
  }
  // After CONNECT or an Upgrade offer the client may speak another protocol at once: skip
  // until something looks like a request again (or the response switches us to a tunnel).
  if (plan.kind == BodyKind::kNone && (IEquals(head.method, "CONNECT") || head.Has("upgrade")))
    return {BodyKind::kAwaitResync, 0};
  return plan;
}

BodyPlan HttpSession::OnResponseHead(Side& side, const HttpHead& head) {
  Side& req = sides_[0];
  if (head.http09) {  // Simple-Response to the oldest request (an HTTP/0.9 one): body to the close
    metrics_.transactions.Inc();
    if (pending_.empty()) {  // popped meanwhile by a pipeline overflow
      metrics_.anomalies[static_cast<std::size_t>(Anomaly::kResponseWithoutRequest)]->Inc();
      side.meta = Pending{};
      side.meta.method = "?";
      side.meta.client_ip = flow_.client.ip;
    } else {
      side.meta = std::move(pending_.front());
      pending_.pop_front();
    }
    side.detail = side.meta.method + " " + side.meta.where + " -> HTTP/0.9";
    BeginUnit(side, head);
    return {BodyKind::kUntilClose, 0};
  }
  if (head.status == 101) {  // Switching Protocols: neither side is HTTP any more
    metrics_.tunnels.Inc();
    req.framer.EnterTunnel();
    return {BodyKind::kTunnel, 0};
  }
  if (head.status < 200) return {BodyKind::kNone, 0};  // interim: the request still waits

  metrics_.transactions.Inc();
  Pending p;
  if (pending_.empty()) {
    metrics_.anomalies[static_cast<std::size_t>(Anomaly::kResponseWithoutRequest)]->Inc();
    p.method = "?";
    p.client_ip = flow_.client.ip;
  } else {
    p = std::move(pending_.front());
    pending_.pop_front();
  }
  const bool connect = IEquals(p.method, "CONNECT");
  if (connect && head.status < 300) {
    metrics_.tunnels.Inc();
    req.framer.EnterTunnel();
    return {BodyKind::kTunnel, 0};
  }
  side.meta = std::move(p);
  side.detail = side.meta.method + " " + side.meta.where + " -> " + std::to_string(head.status);
  const std::string_view media = MediaType(head);
  if (!media.empty()) {
    side.detail += ' ';
    side.detail.append(media.substr(0, 100));
  }
  if (IEquals(side.meta.method, "HEAD") || head.status == 204 || head.status == 304) return {BodyKind::kNone, 0};

  BeginUnit(side, head);
  const bool has_te = head.Has("transfer-encoding");
  const std::string_view cl = head.Get("content-length");
  if (has_te) {
    if (!cl.empty()) metrics_.anomalies[static_cast<std::size_t>(Anomaly::kTeAndCl)]->Inc();
    head.Join("transfer-encoding", &scratch_);
    return {EndsWithChunked(scratch_) ? BodyKind::kChunked : BodyKind::kUntilClose, 0};
  }
  if (!cl.empty()) {
    if (auto n = ParseContentLength(cl)) return {BodyKind::kLength, *n};
    metrics_.anomalies[static_cast<std::size_t>(Anomaly::kBadContentLength)]->Inc();
  }
  return {BodyKind::kUntilClose, 0};
}

void HttpSession::BeginUnit(Side& side, const HttpHead& head) {
  // Codings in the order the sender applied them: Content-Encoding, then Transfer-Encoding
  // codings other than chunked.
  std::string codings;
  head.Join("content-encoding", &codings);
  head.Join("transfer-encoding", &scratch_);
  std::string_view te = scratch_;
  while (!te.empty()) {
    const auto comma = te.find(',');
    const std::string_view tok = Trim(te.substr(0, comma));
    te = comma == std::string_view::npos ? std::string_view{} : te.substr(comma + 1);
    if (tok.empty() || IEquals(tok, "chunked")) continue;
    if (!codings.empty()) codings += ", ";
    codings.append(tok);
  }
  const DecompressLimits limits = DecompressLimitsOf(ctx_);
  if (ctx_.http_bodies != nullptr) {
    BodyMeta m;
    m.dir = side.dir;
    m.method = side.meta.method;
    m.target = side.meta.target;
    m.host = side.meta.host;
    m.status = head.is_request ? 0 : head.status;
    m.content_type = head.Get("content-type");
    m.codings = codings;
    ctx_.http_bodies->OnBodyBegin(flow_, m);
  }
  side.body.Begin(codings, head.Get("content-type"), limits, ctx_.config->http_body_limit);
  side.active = true;
}

void HttpSession::Emit(Side& side) {
  match::ScanSummary pii = side.body.End();
  const std::uint64_t bytes = side.body.decoded_bytes();
  if (bytes == 0 && pii.TotalMatches() == 0) return;
  track::TransactionEvent e;
  e.ts = flow_.last_seen;
  e.path = MakeDataPath(flow_, side.dir);
  e.app_proto = track::AppProto::kHttp;
  e.account = side.meta.account;
  e.client_ip = side.meta.client_ip;
  e.bytes = bytes;
  e.pii = std::move(pii);
  e.detail = side.detail;
  side.body.AppendParts(&e.detail);
  metrics_.events.Inc();
  if (ctx_.events) ctx_.events->OnTransaction(e);
}

void HttpSession::EmitRaw(Side& side) {
  if (side.raw_bytes == 0) return;
  track::TransactionEvent e;
  e.ts = flow_.last_seen;
  e.path = MakeDataPath(flow_, side.dir);
  e.app_proto = track::AppProto::kRaw;  // not HTTP: what the bytes are, not what the flow looked like
  e.client_ip = flow_.client.ip;
  if (side.dir == flow::Direction::kToClient && !pending_.empty()) {
    // Sent by the server in place of a response: attributed to the request it follows.
    e.account = pending_.front().account;
    e.client_ip = pending_.front().client_ip;
  }
  e.bytes = side.raw_bytes;
  if (side.raw_scan) e.pii = side.raw_scan->Finish();
  e.detail = side.dir == flow::Direction::kToServer ? "unframed client->server in http flow"
                                                    : "unframed server->client in http flow";
  side.raw_bytes = 0;
  metrics_.events.Inc();
  if (ctx_.events) ctx_.events->OnTransaction(e);
}

}  // namespace vigie::app::http
