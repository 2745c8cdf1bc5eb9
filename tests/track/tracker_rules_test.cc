// Each rule on its own: thresholds, throttling, allow-lists, alert fields.
#include <gtest/gtest.h>

#include <random>

#include "flow/flow.h"
#include "track_test_util.h"

namespace vigie::track {
namespace {

using namespace testing;
using alert::EntityKind;

std::vector<alert::Alert> For(const std::vector<alert::Alert>& all, EntityKind kind, const std::string& id,
                              const std::string& window = {}) {
  std::vector<alert::Alert> out;
  for (const auto& a : all)
    if (a.entity.kind == kind && a.entity.id == id && (window.empty() || a.window == window)) out.push_back(a);
  return out;
}

// 12 000 distinct people in one hour, 100 per page every 30 s.
void PageThrough(Tracker& t, Timestamp start, const std::string& account, const std::string& ws, int pages = 120,
                 std::uint64_t first = 1'000'000) {
  for (int p = 0; p < pages; ++p)
    t.OnTransaction(Download(start + p * Seconds(30), account, ws, first + 100ull * p, 100));
}

TEST(BulkTransfer, OneTransactionWithManyRecords) {
  Harness h;
  h.tracker.OnTransaction(Download(kT0, Account(1), Workstation(1), 0, 99));
  EXPECT_TRUE(h.Alerts().empty());
  h.tracker.OnTransaction(Download(kT0 + kMinute, Account(1), Workstation(1), 1000, 150));
  auto a = h.Alerts("pii.bulk_transfer");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].severity, alert::Severity::kHigh);
  EXPECT_EQ(a[0].window, "txn");
  EXPECT_EQ(a[0].pii.records, 150u);
  EXPECT_EQ(a[0].entity.id, Account(1));
  EXPECT_EQ(a[0].src_ip.ToString(), "10.10.0.5");  // data came from the API server
  EXPECT_EQ(a[0].dest_ip.ToString(), Workstation(1));
  EXPECT_EQ(a[0].mitre, std::vector<std::string>{"T1567"});
  EXPECT_EQ(a[0].message, "account capemploi-0001 received 150 distinct people's records in one transaction (threshold 100)");
  // Same size again within the hour: throttled; double the size: alerts again.
  h.tracker.OnTransaction(Download(kT0 + 2 * kMinute, Account(1), Workstation(1), 2000, 150));
  EXPECT_EQ(h.Alerts("pii.bulk_transfer").size(), 1u);
  h.tracker.OnTransaction(Download(kT0 + 3 * kMinute, Account(1), Workstation(1), 3000, 300));
  EXPECT_EQ(h.Alerts("pii.bulk_transfer").size(), 2u);
  EXPECT_EQ(h.Metric("vigie_alerts_total", {{"rule", "pii.bulk_transfer"}}), 2);
}

// Decoders leave the Community ID empty; the alert gets the flow's, whichever way the data went.
TEST(BulkTransfer, CommunityIdDerivedForTheAlert) {
  Harness h;
  TransactionEvent e = Download(kT0, Account(1), Workstation(1), 0, 150);
  e.path.community_id.clear();
  h.tracker.OnTransaction(e);
  const auto a = h.Alerts("pii.bulk_transfer");
  ASSERT_EQ(a.size(), 1u);
  flow::Flow f;  // the connection as the client opened it: workstation → API server
  f.client = {Ip(Workstation(1)), 50000};
  f.server = {Ip("10.10.0.5"), 8080};
  f.proto = 6;
  EXPECT_EQ(a[0].community_id, flow::CommunityId(f));
  EXPECT_EQ(a[0].community_id.rfind("1:", 0), 0u);
}

