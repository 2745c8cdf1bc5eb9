#include "app/dns/dns_session.h"

#include <algorithm>
#include <string>

namespace vigie::app {

namespace dns {

DnsMetrics::DnsMetrics(metrics::CounterSet& set)
    : queries(&set.Counter("vigie_dns_queries_total", "DNS query questions seen")),
      empty_message(&set.Counter("vigie_dns_anomalies_total", "DNS oddities, by reason", {{"reason", "empty_message"}})),
      tcp_gap(&set.Counter("vigie_dns_anomalies_total", "DNS oddities, by reason", {{"reason", "tcp_gap"}})),
      truncated_length(
          &set.Counter("vigie_dns_anomalies_total", "DNS oddities, by reason", {{"reason", "truncated_tcp_message"}})) {
  for (std::size_t i = 0; i < kRcodeNames.size(); ++i)
    responses[i] = &set.Counter("vigie_dns_responses_total", "DNS responses, by rcode",
                                {{"rcode", std::string(kRcodeNames[i])}});
  for (std::size_t i = 1; i < parse_anomalies.size(); ++i)
    parse_anomalies[i] = &set.Counter("vigie_dns_anomalies_total", "DNS oddities, by reason",
                                      {{"reason", std::string(kDnsErrorNames[i])}});
}

void HandleDnsMessage(const AppContext& ctx, flow::Flow& flow, flow::Direction dir, ByteView message,
                      std::uint8_t proto) {
  DnsMetrics& m = DecoderMetrics<DnsMetrics>(ctx, DnsMetrics::kSlot);
  DnsMessage& msg = m.scratch;
  ParseDnsMessage(message, &msg);
  if (msg.error != DnsError::kNone) m.parse_anomalies[static_cast<std::size_t>(msg.error)]->Inc();
  if (msg.error == DnsError::kTruncatedHeader) return;
  if (msg.response) {
    m.responses[std::min<std::size_t>(msg.rcode, DnsMetrics::kRcodeNames.size() - 1)]->Inc();
    return;
  }
  const flow::Endpoint& src = dir == flow::Direction::kToServer ? flow.client : flow.server;
  const flow::Endpoint& dst = dir == flow::Direction::kToServer ? flow.server : flow.client;
  for (std::size_t i = 0; i < msg.question_count; ++i) {
    m.queries->Inc();
    if (ctx.events == nullptr) continue;
    track::DnsQueryEvent e;
    e.ts = flow.last_seen;
    e.path.src_ip = src.ip;
    e.path.src_port = src.port;
    e.path.dest_ip = dst.ip;
    e.path.dest_port = dst.port;
    e.path.proto = proto;
    // community_id left empty: the tracker aggregates queries per client, not per flow, and a
    // SHA-1 per datagram is not worth it.
    e.qname.assign(msg.questions[i].name.view());
    e.qtype = msg.questions[i].qtype;
    ctx.events->OnDnsQuery(e);
  }
}

}  // namespace dns

void HandleDnsDatagram(const AppContext& ctx, flow::Flow& flow, flow::Direction dir, ByteView datagram) {
  dns::HandleDnsMessage(ctx, flow, dir, datagram, 17);
}

DnsTcpSession::DnsTcpSession(const AppContext& ctx, flow::Flow& /*flow*/)
    : ctx_(ctx), metrics_(DecoderMetrics<dns::DnsMetrics>(ctx, dns::DnsMetrics::kSlot)) {}

void DnsTcpSession::Message(flow::Flow& flow, flow::Direction dir, ByteView msg) {
  dns::HandleDnsMessage(ctx_, flow, dir, msg, 6);
}

void DnsTcpSession::OnData(flow::Flow& flow, flow::Direction dir, ByteView data) {
  Side& s = sides_[flow::Index(dir)];
  if (s.lost) return;
  while (!data.empty()) {
    if (s.len_have < 2) {
      s.len_bytes[s.len_have++] = data[0];
      data = data.subspan(1);
      if (s.len_have < 2) continue;
      s.msg_len = LoadBe16(s.len_bytes);
      s.buf.clear();
      if (s.msg_len == 0) {
        metrics_.empty_message->Inc();
        s.len_have = 0;
      }
      continue;
    }
    std::size_t need = s.msg_len - s.buf.size();
    if (s.buf.empty() && data.size() >= need) {
      Message(flow, dir, data.first(need));  // whole message in this chunk: no copy
    } else {
      std::size_t take = std::min(need, data.size());
      s.buf.insert(s.buf.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(take));
      data = data.subspan(take);
      if (s.buf.size() < s.msg_len) return;
      Message(flow, dir, s.buf);
      need = 0;
    }
    data = data.subspan(need);
    s.buf.clear();
    s.len_have = 0;
  }
}

void DnsTcpSession::OnGap(flow::Flow& /*flow*/, flow::Direction dir, std::uint64_t /*length*/) {
  // The length prefixes cannot be found again reliably inside a lost stretch.
  Side& s = sides_[flow::Index(dir)];
  if (!s.lost) metrics_.tcp_gap->Inc();
  s.lost = true;
  s.buf = {};
}

void DnsTcpSession::OnClose(flow::Flow& /*flow*/) {
  for (Side& s : sides_) {
    if (!s.lost && s.len_have > 0) metrics_.truncated_length->Inc();
    s.buf = {};
  }
}

}  // namespace vigie::app
