#pragma once
// Tracker settings: every default lives here (deploy/vigie.yaml mirrors them under `track:`).
// Units: byte thresholds are decimal (1 MB = 10^6 bytes); durations are packet-time seconds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/ip_addr.h"

namespace vigie::track {

// Common to every rule: an off switch and an allow-list. An alert is suppressed when the
// entity id (account name or IP text) is in allow_ids, or the entity is an IP inside allow_nets.
// For exfil.dns_tunnel allow_ids also matches the registered domain ("example.com").
struct RuleFilter {
  bool enabled = true;
  std::vector<std::string> allow_ids;
  CidrSet allow_nets;
};

struct BulkTransferRule {  // pii.bulk_transfer
  RuleFilter filter;
  std::uint32_t min_records = 100;  // distinct records in ONE transaction
};

struct EntityRecordsRule {  // exfil.entity_records
  RuleFilter filter;
  std::uint64_t threshold_1h = 1000;   // distinct records received in the last hour
  std::uint64_t threshold_24h = 5000;  // ... last 24 hours
  std::uint64_t threshold_30d = 10000; // ... last 30 days
  // Peer outlier (checked at each packet-time hour by Advance): entity's 24 h distinct records
  // > peer_factor × median of its peers' (active peers only: 24 h count > 0), and ≥ peer_min_records.
  // Peers: every other account; for IPs, other inside hosts in the same /24 (IPv4) or /64 (IPv6).
  bool peer_enabled = true;
  std::uint32_t peer_min_peers = 5;
  double peer_factor = 20.0;
  std::uint64_t peer_min_records = 500;
};

struct EntityBytesRule {  // exfil.entity_bytes (inside host → outside, VolumeEvents)
  RuleFilter filter;
  std::uint64_t threshold_1h = 500'000'000;     // 500 MB in the last hour
  std::uint64_t threshold_24h = 2'000'000'000;  // 2 GB in the last 24 hours
  // Baseline: EWMA of the host's completed daily outbound volume (alpha = baseline_alpha per
  // day, idle days count as 0). Once at least baseline_min_days days were observed, alert when
  // the last 24 h exceed baseline_factor × EWMA and baseline_min_bytes.
  bool baseline_enabled = true;
  std::uint32_t baseline_min_days = 7;
  double baseline_factor = 10.0;
  std::uint64_t baseline_min_bytes = 100'000'000;  // 100 MB
  double baseline_alpha = 0.25;                    // ≈ a 7-day EWMA (2 / (7 + 1))
};

struct DnsTunnelRule {  // exfil.dns_tunnel
  RuleFilter filter;
  std::uint32_t min_label_len = 20;      // a label this long before the registered domain ...
  std::uint32_t min_subdomain_len = 50;  // ... or this many characters before it qualifies
  double min_entropy = 3.5;              // Shannon bits/char of the subdomain (dots excluded)
  std::uint32_t threshold_1h = 100;      // new qualifying names per (client, domain) per hour
  std::size_t max_tracked = 100'000;     // (client, domain) pairs kept; least recent evicted
};

struct TrackConfig {
  std::size_t max_entities = 200'000;  // beyond this the least recently active entity is evicted
  // Distinct records: an entity keeps an exact set of 32-bit record fingerprints with their
  // last-seen 5-min slot up to this many (30 d span), then switches to HyperLogLog (2^12
  // registers per bucket, ~1.6 % standard error).
  std::uint32_t exact_distinct_cap = 4096;
  std::uint32_t max_evidence = 3;  // masked excerpts kept per entity and put in an alert
  // Persistence: when state_dir is set, Advance() saves <state_dir>/vigie-state.bin every
  // snapshot_interval_s of packet time (the pipeline also calls SaveSnapshot at exit).
  std::string state_dir;
  std::int64_t snapshot_interval_s = 300;

  BulkTransferRule bulk;
  EntityRecordsRule records;
  EntityBytesRule bytes;
  DnsTunnelRule dns;
};

}  // namespace vigie::track