TEST(EntityRecords, ThrottledToEscalatingAlerts) {
  TrackConfig cfg;
  cfg.bulk.filter.enabled = false;
  Harness h(cfg);
  PageThrough(h.tracker, kT0 + 9 * kHour, Account(42), Workstation(42));
  auto all = h.Alerts("exfil.entity_records");
  auto hour = For(all, EntityKind::kAccount, Account(42), "1h");
  ASSERT_EQ(hour.size(), 4u);
  EXPECT_EQ(hour[0].pii.records, 1000u);  // exact counting below the cap
  EXPECT_EQ(hour[1].pii.records, 2000u);
  EXPECT_EQ(hour[2].pii.records, 4000u);
  EXPECT_NEAR(static_cast<double>(hour[3].pii.records), 8000, 8000 * 0.05);  // HLL past 4096
  EXPECT_EQ(hour[0].message, "account capemploi-0042 received 1000 distinct people's records in 1h (threshold 1000)");
  EXPECT_EQ(hour[0].threshold, 1000u);
  // by_type: summed matches in the window (2 per record here).
  ASSERT_EQ(hour[0].pii.by_type.size(), 2u);
  EXPECT_EQ(hour[0].pii.by_type[0], (std::pair<std::string, std::uint64_t>{"nir", 1000}));
  EXPECT_EQ(hour[0].pii.by_type[1], (std::pair<std::string, std::uint64_t>{"email", 1000}));
  EXPECT_EQ(hour[0].bytes, 600u * 1000);
  // Evidence: masked excerpts of the contributing events, at most 3.
  EXPECT_EQ(hour[0].evidence.size(), 3u);
  EXPECT_EQ(hour[0].evidence[0].substr(0, 19), "2 85 05 ** *** *** ");
  EXPECT_EQ(hour[0].src_ip.ToString(), "10.10.0.5");
  EXPECT_EQ(hour[0].dest_ip.ToString(), Workstation(42));
  EXPECT_EQ(hour[0].dest_port, 50000);
  EXPECT_EQ(hour[0].http_detail, "GET api.example/v1/people?from=1000900 200");
  EXPECT_EQ(For(all, EntityKind::kAccount, Account(42), "24h").size(), 2u);  // 5000, then 10000
  EXPECT_EQ(For(all, EntityKind::kAccount, Account(42), "30d").size(), 1u);  // 10000
  // The workstation's IP entity received the same data.
  EXPECT_EQ(For(all, EntityKind::kIp, Workstation(42), "1h").size(), 4u);
  EXPECT_LE(all.size(), 14u);
  // Still above threshold a full window after the last alert (at ~09:40): alerts again.
  PageThrough(h.tracker, kT0 + 10 * kHour + 20 * kMinute, Account(42), Workstation(42), 18, 5'000'000);
  EXPECT_EQ(For(h.Alerts("exfil.entity_records"), EntityKind::kAccount, Account(42), "1h").size(), 4u);
  PageThrough(h.tracker, kT0 + 10 * kHour + 40 * kMinute, Account(42), Workstation(42), 2, 6'000'000);
  EXPECT_EQ(For(h.Alerts("exfil.entity_records"), EntityKind::kAccount, Account(42), "1h").size(), 5u);
}

TEST(EntityRecords, AllowListByIdAndCidrAndDisable) {
  TrackConfig cfg;
  cfg.bulk.filter.enabled = false;
  cfg.records.filter.allow_ids = {Account(42)};
  cfg.records.filter.allow_nets = *CidrSet::Parse("10.20.0.0/24");
  Harness h(cfg);
  PageThrough(h.tracker, kT0, Account(42), Workstation(42));
  EXPECT_TRUE(h.Alerts().empty());
  PageThrough(h.tracker, kT0 + 2 * kHour, Account(43), "10.30.0.1", 120, 3'000'000);
  auto a = h.Alerts();
  ASSERT_FALSE(a.empty());
  EXPECT_FALSE(For(a, EntityKind::kAccount, Account(43)).empty());
  EXPECT_FALSE(For(a, EntityKind::kIp, "10.30.0.1").empty());

  TrackConfig off;
  off.bulk.filter.enabled = false;
  off.records.filter.enabled = false;
  Harness h2(off);
  PageThrough(h2.tracker, kT0, Account(42), Workstation(42));
  EXPECT_TRUE(h2.Alerts().empty());
}

