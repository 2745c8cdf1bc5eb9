#include "track/tracker.h"

#include <algorithm>
#include <cstdio>

#include "core/error.h"
#include "track/tracker_internal.h"

namespace vigie::track {

using alert::EntityKind;

Tracker::Cells::Cells(metrics::CounterSet& m)
    : alerts_bulk(m.Counter("vigie_alerts_total", "Alerts emitted, by rule", {{"rule", std::string(kRuleBulk)}})),
      alerts_records(m.Counter("vigie_alerts_total", "Alerts emitted, by rule", {{"rule", std::string(kRuleRecords)}})),
      alerts_bytes(m.Counter("vigie_alerts_total", "Alerts emitted, by rule", {{"rule", std::string(kRuleBytes)}})),
      alerts_dns(m.Counter("vigie_alerts_total", "Alerts emitted, by rule", {{"rule", std::string(kRuleDns)}})),
      entities(m.Gauge("vigie_track_entities", "Entities (accounts and IPs) currently tracked")),
      evicted(m.Counter("vigie_track_entities_evicted_total", "Entities evicted because max_entities was reached")),
      snapshot_age(m.Gauge("vigie_track_snapshot_age_seconds", "Packet-time seconds since the last state snapshot")),
      snapshot_errors(m.Counter("vigie_track_snapshot_errors_total", "State snapshots that failed to save or load")),
      snapshots_saved(m.Counter("vigie_track_snapshots_total", "State snapshots written")),
      transactions(m.Counter("vigie_track_transactions_total", "Transaction events received")),
      volume_events(m.Counter("vigie_track_volume_events_total", "Volume events received")),
      dns_queries(m.Counter("vigie_track_dns_queries_total", "DNS query events received")),
      dns_tracked(m.Gauge("vigie_track_dns_domains", "(client, registered domain) pairs tracked for DNS tunnels")),
      dns_evicted(m.Counter("vigie_track_dns_evicted_total", "DNS tunnel states evicted because dns.max_tracked was reached")),
      late_events(m.Counter("vigie_track_late_events_total", "Events older than the current 5-min slot (counted in it)")) {}

std::string EntityKey(EntityKind kind, const std::string& id, const IpAddr& ip) {
  if (kind == EntityKind::kAccount) return "a" + id;
  std::string k = "i";
  k.append(reinterpret_cast<const char*>(ip.bytes.data()), ip.bytes.size());
  return k;
}

std::string HumanBytes(std::uint64_t n) {
  char buf[32];
  if (n >= 1'000'000'000) {
    std::snprintf(buf, sizeof buf, "%.1f GB", static_cast<double>(n) / 1e9);
  } else if (n >= 1'000'000) {
    std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(n) / 1e6);
  } else {
    std::snprintf(buf, sizeof buf, "%llu bytes", static_cast<unsigned long long>(n));
  }
  return buf;
}

Tracker::Tracker(const TrackConfig& cfg, const CidrSet& home_net, alert::AlertSink& sink, metrics::CounterSet& metrics)
    : cfg_(cfg), home_net_(home_net), sink_(sink), cells_(std::make_unique<Cells>(metrics)) {
  if (cfg_.max_entities < 16) throw StartupError("track.max_entities must be at least 16");
  if (cfg_.bulk.min_records == 0 || cfg_.records.threshold_1h == 0 || cfg_.records.threshold_24h == 0 ||
      cfg_.records.threshold_30d == 0 || cfg_.bytes.threshold_1h == 0 || cfg_.bytes.threshold_24h == 0 ||
      cfg_.dns.threshold_1h == 0)
    throw StartupError("track: rule thresholds must be > 0 (disable a rule with enabled: false instead)");
  if (cfg_.records.peer_factor <= 0 || cfg_.bytes.baseline_factor <= 0 || cfg_.bytes.baseline_alpha <= 0 ||
      cfg_.bytes.baseline_alpha > 1)
    throw StartupError("track: peer_factor/baseline_factor must be > 0 and baseline_alpha in (0, 1]");
  if (cfg_.snapshot_interval_s <= 0) throw StartupError("track.snapshot_interval_s must be > 0");
}

Tracker::~Tracker() = default;

