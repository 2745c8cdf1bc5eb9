#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "config/config.h"
#include "core/error.h"

namespace vigie::config {
namespace {

std::string WriteTemp(const std::string& text) {
  char path[] = "/tmp/vigie_config_testXXXXXX";
  int fd = mkstemp(path);
  close(fd);
  std::ofstream(path) << text;
  return path;
}

std::string ErrorOf(const std::string& yaml) {
  auto p = WriteTemp(yaml);
  try {
    LoadFile(p, Defaults());
  } catch (const StartupError& e) {
    std::remove(p.c_str());
    return e.what();
  }
  std::remove(p.c_str());
  return "";
}

TEST(Config, DefaultsAreSane) {
  auto c = Defaults();
  EXPECT_EQ(c.workers, 1u);
  EXPECT_EQ(c.output.metrics_listen, "127.0.0.1:9899");
  EXPECT_TRUE(c.home_net.Contains(*IpAddr::Parse("10.1.2.3")));
  EXPECT_FALSE(c.home_net.Contains(*IpAddr::Parse("203.0.113.5")));
  EXPECT_EQ(c.app.http_body_limit, 0u);
}

TEST(Config, ParsesKeysOverDefaults) {
  auto p = WriteTemp(
      "workers: 2\n"
      "home_net: [198.51.100.0/24, 2001:db8::/32]\n"
      "capture:\n  snaplen: 1514\n  buffer: 64M\n"
      "output:\n  alerts: /tmp/a.json\n  syslog: udp://127.0.0.1:514\n"
      "app:\n  http_body_limit: 10M\n  account_headers: [X-User]\n  volume_report_seconds: 1m\n"
      "pii:\n  secret: abcdefgh123\n  coalesce: 64K\n  csv_columns: false\n");
  auto c = LoadFile(p, Defaults());
  std::remove(p.c_str());
  EXPECT_EQ(c.workers, 2u);
  EXPECT_TRUE(c.home_net.Contains(*IpAddr::Parse("198.51.100.7")));
  EXPECT_FALSE(c.home_net.Contains(*IpAddr::Parse("10.0.0.1")));
  EXPECT_EQ(c.capture.snaplen, 1514u);
  EXPECT_EQ(c.capture.buffer_mib, 64u);
  EXPECT_EQ(c.output.alerts, "/tmp/a.json");
  EXPECT_EQ(c.app.http_body_limit, 10u << 20);
  ASSERT_EQ(c.app.account_headers.size(), 1u);
  EXPECT_EQ(c.app.volume_report_seconds, 60u);
  EXPECT_EQ(c.pii.secret, "abcdefgh123");
  EXPECT_EQ(c.pii.coalesce_bytes, 64u << 10);
  EXPECT_FALSE(c.pii.csv_columns);
  EXPECT_TRUE(Defaults().pii.csv_columns);
}

TEST(Config, ErrorsNameFileLineAndKeyPath) {
  EXPECT_NE(ErrorOf("capture:\n  snaplen: 1514\n  bogus: 1\n").find(":3: capture.bogus: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("workers: many\n").find(":1: workers: expected a non-negative integer"), std::string::npos);
  EXPECT_NE(ErrorOf("workers: 0\n").find("workers: must be between 1 and 64"), std::string::npos);
  EXPECT_NE(ErrorOf("home_net: 10.0.0.0/99\n").find("home_net: bad network '10.0.0.0/99'"), std::string::npos);
  EXPECT_NE(ErrorOf("app:\n  http_body_limit: lots\n").find(":2: app.http_body_limit"), std::string::npos);
  EXPECT_NE(ErrorOf("capture: [1, 2\n").find("YAML syntax error"), std::string::npos);
  EXPECT_NE(ErrorOf("pii:\n  coalesce: 2M\n").find(":2: pii.coalesce: must be at most 1M"), std::string::npos);
  EXPECT_NE(ErrorOf("output:\n  syslog: http://x\n").find("output.syslog"), std::string::npos);
}

TEST(Config, MissingFileIsAStartupError) {
  EXPECT_THROW(LoadFile("/nonexistent/vigie.yaml", Defaults()), StartupError);
}

}  // namespace
}  // namespace vigie::config

namespace vigie::config {
namespace {

TEST(Config, StageSectionsReachTheirStructs) {
  auto p = WriteTemp(
      "flow:\n  tcp_established_timeout: 10m\n  max_flows: 5000\n"
      "reassembly:\n  overlap_policy: bsd\n  memcap: 32M\n  depth: 1M\n"
      "defrag:\n  timeout: 15s\n"
      "track:\n  max_entities: 1000\n  snapshot_interval: 1m\n  rules:\n"
      "    pii.bulk_transfer:\n      min_records: 50\n      allow: [svc-export, 10.9.0.0/16]\n"
      "    exfil.entity_bytes:\n      threshold_1h: 500MB\n"
      "    exfil.dns_tunnel:\n      enabled: false\n");
  auto c = LoadFile(p, Defaults());
  std::remove(p.c_str());
  EXPECT_EQ(c.flow.tcp_established_timeout, Seconds(600));
  EXPECT_EQ(c.flow.max_flows, 5000u);
  EXPECT_EQ(c.flow.overlap_policy, flow::OverlapPolicy::kBsd);
  EXPECT_EQ(c.flow.reassembly_memcap, 32u << 20);
  EXPECT_EQ(c.flow.content_depth, 1u << 20);
  EXPECT_EQ(c.defrag.timeout, Seconds(15));
  EXPECT_EQ(c.track.max_entities, 1000u);
  EXPECT_EQ(c.track.snapshot_interval_s, 60);
  EXPECT_EQ(c.track.bulk.min_records, 50u);
  ASSERT_EQ(c.track.bulk.filter.allow_ids.size(), 1u);
  EXPECT_EQ(c.track.bulk.filter.allow_ids[0], "svc-export");
  EXPECT_TRUE(c.track.bulk.filter.allow_nets.Contains(*IpAddr::Parse("10.9.1.1")));
  EXPECT_EQ(c.track.bytes.threshold_1h, 500'000'000u);
  EXPECT_FALSE(c.track.dns.filter.enabled);
  EXPECT_TRUE(c.track.records.filter.enabled);
}

TEST(Config, StageSectionErrors) {
  EXPECT_NE(ErrorOf("reassembly:\n  overlap_policy: random\n").find(":2: reassembly.overlap_policy"), std::string::npos);
  EXPECT_NE(ErrorOf("track:\n  rules:\n    exfil.nope: {}\n").find("track.rules.exfil.nope: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("track:\n  rules:\n    pii.bulk_transfer:\n      min_record: 3\n")
                .find(":4: track.rules.pii.bulk_transfer.min_record: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("flow:\n  udp_timeout: soon\n").find("flow.udp_timeout: expected a duration"), std::string::npos);
}

}  // namespace
}  // namespace vigie::config

namespace vigie::config {
namespace {

// deploy/vigie.yaml documents every key with its default: loading it must change nothing.
TEST(Config, DeployedExampleEqualsDefaults) {
  auto d = Defaults();
  auto c = LoadFile(std::string(VIGIE_SOURCE_DIR) + "/deploy/vigie.yaml", Defaults());
  EXPECT_EQ(c.capture.snaplen, d.capture.snaplen);
  EXPECT_EQ(c.capture.buffer_mib, d.capture.buffer_mib);
  EXPECT_EQ(c.capture.replay_speed, d.capture.replay_speed);
  EXPECT_EQ(c.output.alerts, d.output.alerts);
  EXPECT_EQ(c.output.metrics_listen, d.output.metrics_listen);
  EXPECT_EQ(c.home_net.nets().size(), d.home_net.nets().size());
  EXPECT_EQ(c.workers, d.workers);
  EXPECT_EQ(c.signatures, d.signatures);
  EXPECT_EQ(c.pii.secret, d.pii.secret);
  EXPECT_EQ(c.pii.max_excerpts, d.pii.max_excerpts);
  EXPECT_EQ(c.pii.record_window_bytes, d.pii.record_window_bytes);
  EXPECT_EQ(c.pii.keyword_window_bytes, d.pii.keyword_window_bytes);
  EXPECT_EQ(c.pii.coalesce_bytes, d.pii.coalesce_bytes);
  EXPECT_EQ(c.app.http_body_limit, d.app.http_body_limit);
  EXPECT_EQ(c.app.decompress_max_output, d.app.decompress_max_output);
  EXPECT_EQ(c.app.decompress_max_ratio, d.app.decompress_max_ratio);
  EXPECT_EQ(c.app.max_header_bytes, d.app.max_header_bytes);
  EXPECT_EQ(c.app.jwt_claim, d.app.jwt_claim);
  EXPECT_EQ(c.app.use_x_forwarded_for, d.app.use_x_forwarded_for);
  EXPECT_EQ(c.app.scan_raw_streams, d.app.scan_raw_streams);
  EXPECT_EQ(c.app.volume_report_bytes, d.app.volume_report_bytes);
  EXPECT_EQ(c.app.volume_report_seconds, d.app.volume_report_seconds);
  EXPECT_EQ(c.flow.tcp_new_timeout, d.flow.tcp_new_timeout);
  EXPECT_EQ(c.flow.tcp_established_timeout, d.flow.tcp_established_timeout);
  EXPECT_EQ(c.flow.tcp_closed_timeout, d.flow.tcp_closed_timeout);
  EXPECT_EQ(c.flow.udp_timeout, d.flow.udp_timeout);
  EXPECT_EQ(c.flow.other_timeout, d.flow.other_timeout);
  EXPECT_EQ(c.flow.max_flows, d.flow.max_flows);
  EXPECT_EQ(c.flow.overlap_policy, d.flow.overlap_policy);
  EXPECT_EQ(c.flow.ooo_max_bytes, d.flow.ooo_max_bytes);
  EXPECT_EQ(c.flow.ooo_max_segments, d.flow.ooo_max_segments);
  EXPECT_EQ(c.flow.hole_timeout, d.flow.hole_timeout);
  EXPECT_EQ(c.flow.reassembly_memcap, d.flow.reassembly_memcap);
  EXPECT_EQ(c.flow.content_depth, d.flow.content_depth);
  EXPECT_EQ(c.defrag.timeout, d.defrag.timeout);
  EXPECT_EQ(c.defrag.max_datagram_bytes, d.defrag.max_datagram_bytes);
  EXPECT_EQ(c.defrag.memcap_bytes, d.defrag.memcap_bytes);
  EXPECT_EQ(c.track.max_entities, d.track.max_entities);
  EXPECT_EQ(c.track.exact_distinct_cap, d.track.exact_distinct_cap);
  EXPECT_EQ(c.track.max_evidence, d.track.max_evidence);
  EXPECT_EQ(c.track.snapshot_interval_s, d.track.snapshot_interval_s);
  EXPECT_EQ(c.track.bulk.min_records, d.track.bulk.min_records);
  EXPECT_EQ(c.track.records.threshold_1h, d.track.records.threshold_1h);
  EXPECT_EQ(c.track.records.threshold_24h, d.track.records.threshold_24h);
  EXPECT_EQ(c.track.records.threshold_30d, d.track.records.threshold_30d);
  EXPECT_EQ(c.track.records.peer_enabled, d.track.records.peer_enabled);
  EXPECT_EQ(c.track.records.peer_min_peers, d.track.records.peer_min_peers);
  EXPECT_EQ(c.track.records.peer_factor, d.track.records.peer_factor);
  EXPECT_EQ(c.track.records.peer_min_records, d.track.records.peer_min_records);
  EXPECT_EQ(c.track.bytes.threshold_1h, d.track.bytes.threshold_1h);
  EXPECT_EQ(c.track.bytes.threshold_24h, d.track.bytes.threshold_24h);
  EXPECT_EQ(c.track.bytes.baseline_enabled, d.track.bytes.baseline_enabled);
  EXPECT_EQ(c.track.bytes.baseline_min_days, d.track.bytes.baseline_min_days);
  EXPECT_EQ(c.track.bytes.baseline_factor, d.track.bytes.baseline_factor);
  EXPECT_EQ(c.track.bytes.baseline_min_bytes, d.track.bytes.baseline_min_bytes);
  EXPECT_EQ(c.track.bytes.baseline_alpha, d.track.bytes.baseline_alpha);
  EXPECT_EQ(c.track.dns.min_label_len, d.track.dns.min_label_len);
  EXPECT_EQ(c.track.dns.min_subdomain_len, d.track.dns.min_subdomain_len);
  EXPECT_EQ(c.track.dns.min_entropy, d.track.dns.min_entropy);
  EXPECT_EQ(c.track.dns.threshold_1h, d.track.dns.threshold_1h);
  EXPECT_EQ(c.track.dns.max_tracked, d.track.dns.max_tracked);
}

}  // namespace
}  // namespace vigie::config