TEST(EntityRecords, InsideSenderToOutsideIsCredited) {
  TrackConfig cfg;
  cfg.bulk.filter.enabled = false;
  Harness h(cfg);
  // An inside server pushes 1500 people to an outside address (no account).
  for (int p = 0; p < 15; ++p)
    h.tracker.OnTransaction(Download(kT0 + p * kMinute, "", "203.0.113.50", 100ull * p, 100, "10.10.0.9"));
  auto a = h.Alerts("exfil.entity_records");
  ASSERT_EQ(For(a, EntityKind::kIp, "10.10.0.9", "1h").size(), 1u);
  EXPECT_EQ(For(a, EntityKind::kIp, "10.10.0.9", "1h")[0].message,
            "host 10.10.0.9 sent out 1000 distinct people's records in 1h (threshold 1000)");
  EXPECT_EQ(For(a, EntityKind::kIp, "203.0.113.50", "1h").size(), 1u);
  // client_ip (X-Forwarded-For) replaces the receiving address.
  TransactionEvent e = Download(kT0 + kHour, "", "10.20.0.99", 0, 5);
  e.client_ip = Ip("192.0.2.7");
  h.tracker.OnTransaction(e);
  EXPECT_TRUE(h.tracker.Stats(EntityKind::kIp, "192.0.2.7").has_value());
  EXPECT_FALSE(h.tracker.Stats(EntityKind::kIp, "10.20.0.99").has_value());
}

// Peers: accounts' 24 h distinct records; the outlier must exceed factor × median of the
// OTHERS and the minimum.
struct PeerCase {
  std::vector<std::uint32_t> normal;
  std::uint32_t outlier;
  bool alert;
};

TEST(EntityRecords, PeerMedian) {
  const PeerCase cases[] = {
      {{10, 12, 14, 16, 18}, 600, true},     // median 14 → limit 280; 600 ≥ 500
      {{10, 12, 14, 16}, 600, false},        // only 4 peers
      {{10, 12, 14, 16, 18}, 450, false},    // below the 500 minimum
      {{30, 35, 40, 45, 50}, 700, false},    // median 40 → limit 800
      {{30, 35, 40, 45, 50, 60}, 900, true}, // median 42.5 → limit 850
  };
  for (const auto& c : cases) {
    TrackConfig cfg;
    cfg.bulk.filter.enabled = false;
    Harness h(cfg);
    std::uint64_t person = 0;
    int i = 0;
    for (auto n : c.normal) {
      h.tracker.OnTransaction(Download(kT0 + kMinute, Account(i), Workstation(i), person, n, "192.0.2.1"));
      person += n;
      ++i;
    }
    for (std::uint32_t k = 0; k < c.outlier; k += 50)
      h.tracker.OnTransaction(Download(kT0 + 2 * kMinute, Account(99), "10.99.0.1", person + k, 50, "192.0.2.1"));
    EXPECT_TRUE(h.Alerts().empty());
    h.tracker.Advance(kT0 + kHour);  // the hourly peer check
    auto a = h.Alerts("exfil.entity_records");
    if (c.alert) {
      ASSERT_EQ(a.size(), 1u) << c.outlier;
      EXPECT_EQ(a[0].entity.id, Account(99));
      EXPECT_EQ(a[0].window, "24h");
      EXPECT_EQ(a[0].severity, alert::Severity::kMedium);
      EXPECT_EQ(a[0].pii.records, c.outlier);
    } else {
      EXPECT_TRUE(a.empty()) << c.outlier;
    }
    h.tracker.Advance(kT0 + 2 * kHour);  // throttled: no repeat
    EXPECT_EQ(h.Alerts().size(), c.alert ? 1u : 0u);
  }
}

TEST(EntityRecords, PeerGroupsOfIpsAreInsideSlash24) {
  TrackConfig cfg;
  cfg.bulk.filter.enabled = false;
  Harness h(cfg);
  // Five normal hosts in 10.20.0.0/24 and one outlier in 10.20.1.0/24: no group of 6.
  for (int i = 0; i < 5; ++i) h.tracker.OnTransaction(Download(kT0, "", "10.20.0." + std::to_string(i + 1), 100ull * i, 10));
  for (int k = 0; k < 12; ++k) h.tracker.OnTransaction(Download(kT0, "", "10.20.1.1", 10000 + 50ull * k, 50));
  h.tracker.Advance(kT0 + kHour);
  EXPECT_TRUE(h.Alerts().empty());
  // Same outlier inside the /24: alerts.
  for (int k = 0; k < 12; ++k) h.tracker.OnTransaction(Download(kT0 + kHour, "", "10.20.0.77", 20000 + 50ull * k, 50));
  h.tracker.Advance(kT0 + 2 * kHour);
  auto a = h.Alerts();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].entity.id, "10.20.0.77");
}

