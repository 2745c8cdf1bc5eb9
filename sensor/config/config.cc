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
  w.Keys(n, p, {"secret", "max_excerpts", "record_window", "keyword_window"});
  w.Get(n, p, "secret", o.secret);
  if (o.secret.size() < 8) w.Fail(n["secret"], "pii.secret", "must be at least 8 characters");
  w.Get(n, p, "max_excerpts", o.max_excerpts);
  w.Get(n, p, "record_window", o.record_window_bytes);
  w.Get(n, p, "keyword_window", o.keyword_window_bytes);
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
  w.Keys(root, "", {"capture", "output", "home_net", "workers", "user", "signatures", "pii", "app"});
  if (root["capture"]) LoadCapture(w, root["capture"], c.capture);
  if (root["output"]) LoadOutput(w, root["output"], c.output);
  w.Get(root, "", "home_net", c.home_net);
  w.Get(root, "", "workers", c.workers);
  if (c.workers < 1 || c.workers > 64) w.Fail(root["workers"], "workers", "must be between 1 and 64");
  w.Get(root, "", "user", c.user);
  w.Get(root, "", "signatures", c.signatures);
  if (root["pii"]) LoadPii(w, root["pii"], c.pii);
  if (root["app"]) LoadApp(w, root["app"], c.app);
  return c;
}

}  // namespace vigie::config
