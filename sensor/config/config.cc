#include "config/config.h"

#include <fstream>

#include "config/yaml_walker.h"
#include "core/error.h"

#ifndef VIGIE_DEFAULT_SIGNATURES
#define VIGIE_DEFAULT_SIGNATURES "/usr/share/vigie/signatures/pii.yaml"
#endif

namespace vigie::config {

Config Defaults() {
  Config c;
  c.home_net = *CidrSet::Parse("10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7");
  c.signatures = VIGIE_DEFAULT_SIGNATURES;
  return c;
}

namespace {

void LoadCapture(const YamlWalker& w, const YAML::Node& n, CaptureConfig& c) {
  const std::string p = "capture";
  w.Keys(n, p, {"read", "interface", "bpf", "snaplen", "buffer", "replay_speed"});
  w.Get(n, p, "read", c.read_files);
  w.Get(n, p, "interface", c.interface);
  w.Get(n, p, "bpf", c.bpf);
  w.Get(n, p, "snaplen", c.snaplen);
  if (c.snaplen < 64) w.Fail(n["snaplen"], "capture.snaplen", "must be at least 64");
  std::uint64_t buf = std::uint64_t{c.buffer_mib} << 20;
  w.GetSize(n, p, "buffer", buf);
  c.buffer_mib = static_cast<std::uint32_t>(buf >> 20);
  w.Get(n, p, "replay_speed", c.replay_speed);
}

void LoadOutput(const YamlWalker& w, const YAML::Node& n, OutputConfig& o) {
  const std::string p = "output";
  w.Keys(n, p, {"alerts", "flow_log", "syslog", "metrics_listen", "metrics_file", "state_dir"});
  w.Get(n, p, "alerts", o.alerts);
  w.Get(n, p, "flow_log", o.flow_log);
  w.Get(n, p, "syslog", o.syslog);
  if (!o.syslog.empty() && o.syslog.rfind("udp://", 0) != 0 && o.syslog.rfind("tcp://", 0) != 0)
    w.Fail(n["syslog"], "output.syslog", "expected udp://HOST:PORT or tcp://HOST:PORT");
  w.Get(n, p, "metrics_listen", o.metrics_listen);
  w.Get(n, p, "metrics_file", o.metrics_file);
  w.Get(n, p, "state_dir", o.state_dir);
}

void LoadPii(const YamlWalker& w, const YAML::Node& n, match::PiiEngineOptions& o) {
  const std::string p = "pii";
  w.Keys(n, p, {"secret", "max_excerpts", "record_window", "keyword_window", "coalesce", "csv_columns"});
  w.Get(n, p, "secret", o.secret);
  if (o.secret.size() < 8) w.Fail(n["secret"], "pii.secret", "must be at least 8 characters");
  w.Get(n, p, "max_excerpts", o.max_excerpts);
  w.Get(n, p, "record_window", o.record_window_bytes);
  w.Get(n, p, "keyword_window", o.keyword_window_bytes);
  std::uint64_t coalesce = o.coalesce_bytes;
  w.GetSize(n, p, "coalesce", coalesce);
  if (coalesce > (1u << 20)) w.Fail(n["coalesce"], "pii.coalesce", "must be at most 1M (0 = off)");
  o.coalesce_bytes = static_cast<std::uint32_t>(coalesce);
  w.Get(n, p, "csv_columns", o.csv_columns);
}

void LoadApp(const YamlWalker& w, const YAML::Node& n, app::AppConfig& a) {
  const std::string p = "app";
  w.Keys(n, p, {"http_body_limit", "decompress_max_output", "decompress_max_ratio", "max_header_bytes", "jwt_claim",
                "account_headers", "account_cookies", "use_x_forwarded_for", "scan_raw_streams",
                "volume_report_bytes", "volume_report_seconds"});
  w.GetSize(n, p, "http_body_limit", a.http_body_limit);
  w.GetSize(n, p, "decompress_max_output", a.decompress_max_output);
  w.Get(n, p, "decompress_max_ratio", a.decompress_max_ratio);
  w.Get(n, p, "max_header_bytes", a.max_header_bytes);
  w.Get(n, p, "jwt_claim", a.jwt_claim);
  w.Get(n, p, "account_headers", a.account_headers);
  w.Get(n, p, "account_cookies", a.account_cookies);
  w.Get(n, p, "use_x_forwarded_for", a.use_x_forwarded_for);
  w.Get(n, p, "scan_raw_streams", a.scan_raw_streams);
  w.GetSize(n, p, "volume_report_bytes", a.volume_report_bytes);
  std::uint64_t secs = a.volume_report_seconds;
  w.GetSeconds(n, p, "volume_report_seconds", secs);
  a.volume_report_seconds = static_cast<std::uint32_t>(secs);
}

std::uint64_t SecondsOf(Timestamp t) { return static_cast<std::uint64_t>(t / kNanosPerSecond); }

void GetDuration(const YamlWalker& w, const YAML::Node& n, const std::string& p, const char* key, Timestamp& out) {
  std::uint64_t secs = SecondsOf(out);
  w.GetSeconds(n, p, key, secs);
  out = Seconds(static_cast<std::int64_t>(secs));
}

void LoadFlow(const YamlWalker& w, const YAML::Node& n, flow::FlowConfig& f) {
  const std::string p = "flow";
  w.Keys(n, p, {"tcp_new_timeout", "tcp_established_timeout", "tcp_closed_timeout", "udp_timeout", "other_timeout",
                "max_flows"});
  GetDuration(w, n, p, "tcp_new_timeout", f.tcp_new_timeout);
  GetDuration(w, n, p, "tcp_established_timeout", f.tcp_established_timeout);
  GetDuration(w, n, p, "tcp_closed_timeout", f.tcp_closed_timeout);
  GetDuration(w, n, p, "udp_timeout", f.udp_timeout);
  GetDuration(w, n, p, "other_timeout", f.other_timeout);
  w.Get(n, p, "max_flows", f.max_flows);
  if (f.max_flows < 1) w.Fail(n["max_flows"], "flow.max_flows", "must be at least 1");
}

void LoadReassembly(const YamlWalker& w, const YAML::Node& n, flow::FlowConfig& f) {
  const std::string p = "reassembly";
  w.Keys(n, p, {"overlap_policy", "ooo_max_bytes", "ooo_max_segments", "hole_timeout", "memcap", "depth"});
  std::string policy(flow::OverlapPolicyName(f.overlap_policy));
  w.Get(n, p, "overlap_policy", policy);
  auto parsed = flow::ParseOverlapPolicy(policy);
  if (!parsed) w.Fail(n["overlap_policy"], "reassembly.overlap_policy", "expected first, last, linux, windows or bsd");
  f.overlap_policy = *parsed;
  w.GetSize(n, p, "ooo_max_bytes", f.ooo_max_bytes);
  w.Get(n, p, "ooo_max_segments", f.ooo_max_segments);
  GetDuration(w, n, p, "hole_timeout", f.hole_timeout);
  w.GetSize(n, p, "memcap", f.reassembly_memcap);
  w.GetSize(n, p, "depth", f.content_depth);
}

void LoadDefrag(const YamlWalker& w, const YAML::Node& n, decode::DefragConfig& d) {
  const std::string p = "defrag";
  w.Keys(n, p, {"timeout", "max_datagram_bytes", "memcap"});
  GetDuration(w, n, p, "timeout", d.timeout);
  w.Get(n, p, "max_datagram_bytes", d.max_datagram_bytes);
  std::uint64_t memcap = d.memcap_bytes;
  w.GetSize(n, p, "memcap", memcap);
  d.memcap_bytes = static_cast<std::size_t>(memcap);
}

// `enabled` and `allow` (account names, IPs/CIDRs, or for dns_tunnel registered domains).
void LoadRuleFilter(const YamlWalker& w, const YAML::Node& n, const std::string& p, track::RuleFilter& f) {
  w.Get(n, p, "enabled", f.enabled);
  std::vector<std::string> allow;
  w.Get(n, p, "allow", allow);
  for (const auto& a : allow) {
    if (auto c = Cidr::Parse(a)) {
      f.allow_nets.Add(*c);
    } else {
      f.allow_ids.push_back(a);
    }
  }
}

void LoadTrack(const YamlWalker& w, const YAML::Node& n, track::TrackConfig& t) {
  const std::string p = "track";
  w.Keys(n, p, {"max_entities", "exact_distinct_cap", "max_evidence", "snapshot_interval", "rules"});
  std::uint64_t max_entities = t.max_entities;
  w.Get(n, p, "max_entities", max_entities);
  t.max_entities = static_cast<std::size_t>(max_entities);
  w.Get(n, p, "exact_distinct_cap", t.exact_distinct_cap);
  w.Get(n, p, "max_evidence", t.max_evidence);
  std::uint64_t interval = static_cast<std::uint64_t>(t.snapshot_interval_s);
  w.GetSeconds(n, p, "snapshot_interval", interval);
  if (interval < 1) w.Fail(n["snapshot_interval"], "track.snapshot_interval", "must be at least 1 second");
  t.snapshot_interval_s = static_cast<std::int64_t>(interval);
  auto rules = n["rules"];
  if (!rules) return;
  const std::string rp = "track.rules";
  w.Keys(rules, rp, {"pii.bulk_transfer", "exfil.entity_records", "exfil.entity_bytes", "exfil.dns_tunnel"});
  if (auto r = rules["pii.bulk_transfer"]) {
    const std::string q = rp + ".pii.bulk_transfer";
    w.Keys(r, q, {"enabled", "allow", "min_records"});
    LoadRuleFilter(w, r, q, t.bulk.filter);
    w.Get(r, q, "min_records", t.bulk.min_records);
  }
  if (auto r = rules["exfil.entity_records"]) {
    const std::string q = rp + ".exfil.entity_records";
    w.Keys(r, q, {"enabled", "allow", "threshold_1h", "threshold_24h", "threshold_30d", "peer_enabled",
                  "peer_min_peers", "peer_factor", "peer_min_records"});
    LoadRuleFilter(w, r, q, t.records.filter);
    w.Get(r, q, "threshold_1h", t.records.threshold_1h);
    w.Get(r, q, "threshold_24h", t.records.threshold_24h);
    w.Get(r, q, "threshold_30d", t.records.threshold_30d);
    w.Get(r, q, "peer_enabled", t.records.peer_enabled);
    w.Get(r, q, "peer_min_peers", t.records.peer_min_peers);
    w.Get(r, q, "peer_factor", t.records.peer_factor);
    w.Get(r, q, "peer_min_records", t.records.peer_min_records);
  }
  if (auto r = rules["exfil.entity_bytes"]) {
    const std::string q = rp + ".exfil.entity_bytes";
    w.Keys(r, q, {"enabled", "allow", "threshold_1h", "threshold_24h", "baseline_enabled", "baseline_min_days",
                  "baseline_factor", "baseline_min_bytes", "baseline_alpha"});
    LoadRuleFilter(w, r, q, t.bytes.filter);
    w.GetSize(r, q, "threshold_1h", t.bytes.threshold_1h);
    w.GetSize(r, q, "threshold_24h", t.bytes.threshold_24h);
    w.Get(r, q, "baseline_enabled", t.bytes.baseline_enabled);
    w.Get(r, q, "baseline_min_days", t.bytes.baseline_min_days);
    w.Get(r, q, "baseline_factor", t.bytes.baseline_factor);
    w.GetSize(r, q, "baseline_min_bytes", t.bytes.baseline_min_bytes);
    w.Get(r, q, "baseline_alpha", t.bytes.baseline_alpha);
    if (t.bytes.baseline_alpha <= 0 || t.bytes.baseline_alpha > 1)
      w.Fail(r["baseline_alpha"], q + ".baseline_alpha", "must be in (0, 1]");
  }
  if (auto r = rules["exfil.dns_tunnel"]) {
    const std::string q = rp + ".exfil.dns_tunnel";
    w.Keys(r, q, {"enabled", "allow", "min_label_len", "min_subdomain_len", "min_entropy", "threshold_1h",
                  "max_tracked"});
    LoadRuleFilter(w, r, q, t.dns.filter);
    w.Get(r, q, "min_label_len", t.dns.min_label_len);
    w.Get(r, q, "min_subdomain_len", t.dns.min_subdomain_len);
    w.Get(r, q, "min_entropy", t.dns.min_entropy);
    w.Get(r, q, "threshold_1h", t.dns.threshold_1h);
    std::uint64_t mt = t.dns.max_tracked;
    w.Get(r, q, "max_tracked", mt);
    t.dns.max_tracked = static_cast<std::size_t>(mt);
  }
}

}  // namespace

Config LoadFile(const std::string& path, Config c) {
  {
    std::ifstream probe(path);
    if (!probe) throw StartupError(path + ": cannot open configuration file");
  }
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    throw StartupError(path + ":" + std::to_string(e.mark.line + 1) + ": YAML syntax error: " + e.msg);
  }
  if (root.IsNull()) return c;  // empty file: all defaults
  YamlWalker w(path);
  w.Keys(root, "", {"capture", "output", "home_net", "workers", "user", "signatures", "pii", "app", "flow", "reassembly",
                    "defrag", "track"});
  if (root["capture"]) LoadCapture(w, root["capture"], c.capture);
  if (root["output"]) LoadOutput(w, root["output"], c.output);
  w.Get(root, "", "home_net", c.home_net);
  w.Get(root, "", "workers", c.workers);
  if (c.workers < 1 || c.workers > 64) w.Fail(root["workers"], "workers", "must be between 1 and 64");
  w.Get(root, "", "user", c.user);
  std::string sig;
  w.Get(root, "", "signatures", sig);
  if (!sig.empty()) c.signatures = sig;  // empty = the bundled default
  if (root["pii"]) LoadPii(w, root["pii"], c.pii);
  if (root["app"]) LoadApp(w, root["app"], c.app);
  if (root["flow"]) LoadFlow(w, root["flow"], c.flow);
  if (root["reassembly"]) LoadReassembly(w, root["reassembly"], c.flow);
  if (root["defrag"]) LoadDefrag(w, root["defrag"], c.defrag);
  if (root["track"]) LoadTrack(w, root["track"], c.track);
  return c;
}

}  // namespace vigie::config