VolumeEvent Upload(Timestamp ts, const std::string& src, const std::string& dst, std::uint64_t bytes) {
  VolumeEvent v;
  v.ts = ts;
  v.path.src_ip = Ip(src);
  v.path.src_port = 40000;
  v.path.dest_ip = Ip(dst);
  v.path.dest_port = 443;
  v.bytes = bytes;
  v.sni = "upload.filehost.example";
  v.app_proto = AppProto::kTls;
  return v;
}

TEST(EntityBytes, OneGigabyteUploadInVolumeEvents) {
  Harness h;
  for (int i = 0; i < 1000; ++i) h.tracker.OnVolume(Upload(kT0 + i * Seconds(1), "10.20.0.7", "203.0.113.9", 1'000'000));
  auto a = h.Alerts("exfil.entity_bytes");
  ASSERT_EQ(a.size(), 2u);  // at 500 MB, then again when doubled at 1 GB
  EXPECT_EQ(a[0].bytes, 500'000'000u);
  EXPECT_EQ(a[1].bytes, 1'000'000'000u);
  EXPECT_EQ(a[0].window, "1h");
  EXPECT_EQ(a[0].entity.id, "10.20.0.7");
  EXPECT_EQ(a[0].src_ip.ToString(), "10.20.0.7");
  EXPECT_EQ(a[0].dest_ip.ToString(), "203.0.113.9");
  EXPECT_EQ(a[0].sni, "upload.filehost.example");
  EXPECT_EQ(a[0].app_proto, "tls");
  EXPECT_EQ(a[0].message,
            "host 10.20.0.7 sent 500.0 MB to outside destinations in 1h (threshold 500.0 MB), last server name "
            "upload.filehost.example");
  // Inside → inside and outside → inside never count.
  for (int i = 0; i < 1000; ++i) {
    h.tracker.OnVolume(Upload(kT0 + i * Seconds(1), "10.20.0.8", "10.30.0.1", 1'000'000));
    h.tracker.OnVolume(Upload(kT0 + i * Seconds(1), "198.51.100.1", "10.20.0.8", 1'000'000));
  }
  EXPECT_EQ(h.Alerts("exfil.entity_bytes").size(), 2u);
}

TEST(EntityBytes, TwentyFourHoursAndBaseline) {
  Harness h;
  // 10 days of 10 MB/day (baseline), then 150 MB in a day: above 10× baseline and 100 MB.
  for (int d = 0; d < 10; ++d) h.tracker.OnVolume(Upload(kT0 + d * kDay + 12 * kHour, "10.20.0.7", "203.0.113.9", 10'000'000));
  EXPECT_TRUE(h.Alerts().empty());
  auto st = h.tracker.Stats(EntityKind::kIp, "10.20.0.7");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->baseline_days, 9u);
  EXPECT_NEAR(st->baseline_daily_out, 10'000'000, 1);
  for (int i = 0; i < 15; ++i)
    h.tracker.OnVolume(Upload(kT0 + 10 * kDay + 14 * kHour + i * kMinute, "10.20.0.7", "203.0.113.9", 10'000'000));
  auto a = h.Alerts("exfil.entity_bytes");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].window, "24h");
  EXPECT_EQ(a[0].severity, alert::Severity::kMedium);
  EXPECT_EQ(a[0].bytes, 110'000'000u);  // first value above the 100 MB limit (incl. the 10 MB of 12:00)
  // A host without 7 days of history is only held to the absolute thresholds.
  for (int i = 0; i < 15; ++i) h.tracker.OnVolume(Upload(kT0 + 10 * kDay + i * kMinute, "10.20.0.9", "203.0.113.9", 10'000'000));
  EXPECT_EQ(h.Alerts("exfil.entity_bytes").size(), 1u);
  // 2 GB over a day in 100 MB/h (never 500 MB in an hour): the 24 h threshold.
  for (int i = 0; i < 21; ++i)
    h.tracker.OnVolume(Upload(kT0 + 12 * kDay + i * kHour, "10.20.0.50", "203.0.113.9", 100'000'000));
  a = h.Alerts("exfil.entity_bytes");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[1].window, "24h");
  EXPECT_EQ(a[1].bytes, 2'000'000'000u);
}

