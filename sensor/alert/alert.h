#pragma once
// One alert: what happened, to which entity, over which window, with masked evidence only.
// The JSON form (alert_json.h) follows ARCHITECTURE.md key for key; extras come after "message".
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ip_addr.h"
#include "core/time.h"

namespace vigie::alert {

enum class Severity : std::uint8_t { kLow, kMedium, kHigh, kCritical };
std::string_view SeverityName(Severity s);

enum class EntityKind : std::uint8_t { kAccount, kIp };
std::string_view EntityKindName(EntityKind k);

struct Entity {
  EntityKind kind = EntityKind::kIp;
  std::string id;  // account name, or the IP in text form
};

struct PiiSummary {
  std::uint64_t records = 0;  // distinct people (distinct primary identifiers)
  // Summed validated matches by type name ("nir", "email", ...), in a stable order.
  std::vector<std::pair<std::string, std::uint64_t>> by_type;
};

struct Alert {
  Timestamp ts = 0;  // packet time of the event that triggered it
  std::string rule;  // "pii.bulk_transfer", "exfil.entity_records", "exfil.entity_bytes", "exfil.dns_tunnel"
  Severity severity = Severity::kMedium;
  // src = where the data came from, dest = where it went.
  IpAddr src_ip;
  std::uint16_t src_port = 0;
  IpAddr dest_ip;
  std::uint16_t dest_port = 0;
  std::uint8_t proto = 6;  // IP protocol number
  std::string app_proto = "unknown";
  std::string community_id;
  Entity entity;
  std::string window;  // "1h", "24h", "30d", "txn"
  PiiSummary pii;
  std::uint64_t bytes = 0;
  std::vector<std::string> evidence;  // masked excerpts only
  std::vector<std::string> mitre;     // e.g. "T1567"
  std::string message;
  // Optional extras (omitted from JSON when empty / zero).
  std::uint64_t threshold = 0;  // the threshold (or baseline-derived limit) that was crossed
  std::string sni;
  std::string dns_domain;   // registered domain of a DNS tunnel
  std::string http_detail;  // e.g. "GET api.example/v1/users?page=3 200" (masked upstream)
};

}  // namespace vigie::alert