void Tracker::SetNow(Timestamp ts) {
  if (first_ts_ == EntityWindows::kNever) first_ts_ = ts;
  if (now_ == EntityWindows::kNever || ts > now_) {
    now_ = ts;
  } else if (SlotOf(ts) < SlotOf(now_)) {
    cells_->late_events.Inc();
  }
}

void Tracker::RollEntity(Entity& e) {
  const auto& b = cfg_.bytes;
  e.win.Roll(SlotOf(now_), [&](std::int64_t, std::uint64_t day_out) {
    if (!e.has_out) return;
    // Seed with the first full day rather than decaying up from 0.
    e.ewma_daily_out = e.baseline_days == 0 ? static_cast<double>(day_out)
                                            : b.baseline_alpha * static_cast<double>(day_out) +
                                                  (1 - b.baseline_alpha) * e.ewma_daily_out;
    ++e.baseline_days;
  });
}

Tracker::Entity* Tracker::Find(EntityKind kind, const std::string& id, const IpAddr& ip) const {
  auto it = entities_.find(EntityKey(kind, id, ip));
  return it == entities_.end() ? nullptr : it->second.get();
}

Tracker::Entity& Tracker::Touch(EntityKind kind, const std::string& id, const IpAddr& ip) {
  std::string key = EntityKey(kind, id, ip);
  auto it = entities_.find(key);
  Entity* e;
  if (it == entities_.end()) {
    auto owned = std::make_unique<Entity>();
    e = owned.get();
    e->kind = kind;
    e->id = kind == EntityKind::kAccount ? id : ip.ToString();
    e->ip = ip;
    e->inside = kind == EntityKind::kIp && home_net_.Contains(ip);
    e->lru = lru_.insert(lru_.end(), e);
    entities_.emplace(std::move(key), std::move(owned));
    EvictIfNeeded();
  } else {
    e = it->second.get();
    lru_.splice(lru_.end(), lru_, e->lru);
  }
  e->last_active = now_;
  RollEntity(*e);
  return *e;
}

void Tracker::EvictIfNeeded() {
  while (entities_.size() > cfg_.max_entities && !lru_.empty()) {
    Entity* victim = lru_.front();
    lru_.pop_front();
    entities_.erase(EntityKey(victim->kind, victim->id, victim->ip));
    cells_->evicted.Inc();
  }
}

void Tracker::Credit(Entity& ent, const TransactionEvent& e, bool as_sender, bool has_pii) {
  ent.win.AddTxn(e.bytes, e.pii.matches);
  ent.win.AddRecords(e.pii.records, cfg_.exact_distinct_cap);
  if (!has_pii) return;  // alerts point at the transactions that carried the data
  if (!ent.rec) ent.rec = std::make_unique<Recent>();
  Recent& r = *ent.rec;
  r.path = e.path;
  r.app_proto = e.app_proto;
  r.detail = e.detail;
  r.as_sender = as_sender;
  for (const auto& x : e.pii.excerpts) {
    if (cfg_.max_evidence == 0) break;
    if (std::find(r.excerpts.begin(), r.excerpts.end(), x) != r.excerpts.end()) continue;
    if (r.excerpts.size() >= cfg_.max_evidence) r.excerpts.erase(r.excerpts.begin());
    r.excerpts.push_back(x);
  }
}