DnsQueryEvent Query(Timestamp ts, const std::string& client, const std::string& qname) {
  DnsQueryEvent q;
  q.ts = ts;
  q.path.src_ip = Ip(client);
  q.path.src_port = 53000;
  q.path.dest_ip = Ip("10.0.0.53");
  q.path.dest_port = 53;
  q.path.proto = 17;
  q.qname = qname;
  q.qtype = 16;
  return q;
}

std::string RandomChars(std::mt19937_64& rng, const char* alphabet, int n) {
  std::string s;
  std::size_t k = std::strlen(alphabet);
  for (int i = 0; i < n; ++i) s += alphabet[rng() % k];
  return s;
}

TEST(DnsTunnel, Base32TunnelAlertsOnce) {
  Harness h;
  std::mt19937_64 rng(7);
  for (int i = 0; i < 150; ++i) {
    std::string name = RandomChars(rng, "abcdefghijklmnopqrstuvwxyz234567", 40) + "." +
                       RandomChars(rng, "abcdefghijklmnopqrstuvwxyz234567", 20) + ".t.tunnel-example.com";
    h.tracker.OnDnsQuery(Query(kT0 + i * Seconds(10), "10.20.0.66", name));
  }
  auto a = h.Alerts("exfil.dns_tunnel");
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].entity.id, "10.20.0.66");
  EXPECT_EQ(a[0].dns_domain, "tunnel-example.com");
  EXPECT_EQ(a[0].window, "1h");
  EXPECT_EQ(a[0].proto, 17);
  EXPECT_EQ(a[0].src_ip.ToString(), "10.20.0.66");
  EXPECT_EQ(a[0].dest_ip.ToString(), "10.0.0.53");
  EXPECT_EQ(a[0].mitre, (std::vector<std::string>{"T1071.004", "T1048"}));
  EXPECT_EQ(a[0].evidence.size(), 3u);
  EXPECT_NE(a[0].evidence[0].find("[63 chars].tunnel-example.com"), std::string::npos) << a[0].evidence[0];
  EXPECT_NE(a[0].message.find("100 long, high-entropy"), std::string::npos);
}

TEST(DnsTunnel, HexTunnelUnderCoUkAndThresholdWindow) {
  Harness h;
  std::mt19937_64 rng(9);
  // 99 names in an hour: quiet. Hex labels of 52 chars have entropy ~3.9 bits.
  for (int i = 0; i < 99; ++i)
    h.tracker.OnDnsQuery(Query(kT0 + i * Seconds(30), "10.20.0.67", RandomChars(rng, "0123456789abcdef", 52) + ".x.exfil.co.uk"));
  EXPECT_TRUE(h.Alerts().empty());
  // An hour later the old ones left the window: 99 more stay quiet, the 100th in the hour alerts.
  for (int i = 0; i < 100; ++i)
    h.tracker.OnDnsQuery(Query(kT0 + kHour + 0 * kMinute + i * Seconds(30), "10.20.0.67",
                               RandomChars(rng, "0123456789abcdef", 52) + ".x.exfil.co.uk"));
  auto a = h.Alerts();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].dns_domain, "exfil.co.uk");
}

