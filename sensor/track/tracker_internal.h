#pragma once
// Private state of the Tracker, shared by its .cc files only.
#include <array>
#include <list>
#include <memory>
#include <string>
#include <vector>

#include "metrics/counters.h"
#include "track/fp_table.h"
#include "track/tracker.h"

namespace vigie::track {

enum ThrottleId : std::uint8_t {
  kThBulk,
  kThRec1h,
  kThRec24h,
  kThRec30d,
  kThRecPeer,
  kThBytes1h,
  kThBytes24h,
  kThBytesBaseline,
  kThCount
};

// "At most one alert per (rule, entity, window) until the count doubles or the window rolls
// over" (a full window length since the last alert).
struct Throttle {
  std::uint64_t last_count = 0;
  Timestamp last_ts = 0;
  bool fired = false;
  bool Allow(std::uint64_t count, Timestamp now, Timestamp window_len) {
    if (fired && count < 2 * last_count && now - last_ts < window_len) return false;
    fired = true;
    last_count = count;
    last_ts = now;
    return true;
  }
};

// The last event that contributed to an entity: gives an alert its src/dest and evidence.
struct Recent {
  DataPath path;
  AppProto app_proto = AppProto::kUnknown;
  std::vector<std::string> excerpts;  // masked, newest last, at most cfg.max_evidence
  std::string sni;
  std::string detail;
  bool as_sender = false;
};

struct Tracker::Entity {
  alert::EntityKind kind = alert::EntityKind::kIp;
  std::string id;  // account name or IP text
  IpAddr ip;       // IP entities
  bool inside = false;
  EntityWindows win;
  Timestamp last_active = 0;
  std::list<Entity*>::iterator lru;
  std::unique_ptr<std::array<Throttle, kThCount>> throttle;  // allocated at the first alert
  std::unique_ptr<Recent> rec;  // last transaction with personal data
  std::unique_ptr<Recent> out;  // last outbound volume report
  double ewma_daily_out = 0;    // baseline of completed days' outbound bytes
  std::uint32_t baseline_days = 0;
  bool has_out = false;  // has ever sent outside (baseline runs only then)

  Throttle& Th(ThrottleId id) {
    if (!throttle) throttle = std::make_unique<std::array<Throttle, kThCount>>();
    return (*throttle)[id];
  }
};

struct Tracker::DnsState {
  IpAddr client;
  std::string domain;
  std::int64_t cur_slot = EntityWindows::kNever;
  std::array<std::uint32_t, 12> counts{};  // new qualifying names per 5-min slot (1 h)
  FpTable names;                           // names seen in the last hour (fingerprint → slot)
  DataPath path;
  std::vector<std::string> evidence;  // masked names
  Throttle throttle;
  std::list<DnsState*>::iterator lru;
};

struct Tracker::Cells {
  explicit Cells(metrics::CounterSet& m);
  metrics::Cell& alerts_bulk;
  metrics::Cell& alerts_records;
  metrics::Cell& alerts_bytes;
  metrics::Cell& alerts_dns;
  metrics::Cell& entities;
  metrics::Cell& evicted;
  metrics::Cell& snapshot_age;
  metrics::Cell& snapshot_errors;
  metrics::Cell& snapshots_saved;
  metrics::Cell& transactions;
  metrics::Cell& volume_events;
  metrics::Cell& dns_queries;
  metrics::Cell& dns_tracked;
  metrics::Cell& dns_evicted;
  metrics::Cell& late_events;
};

inline constexpr std::string_view kRuleBulk = "pii.bulk_transfer";
inline constexpr std::string_view kRuleRecords = "exfil.entity_records";
inline constexpr std::string_view kRuleBytes = "exfil.entity_bytes";
inline constexpr std::string_view kRuleDns = "exfil.dns_tunnel";

std::string EntityKey(alert::EntityKind kind, const std::string& id, const IpAddr& ip);
std::string HumanBytes(std::uint64_t n);
// Atomic write of <dir>/vigie-state.bin (tracker_snapshot.cc); one stderr line on failure.
bool WriteSnapshotFile(const std::string& dir, const std::string& body);

// Copies where the data came from and went (and its app protocol) into an alert.
void FillPath(alert::Alert& a, const DataPath& path, AppProto app_proto);

}  // namespace vigie::track
