// Rule evaluation and alert construction (see README.md for each rule and its defaults).
#include <algorithm>
#include <cmath>

#include "core/hash.h"
#include "flow/flow.h"
#include "track/dns_names.h"
#include "track/tracker_internal.h"

namespace vigie::track {

using alert::EntityKind;

namespace {

std::vector<std::string> MitreFor(AppProto p) {
  if (p == AppProto::kSmtp || p == AppProto::kRaw) return {"T1048"};
  return {"T1567"};
}

}  // namespace

void FillPath(alert::Alert& a, const DataPath& path, AppProto app_proto) {
  a.src_ip = path.src_ip;
  a.src_port = path.src_port;
  a.dest_ip = path.dest_ip;
  a.dest_port = path.dest_port;
  a.proto = path.proto;
  a.community_id = path.community_id;
  a.app_proto = AppProtoName(app_proto);
}

namespace {

void FillPii(alert::Alert& a, const WindowSum& s) {
  a.pii.records = s.distinct;
  for (std::size_t t = 0; t < match::kPiiTypeCount; ++t)
    if (s.matches[t]) a.pii.by_type.emplace_back(match::kPiiTypeNames[t], s.matches[t]);
}

}  // namespace

bool Tracker::Allowed(const RuleFilter& f, const Entity& ent) const {
  if (!f.enabled) return false;
  if (std::find(f.allow_ids.begin(), f.allow_ids.end(), ent.id) != f.allow_ids.end()) return false;
  if (ent.kind == EntityKind::kIp && f.allow_nets.Contains(ent.ip)) return false;
  return true;
}

// The one place alerts leave the tracker (and are counted).
void Tracker::Emit(alert::Alert&& a) {
  if (a.community_id.empty()) {
    // Decoders leave it empty (a SHA-1 per flow is too dear at line rate); an alert is rare.
    flow::Flow f;
    f.client = {a.src_ip, a.src_port};
    f.server = {a.dest_ip, a.dest_port};
    f.proto = a.proto;
    a.community_id = flow::CommunityId(f);
  }
  if (a.rule == kRuleBulk) {
    cells_->alerts_bulk.Inc();
  } else if (a.rule == kRuleRecords) {
    cells_->alerts_records.Inc();
  } else if (a.rule == kRuleBytes) {
    cells_->alerts_bytes.Inc();
  } else {
    cells_->alerts_dns.Inc();
  }
  sink_.Write(a);
}

void Tracker::CheckRecords(Entity& ent, Timestamp ts) {
  const auto& rc = cfg_.records;
  if (!ent.rec || !Allowed(rc.filter, ent)) return;
  const std::uint64_t th[3] = {rc.threshold_1h, rc.threshold_24h, rc.threshold_30d};
  const ThrottleId ids[3] = {kThRec1h, kThRec24h, kThRec30d};
  for (int i = 0; i < 3; ++i) {
    Window w = kWindows[i];
    std::uint64_t d = ent.win.Distinct(w);
    if (d < th[i] || !ent.Th(ids[i]).Allow(d, now_, WindowLength(w))) continue;
    alert::Alert a;
    a.ts = ts;
    a.rule = kRuleRecords;
    a.severity = alert::Severity::kHigh;
    a.window = WindowName(w);
    FillPath(a, ent.rec->path, ent.rec->app_proto);
    a.entity = {ent.kind, ent.id};
    auto sum = ent.win.Sum(w);
    FillPii(a, sum);
    a.bytes = sum.bytes;
    a.evidence = ent.rec->excerpts;
    a.mitre = MitreFor(ent.rec->app_proto);
    if (w == Window::k30d) a.mitre.push_back("T1030");  // slow, small-chunk exfiltration
    a.threshold = th[i];
    if (ent.rec->app_proto == AppProto::kHttp) a.http_detail = ent.rec->detail;
    std::string who = ent.kind == EntityKind::kAccount ? "account " : "host ";
    std::string verb = ent.rec->as_sender ? " sent out " : " received ";
    a.message = who + ent.id + verb + std::to_string(d) + " distinct people's records in " + std::string(WindowName(w)) +
                " (threshold " + std::to_string(th[i]) + ")";
    Emit(std::move(a));
  }
}

void Tracker::CheckBytes(Entity& ent, Timestamp ts) {
  const auto& bc = cfg_.bytes;
  if (!ent.out || !Allowed(bc.filter, ent)) return;
  auto emit = [&](Window w, std::uint64_t value, std::uint64_t limit, alert::Severity sev, const std::string& why) {
    alert::Alert a;
    a.ts = ts;
    a.rule = kRuleBytes;
    a.severity = sev;
    a.window = WindowName(w);
    FillPath(a, ent.out->path, ent.out->app_proto);
    a.entity = {ent.kind, ent.id};
    a.bytes = value;
    a.sni = ent.out->sni;
    a.mitre = {"T1048"};
    if (!a.sni.empty() || ent.out->app_proto == AppProto::kTls || ent.out->app_proto == AppProto::kHttp)
      a.mitre.push_back("T1567");
    a.threshold = limit;
    a.message = "host " + ent.id + " sent " + HumanBytes(value) + " to outside destinations in " +
                std::string(WindowName(w)) + " (" + why + ")";
    if (!a.sni.empty()) a.message += ", last server name " + a.sni;
    Emit(std::move(a));
  };
  std::uint64_t o1 = ent.win.Sum(Window::k1h).out_bytes;
  std::uint64_t o24 = ent.win.Sum(Window::k24h).out_bytes;
  if (o1 >= bc.threshold_1h && ent.Th(kThBytes1h).Allow(o1, now_, WindowLength(Window::k1h)))
    emit(Window::k1h, o1, bc.threshold_1h, alert::Severity::kHigh, "threshold " + HumanBytes(bc.threshold_1h));
  if (o24 >= bc.threshold_24h && ent.Th(kThBytes24h).Allow(o24, now_, WindowLength(Window::k24h)))
    emit(Window::k24h, o24, bc.threshold_24h, alert::Severity::kHigh, "threshold " + HumanBytes(bc.threshold_24h));
  if (bc.baseline_enabled && ent.baseline_days >= bc.baseline_min_days) {
    auto limit = static_cast<std::uint64_t>(
        std::max(bc.baseline_factor * ent.ewma_daily_out, static_cast<double>(bc.baseline_min_bytes)));
    if (o24 > limit && o24 < bc.threshold_24h &&  // above the absolute threshold that rule speaks
        ent.Th(kThBytesBaseline).Allow(o24, now_, WindowLength(Window::k24h)))
      emit(Window::k24h, o24, limit, alert::Severity::kMedium,
           "baseline " + HumanBytes(static_cast<std::uint64_t>(ent.ewma_daily_out)) + "/day over " +
               std::to_string(ent.baseline_days) + " days, limit " + HumanBytes(limit));
  }
}

void Tracker::CheckPeers() {
  const auto& rc = cfg_.records;
  if (!rc.peer_enabled || !rc.filter.enabled) return;
  // Group active entities: all accounts together; inside IPs by /24 (IPv4) or /64 (IPv6).
  std::unordered_map<std::string, std::vector<std::pair<std::uint64_t, Entity*>>> groups;
  for (auto* e : lru_) {
    if (!e->rec) continue;
    std::uint64_t d = e->win.Distinct(Window::k24h);
    if (d == 0) continue;
    std::string g;
    if (e->kind == EntityKind::kAccount) {
      g = "a";
    } else if (e->inside) {
      std::size_t keep = e->ip.IsV4() ? 15 : 8;
      g.assign(reinterpret_cast<const char*>(e->ip.bytes.data()), keep);
      g.insert(g.begin(), 'i');
    } else {
      continue;
    }
    groups[g].emplace_back(d, e);
  }
  for (auto& [g, members] : groups) {
    std::size_t n = members.size();
    if (n < static_cast<std::size_t>(rc.peer_min_peers) + 1) continue;  // the entity + its peers
    std::vector<std::uint64_t> sorted;
    sorted.reserve(n);
    for (const auto& m : members) sorted.push_back(m.first);
    std::sort(sorted.begin(), sorted.end());
    for (auto& [v, e] : members) {
      if (v < rc.peer_min_records) continue;
      // Median of the others: the sorted list with one copy of v removed.
      std::size_t p = static_cast<std::size_t>(std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
      auto other = [&](std::size_t k) { return k < p ? sorted[k] : sorted[k + 1]; };
      std::size_t m = n - 1;
      double median = (m % 2 == 1) ? static_cast<double>(other(m / 2))
                                   : (static_cast<double>(other(m / 2 - 1)) + static_cast<double>(other(m / 2))) / 2;
      double limit = rc.peer_factor * median;
      if (static_cast<double>(v) <= limit || !Allowed(rc.filter, *e)) continue;
      if (!e->Th(kThRecPeer).Allow(v, now_, WindowLength(Window::k24h))) continue;
      alert::Alert a;
      a.ts = now_;
      a.rule = kRuleRecords;
      a.severity = alert::Severity::kMedium;
      a.window = "24h";
      FillPath(a, e->rec->path, e->rec->app_proto);
      a.entity = {e->kind, e->id};
      auto sum = e->win.Sum(Window::k24h);
      FillPii(a, sum);
      a.bytes = sum.bytes;
      a.evidence = e->rec->excerpts;
      a.mitre = MitreFor(e->rec->app_proto);
      a.mitre.push_back("T1030");
      a.threshold = static_cast<std::uint64_t>(std::ceil(limit));
      char med[32];
      std::snprintf(med, sizeof med, "%.0f", median);
      a.message = std::string(e->kind == EntityKind::kAccount ? "account " : "host ") + e->id + " received " +
                  std::to_string(v) + " distinct people's records in 24h, " +
                  std::to_string(static_cast<std::uint64_t>(std::llround(static_cast<double>(v) / std::max(median, 1.0)))) +
                  "x the median of its " + std::to_string(m) + " peers (" + med + ")";
      Emit(std::move(a));
    }
  }
}

void Tracker::DnsQuery(const DnsQueryEvent& e) {
  const auto& dc = cfg_.dns;
  if (!dc.filter.enabled) return;
  SplitName sn = SplitRegisteredDomain(e.qname);
  if (sn.subdomain.empty()) return;
  bool long_enough = LongestLabel(sn.subdomain) >= dc.min_label_len || sn.subdomain.size() >= dc.min_subdomain_len;
  if (!long_enough || ShannonEntropy(sn.subdomain) < dc.min_entropy) return;

  std::string key(reinterpret_cast<const char*>(e.path.src_ip.bytes.data()), 16);
  key += sn.registered;
  auto it = dns_.find(key);
  DnsState* d;
  if (it == dns_.end()) {
    auto owned = std::make_unique<DnsState>();
    d = owned.get();
    d->client = e.path.src_ip;
    d->domain = std::string(sn.registered);
    d->lru = dns_lru_.insert(dns_lru_.end(), d);
    dns_.emplace(key, std::move(owned));
    while (dns_.size() > dc.max_tracked && !dns_lru_.empty()) {
      DnsState* victim = dns_lru_.front();
      if (victim == d) break;
      dns_lru_.pop_front();
      std::string vk(reinterpret_cast<const char*>(victim->client.bytes.data()), 16);
      vk += victim->domain;
      dns_.erase(vk);
      cells_->dns_evicted.Inc();
    }
  } else {
    d = it->second.get();
    dns_lru_.splice(dns_lru_.end(), dns_lru_, d->lru);
  }
  std::int64_t slot = SlotOf(now_);
  if (d->cur_slot != EntityWindows::kNever && slot > d->cur_slot) {
    if (slot - d->cur_slot >= 12) {
      d->counts.fill(0);
    } else {
      for (std::int64_t s = d->cur_slot + 1; s <= slot; ++s) d->counts[static_cast<std::size_t>(s % 12)] = 0;
    }
    d->names.RemoveOlderThan(slot - 11, slot);
  }
  if (d->cur_slot == EntityWindows::kNever || slot > d->cur_slot) d->cur_slot = slot;
  // Bounded memory: past kMaxNames distinct names in an hour every further name counts as new
  // (the threshold is long passed by then).
  constexpr std::size_t kMaxNames = 8192;
  std::uint32_t fp = FpTable::Fingerprint(Hash64(e.qname));
  std::int64_t prev = d->names.size() < kMaxNames ? d->names.Upsert(fp, slot) : FpTable::kAbsent;
  if (prev != FpTable::kAbsent) return;  // repeated within the hour: caches and CDNs do that, tunnels do not
  ++d->counts[static_cast<std::size_t>(slot % 12)];
  d->path = e.path;
  if (d->evidence.size() < cfg_.max_evidence) d->evidence.push_back(MaskQname(sn));
  std::uint64_t count = 0;
  for (auto c : d->counts) count += c;
  if (count < dc.threshold_1h) return;
  if (std::find(dc.filter.allow_ids.begin(), dc.filter.allow_ids.end(), d->domain) != dc.filter.allow_ids.end()) return;
  Entity probe;
  probe.kind = EntityKind::kIp;
  probe.id = e.path.src_ip.ToString();
  probe.ip = e.path.src_ip;
  if (!Allowed(dc.filter, probe)) return;
  if (!d->throttle.Allow(count, now_, WindowLength(Window::k1h))) return;
  alert::Alert a;
  a.ts = e.ts;
  a.rule = kRuleDns;
  a.severity = alert::Severity::kHigh;
  a.window = "1h";
  FillPath(a, e.path, AppProto::kDns);
  a.entity = {EntityKind::kIp, probe.id};
  a.evidence = d->evidence;
  a.mitre = {"T1071.004", "T1048"};
  a.threshold = dc.threshold_1h;
  a.dns_domain = d->domain;
  a.message = "host " + probe.id + " sent " + std::to_string(count) +
              " long, high-entropy, never-repeated query names under " + d->domain + " in 1h (threshold " +
              std::to_string(dc.threshold_1h) + ")";
  Emit(std::move(a));
}

}  // namespace vigie::track