TEST(DnsTunnel, OrdinaryCdnAndCloudNamesStayQuiet) {
  Harness h;
  std::mt19937_64 rng(11);
  const char* hex = "0123456789abcdef";
  const char* alnum = "abcdefghijklmnopqrstuvwxyz0123456789";
  for (int i = 0; i < 3000; ++i) {
    Timestamp ts = kT0 + 9 * kHour + i * Seconds(1);
    std::string client = "10.20.0." + std::to_string(1 + i % 3);
    const std::string names[] = {
        "d1a2b3c4.cloudfront.net",
        "e1234.a.akamaiedge.net",
        "www.google.com",
        "outlook.office365.com",
        "company-backups-prod-eu-west-3.s3.eu-west-3.amazonaws.com",
        "capemploi-static-assets.s3.amazonaws.com",
        "my-loadbalancer-1234567890.eu-west-3.elb.amazonaws.com",
        // Distinct, but short or low-entropy labels.
        "d" + RandomChars(rng, alnum, 13) + ".cloudfront.net",
        "r" + std::to_string(i % 9) + "---sn-" + RandomChars(rng, alnum, 8) + ".googlevideo.com",
        RandomChars(rng, hex, 10) + ".execute-api.eu-west-3.amazonaws.com",
        "e" + std::to_string(1000 + i) + ".dscb.akamaiedge.net",
        "login.microsoftonline.com",
        "safebrowsing.googleapis.com",
    };
    for (const auto& n : names) h.tracker.OnDnsQuery(Query(ts, client, n));
  }
  EXPECT_TRUE(h.Alerts().empty());
  // The same long random name repeated is not a tunnel either (never-repeated names only).
  std::string one = RandomChars(rng, "abcdefghijklmnopqrstuvwxyz234567", 50) + ".t.tunnel-example.com";
  for (int i = 0; i < 500; ++i) h.tracker.OnDnsQuery(Query(kT0 + 10 * kHour + i * Seconds(1), "10.20.0.5", one));
  EXPECT_TRUE(h.Alerts().empty());
}

TEST(DnsTunnel, AllowListedDomain) {
  TrackConfig cfg;
  cfg.dns.filter.allow_ids = {"tunnel-example.com"};
  Harness h(cfg);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 150; ++i)
    h.tracker.OnDnsQuery(Query(kT0 + i * Seconds(10), "10.20.0.66",
                               RandomChars(rng, "abcdefghijklmnopqrstuvwxyz234567", 40) + ".tunnel-example.com"));
  EXPECT_TRUE(h.Alerts().empty());
}

TEST(Entities, EvictionOfLeastRecentlyActive) {
  TrackConfig cfg;
  cfg.max_entities = 16;
  Harness h(cfg);
  for (int i = 0; i < 40; ++i) h.tracker.OnTransaction(Download(kT0 + i * Seconds(1), Account(i), "10.20.0.1", 10ull * i, 1));
  EXPECT_EQ(h.tracker.entity_count(), 16u);
  EXPECT_EQ(h.Metric("vigie_track_entities_evicted_total"), 41 - 16);  // 40 accounts + 1 IP
  EXPECT_FALSE(h.tracker.Stats(EntityKind::kAccount, Account(0)));
  EXPECT_TRUE(h.tracker.Stats(EntityKind::kAccount, Account(39)));
  EXPECT_TRUE(h.tracker.Stats(EntityKind::kIp, "10.20.0.1"));  // touched by every event
  h.tracker.Advance(kT0 + kMinute);
  EXPECT_EQ(h.Metric("vigie_track_entities"), 16);
}

TEST(Entities, IdleEntitiesExpireAfterThirtyDays) {
  Harness h;
  h.tracker.OnTransaction(Download(kT0, Account(1), Workstation(1), 0, 3));
  EXPECT_EQ(h.tracker.entity_count(), 2u);
  h.tracker.Advance(kT0 + 29 * kDay);
  EXPECT_EQ(h.tracker.entity_count(), 2u);
  EXPECT_EQ(h.tracker.Stats(EntityKind::kAccount, Account(1))->distinct_30d, 3u);
  h.tracker.Advance(kT0 + 31 * kDay);
  EXPECT_EQ(h.tracker.entity_count(), 0u);
  EXPECT_EQ(h.Metric("vigie_track_entities_evicted_total"), 0);
}

TEST(Tracker, TransactionsWithoutPiiDoNotCreateEntities) {
  Harness h;
  h.tracker.OnTransaction(Download(kT0, Account(1), Workstation(1), 0, 0));
  EXPECT_EQ(h.tracker.entity_count(), 0u);
}

}  // namespace
}  // namespace vigie::track
