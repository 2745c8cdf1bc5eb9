#pragma once
// The tracker: attributes personal data to entities (accounts and IPs), keeps their sliding
// windows, applies the rules and emits alerts. Thread-safe (one mutex): events arrive per
// transaction / per volume report / per DNS query, far below packet rate.
//
// Attribution (TransactionEvent): the data goes to the entity that RECEIVES it — the account
// (when known) and the receiving IP (client_ip when set, else path.dest_ip). When the data
// leaves the home network (path.src inside, path.dest outside) the inside sender's IP entity
// is credited too. Transactions without personal data only update entities that already exist.
// VolumeEvents from an inside host to an outside address feed that host's outbound bytes.
// DnsQueryEvents feed the DNS-tunnel detector (per client IP and registered domain).
//
// Clock: packet time only. Late events are counted in the current bucket. Advance(now) lets the
// pipeline move time when no event arrives; every packet-time hour it rolls all entities,
// runs the peer-outlier check and expires idle state; it also saves the snapshot when due.
#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "alert/alert.h"
#include "alert/sink.h"
#include "metrics/counters.h"
#include "track/events.h"
#include "track/track_config.h"
#include "track/windows.h"

namespace vigie::track {

struct EntityStats {
  std::uint64_t distinct_1h = 0, distinct_24h = 0, distinct_30d = 0;
  std::uint64_t txn_24h = 0, bytes_24h = 0;
  std::uint64_t out_1h = 0, out_24h = 0;
  double baseline_daily_out = 0;
  std::uint32_t baseline_days = 0;
  bool hll_mode = false;
};

class Tracker : public EventSink {
 public:
  // Throws StartupError on an inconsistent config (e.g. zero thresholds).
  Tracker(const TrackConfig& cfg, const CidrSet& home_net, alert::AlertSink& sink, metrics::CounterSet& metrics);
  ~Tracker() override;
  Tracker(const Tracker&) = delete;
  Tracker& operator=(const Tracker&) = delete;

  void OnTransaction(const TransactionEvent& e) override;
  void OnVolume(const VolumeEvent& e) override;
  void OnDnsQuery(const DnsQueryEvent& e) override;

  // Moves packet time forward (never back). Hourly sweep + peer check + periodic snapshot.
  // Calls less than one packet-second after the previous one return immediately (lock-free),
  // so it may be called per packet.
  void Advance(Timestamp now);

  // SIGHUP: swaps in new rule settings (thresholds, switches, allow-lists, evidence count)
  // without losing any window. Capacity settings (max_entities, exact_distinct_cap,
  // state_dir, snapshot_interval_s) keep their start-up values until a restart.
  void UpdateRules(const TrackConfig& cfg);

  // Writes <dir>/vigie-state.bin atomically (temp file, fsync, rename, fsync dir).
  // Returns false (one stderr line, vigie_track_snapshot_errors_total) on failure.
  bool SaveSnapshot(const std::string& dir);
  // Restores <dir>/vigie-state.bin if present. A corrupt or foreign file is refused with one
  // stderr line, renamed to vigie-state.bin.corrupt-<n>, and nothing of it is loaded.
  // Returns true iff a snapshot was loaded.
  bool LoadSnapshot(const std::string& dir);

  // Introspection for tests, the bench and debugging.
  std::size_t entity_count() const;
  std::optional<EntityStats> Stats(alert::EntityKind kind, const std::string& id) const;
  std::size_t ApproxMemoryBytes() const;

 private:
  struct Entity;
  struct DnsState;
  struct Cells;
  friend struct TrackerAccess;

  // All below REQUIRE mu_ held.
  void SetNow(Timestamp ts);
  void MaybeSweep();
  void Sweep();
  Entity& Touch(alert::EntityKind kind, const std::string& id, const IpAddr& ip);
  Entity* Find(alert::EntityKind kind, const std::string& id, const IpAddr& ip) const;
  void RollEntity(Entity& e);
  void EvictIfNeeded();
  void Credit(Entity& ent, const TransactionEvent& e, bool as_sender, bool has_pii);
  void CheckRecords(Entity& ent, Timestamp ts);
  void CheckBytes(Entity& ent, Timestamp ts);
  void CheckPeers();
  void DnsQuery(const DnsQueryEvent& e);
  bool Allowed(const RuleFilter& f, const Entity& ent) const;
  void Emit(alert::Alert&& a);
  std::string SerializeLocked() const;
  bool ParseSnapshot(std::string_view body, std::string& why);
  void UpdateGauges();

  TrackConfig cfg_;  // rules replaced by UpdateRules (under mu_)
  const CidrSet home_net_;
  alert::AlertSink& sink_;
  std::unique_ptr<Cells> cells_;

  std::atomic<Timestamp> advance_hint_{EntityWindows::kNever};  // last Advance() that took the lock
  mutable std::mutex mu_;
  Timestamp now_ = EntityWindows::kNever;
  Timestamp first_ts_ = EntityWindows::kNever;
  Timestamp last_snapshot_ts_ = EntityWindows::kNever;
  std::int64_t last_sweep_hour_ = EntityWindows::kNever;
  // Key: 'a' + account name, or 'i' + the 16 address bytes.
  std::unordered_map<std::string, std::unique_ptr<Entity>> entities_;
  std::list<Entity*> lru_;  // front = least recently active
  std::unordered_map<std::string, std::unique_ptr<DnsState>> dns_;
  std::list<DnsState*> dns_lru_;
};

}  // namespace vigie::track