void Tracker::OnTransaction(const TransactionEvent& e) {
  std::lock_guard lock(mu_);
  cells_->transactions.Inc();
  SetNow(e.ts);
  MaybeSweep();
  const bool has_pii = !e.pii.records.empty() || e.pii.TotalMatches() != 0;
  const IpAddr zero{};
  const IpAddr receiver = e.client_ip != zero ? e.client_ip : e.path.dest_ip;
  const bool leaves = home_net_.Contains(e.path.src_ip) && !home_net_.Contains(e.path.dest_ip);

  Entity* targets[3] = {};
  bool sender_role[3] = {false, false, false};
  int n = 0;
  auto pick = [&](EntityKind kind, const std::string& id, const IpAddr& ip, bool as_sender) {
    Entity* ent = has_pii ? &Touch(kind, id, ip) : Find(kind, id, ip);
    if (ent == nullptr) return;
    if (!has_pii) RollEntity(*ent);
    for (int i = 0; i < n; ++i)
      if (targets[i] == ent) return;
    targets[n] = ent;
    sender_role[n++] = as_sender;
  };
  if (!e.account.empty()) pick(EntityKind::kAccount, e.account, zero, false);
  pick(EntityKind::kIp, {}, receiver, false);
  if (leaves) pick(EntityKind::kIp, {}, e.path.src_ip, true);
  // Touch() may evict, but only the least recently active entity: with max_entities >= 16 it
  // is never one of the (at most 3) just touched, so the pointers above stay valid.
  for (int i = 0; i < n; ++i) Credit(*targets[i], e, sender_role[i], has_pii);
  if (!has_pii) return;

  // pii.bulk_transfer: the receiving entity (account, else receiving IP).
  const auto nrec = e.pii.records.size();
  if (n > 0 && nrec >= cfg_.bulk.min_records && Allowed(cfg_.bulk.filter, *targets[0])) {
    Entity& ent = *targets[0];
    if (ent.Th(kThBulk).Allow(nrec, now_, Seconds(3600))) {
      alert::Alert a;
      a.ts = e.ts;
      a.rule = kRuleBulk;
      a.severity = alert::Severity::kHigh;
      a.window = "txn";
      a.pii.records = nrec;
      for (std::size_t t = 0; t < match::kPiiTypeCount; ++t)
        if (e.pii.matches[t]) a.pii.by_type.emplace_back(match::kPiiTypeNames[t], e.pii.matches[t]);
      a.bytes = e.bytes;
      a.threshold = cfg_.bulk.min_records;
      FillPath(a, e.path, e.app_proto);
      a.entity = {ent.kind, ent.id};
      for (std::size_t i = 0; i < e.pii.excerpts.size() && i < cfg_.max_evidence; ++i) a.evidence.push_back(e.pii.excerpts[i]);
      a.mitre = {e.app_proto == AppProto::kSmtp || e.app_proto == AppProto::kRaw ? "T1048" : "T1567"};
      a.http_detail = e.app_proto == AppProto::kHttp ? e.detail : std::string();
      a.message = std::string(ent.kind == EntityKind::kAccount ? "account " : "host ") + ent.id + " received " +
                  std::to_string(nrec) + " distinct people's records in one transaction (threshold " +
                  std::to_string(cfg_.bulk.min_records) + ")";
      Emit(std::move(a));
    }
  }
  for (int i = 0; i < n; ++i) CheckRecords(*targets[i], e.ts);
}

void Tracker::OnVolume(const VolumeEvent& e) {
  std::lock_guard lock(mu_);
  cells_->volume_events.Inc();
  SetNow(e.ts);
  MaybeSweep();
  if (!home_net_.Contains(e.path.src_ip) || home_net_.Contains(e.path.dest_ip)) return;
  Entity& ent = Touch(EntityKind::kIp, {}, e.path.src_ip);
  ent.has_out = true;
  ent.win.AddOut(e.bytes);
  if (!ent.out) ent.out = std::make_unique<Recent>();
  ent.out->path = e.path;
  ent.out->app_proto = e.app_proto;
  if (!e.sni.empty()) ent.out->sni = e.sni;
  ent.out->as_sender = true;
  CheckBytes(ent, e.ts);
}

void Tracker::OnDnsQuery(const DnsQueryEvent& e) {
  std::lock_guard lock(mu_);
  cells_->dns_queries.Inc();
  SetNow(e.ts);
  MaybeSweep();
  DnsQuery(e);
}

void Tracker::Advance(Timestamp now) {
  // Cheap when called per packet (live mode calls it from every worker): at most one locked
  // pass per packet-time second.
  Timestamp prev = advance_hint_.load(std::memory_order_relaxed);
  if (prev != EntityWindows::kNever && now >= prev && now - prev < kNanosPerSecond) return;
  advance_hint_.store(now, std::memory_order_relaxed);
  std::lock_guard lock(mu_);
  SetNow(now);
  MaybeSweep();
  if (!cfg_.state_dir.empty() && now_ != EntityWindows::kNever) {
    Timestamp since = last_snapshot_ts_ == EntityWindows::kNever ? first_ts_ : last_snapshot_ts_;
    if (now_ - since >= Seconds(cfg_.snapshot_interval_s)) {
      std::string body = SerializeLocked();
      last_snapshot_ts_ = now_;
      mu_.unlock();  // file I/O outside the lock; body is already a consistent copy
      bool ok = WriteSnapshotFile(cfg_.state_dir, body);
      mu_.lock();
      (ok ? cells_->snapshots_saved : cells_->snapshot_errors).Inc();
    }
  }
  UpdateGauges();
}

void Tracker::UpdateGauges() {
  cells_->entities.Set(static_cast<std::int64_t>(entities_.size()));
  cells_->dns_tracked.Set(static_cast<std::int64_t>(dns_.size()));
  if (now_ != EntityWindows::kNever) {
    Timestamp since = last_snapshot_ts_ == EntityWindows::kNever ? first_ts_ : last_snapshot_ts_;
    cells_->snapshot_age.Set((now_ - since) / kNanosPerSecond);
  }
}

void Tracker::MaybeSweep() {
  std::int64_t hour = SlotOf(now_) / kSlotsPerHour;
  if (hour == last_sweep_hour_) return;
  last_sweep_hour_ = hour;
  Sweep();
}

void Tracker::Sweep() {
  for (auto it = lru_.begin(); it != lru_.end();) {
    Entity& e = **it;
    RollEntity(e);
    // Nothing left in any window and no baseline being learned: forget it.
    bool idle = e.win.Empty() && !e.has_out;
    bool throttled_recently = e.throttle != nullptr && now_ - e.last_active < WindowLength(Window::k30d);
    if (idle && !throttled_recently) {
      auto key = EntityKey(e.kind, e.id, e.ip);
      it = lru_.erase(it);
      entities_.erase(key);
    } else {
      ++it;
    }
  }
  // DNS states only live for their 1 h window.
  for (auto it = dns_lru_.begin(); it != dns_lru_.end();) {
    DnsState& d = **it;
    if (SlotOf(now_) - d.cur_slot >= 12) {
      std::string key(reinterpret_cast<const char*>(d.client.bytes.data()), 16);
      key += d.domain;
      it = dns_lru_.erase(it);
      dns_.erase(key);
    } else {
      ++it;
    }
  }
  CheckPeers();
  UpdateGauges();
}

std::size_t Tracker::entity_count() const {
  std::lock_guard lock(mu_);
  return entities_.size();
}

std::optional<EntityStats> Tracker::Stats(EntityKind kind, const std::string& id) const {
  std::lock_guard lock(mu_);
  IpAddr ip{};
  if (kind == EntityKind::kIp) {
    auto p = IpAddr::Parse(id);
    if (!p) return std::nullopt;
    ip = *p;
  }
  Entity* e = Find(kind, id, ip);
  if (e == nullptr) return std::nullopt;
  // Windows are read as of now_ without mutating: roll a copy-free view by rolling the entity
  // (rolling is idempotent and what the next event would do anyway).
  const_cast<Tracker*>(this)->RollEntity(*e);
  EntityStats s;
  s.distinct_1h = e->win.Distinct(Window::k1h);
  s.distinct_24h = e->win.Distinct(Window::k24h);
  s.distinct_30d = e->win.Distinct(Window::k30d);
  auto d = e->win.Sum(Window::k24h);
  s.txn_24h = d.txn;
  s.bytes_24h = d.bytes;
  s.out_24h = d.out_bytes;
  s.out_1h = e->win.Sum(Window::k1h).out_bytes;
  s.baseline_daily_out = e->ewma_daily_out;
  s.baseline_days = e->baseline_days;
  s.hll_mode = e->win.hll_mode();
  return s;
}

std::size_t Tracker::ApproxMemoryBytes() const {
  std::lock_guard lock(mu_);
  std::size_t n = 0;
  for (const auto& [k, e] : entities_) {
    n += k.capacity() + sizeof(Entity) + 64 /* map + list nodes */ + e->win.MemoryBytes();
    if (e->rec) n += sizeof(Recent);
    if (e->out) n += sizeof(Recent);
  }
  return n;
}

void Tracker::UpdateRules(const TrackConfig& cfg) {
  std::lock_guard lock(mu_);
  cfg_.bulk = cfg.bulk;
  cfg_.records = cfg.records;
  cfg_.bytes = cfg.bytes;
  cfg_.dns = cfg.dns;
  cfg_.max_evidence = cfg.max_evidence;
}

}  // namespace vigie::track
