#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <thread>

#include "core/bytes.h"
#include "core/hash.h"
#include "core/ip_addr.h"
#include "core/radix_sort.h"
#include "core/text.h"
#include "core/time.h"
#include "metrics/counters.h"

namespace vigie {
namespace {

// Same order as std::sort for every size around the small-input cut, with duplicates, keys
// sharing some bytes (passes skipped) and all equal; the scratch buffer reused across calls.
TEST(Text, TrimAny) {
  EXPECT_EQ(TrimAny(" \t nir \t"), "nir");
  EXPECT_EQ(TrimAny("a b"), "a b");
  EXPECT_EQ(TrimAny(" \t "), "");
  EXPECT_EQ(TrimAny(""), "");
  EXPECT_EQ(TrimAny("\r\nx\r", "\r\n"), "x");
  EXPECT_EQ(TrimAny(" x\r"), "x\r");
}

TEST(RadixSort, SameAsStdSort) {
  std::mt19937_64 rng(5);
  std::vector<std::uint64_t> scratch;
  for (std::size_t n : {0u, 1u, 255u, 256u, 257u, 1000u, 70000u}) {
    for (int shape = 0; shape < 4; ++shape) {
      std::vector<std::uint64_t> v(n);
      for (auto& x : v) {
        x = rng();
        if (shape == 1) x &= 0x00ff00000000ff0full;  // most bytes the same for every key
        if (shape == 2) x = 42;
        if (shape == 3) x %= 50;  // many duplicates
      }
      std::vector<std::uint64_t> want = v;
      std::sort(want.begin(), want.end());
      RadixSortU64(v, scratch);
      EXPECT_EQ(v, want) << "n " << n << " shape " << shape;
    }
  }
}

TEST(IpAddr, ParsesAndPrintsBothFamilies) {
  auto v4 = IpAddr::Parse("198.51.100.10");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->IsV4());
  EXPECT_EQ(v4->ToString(), "198.51.100.10");
  auto v6 = IpAddr::Parse("2001:db8::1");
  ASSERT_TRUE(v6);
  EXPECT_FALSE(v6->IsV4());
  EXPECT_EQ(v6->ToString(), "2001:db8::1");
  EXPECT_FALSE(IpAddr::Parse("300.1.1.1"));
  EXPECT_FALSE(IpAddr::Parse("nonsense"));
}

TEST(Cidr, ContainsRespectsPrefix) {
  auto set = CidrSet::Parse("10.0.0.0/8, 192.168.1.0/24,2001:db8::/32");
  ASSERT_TRUE(set);
  EXPECT_TRUE(set->Contains(*IpAddr::Parse("10.255.0.1")));
  EXPECT_FALSE(set->Contains(*IpAddr::Parse("11.0.0.1")));
  EXPECT_TRUE(set->Contains(*IpAddr::Parse("192.168.1.77")));
  EXPECT_FALSE(set->Contains(*IpAddr::Parse("192.168.2.1")));
  EXPECT_TRUE(set->Contains(*IpAddr::Parse("2001:db8:ffff::1")));
  EXPECT_FALSE(set->Contains(*IpAddr::Parse("2001:db9::1")));
  auto odd = CidrSet::Parse("172.16.0.0/12");
  EXPECT_TRUE(odd->Contains(*IpAddr::Parse("172.31.255.255")));
  EXPECT_FALSE(odd->Contains(*IpAddr::Parse("172.32.0.0")));
}

// Every prefix length 0..128 against a bit-by-bit definition, on addresses that differ from the
// base in one bit (each position) or at random.
TEST(Cidr, ContainsMatchesTheBitwiseDefinition) {
  std::mt19937 rng(3);
  const auto bit = [](const IpAddr& a, int i) { return (a.bytes[static_cast<std::size_t>(i / 8)] >> (7 - i % 8)) & 1; };
  for (int round = 0; round < 20; ++round) {
    IpAddr base;
    for (auto& b : base.bytes) b = static_cast<std::uint8_t>(rng());
    for (int len = 0; len <= 128; ++len) {
      const Cidr c{base, len};
      std::vector<IpAddr> probes = {base};
      for (int flip = 0; flip < 128; ++flip) {
        IpAddr a = base;
        a.bytes[static_cast<std::size_t>(flip / 8)] ^= static_cast<std::uint8_t>(0x80 >> (flip % 8));
        probes.push_back(a);
      }
      for (int k = 0; k < 8; ++k) {
        IpAddr a;
        for (auto& b : a.bytes) b = static_cast<std::uint8_t>(rng());
        probes.push_back(a);
      }
      for (const IpAddr& a : probes) {
        bool inside = true;
        for (int i = 0; i < len; ++i) inside = inside && bit(a, i) == bit(base, i);
        ASSERT_EQ(c.Contains(a), inside) << "/" << len << " round " << round;
      }
    }
  }
}

TEST(Cidr, RejectsBadInput) {
  std::string bad;
  EXPECT_FALSE(CidrSet::Parse("10.0.0.0/8,10.0.0.0/33", &bad));
  EXPECT_EQ(bad, "10.0.0.0/33");
  EXPECT_FALSE(CidrSet::Parse("10.0.0.0/x", &bad));
  EXPECT_FALSE(Cidr::Parse("::1/129"));
}

TEST(Time, FormatsMicrosecondsUtc) {
  EXPECT_EQ(FormatIso8601(Seconds(1707214502) + 123456789), "2024-02-06T10:15:02.123456Z");
  EXPECT_EQ(FormatIso8601(0), "1970-01-01T00:00:00.000000Z");
}

TEST(Bytes, BigEndianLoads) {
  const std::uint8_t b[] = {0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0};
  EXPECT_EQ(LoadBe16(b), 0x1234);
  EXPECT_EQ(LoadBe24(b), 0x123456u);
  EXPECT_EQ(LoadBe32(b), 0x12345678u);
  EXPECT_EQ(LoadBe64(b), 0x123456789abcdef0ull);
  EXPECT_EQ(LoadLe16(b), 0x3412);
  EXPECT_EQ(LoadLe32(b), 0x78563412u);
}

TEST(KeyedHasher, DependsOnSecretAndValue) {
  KeyedHasher a("secret-one"), b("secret-two");
  EXPECT_EQ(a("295109912611193"), a("295109912611193"));
  EXPECT_NE(a("295109912611193"), b("295109912611193"));
  EXPECT_NE(a("295109912611193"), a("295109912611194"));
}

TEST(Metrics, SumsSetsByNameAndLabels) {
  metrics::Registry reg;
  auto s1 = reg.NewSet();
  auto s2 = reg.NewSet();
  auto& a1 = s1->Counter("vigie_test_things_total", "things", {{"kind", "a"}});
  auto& a2 = s2->Counter("vigie_test_things_total", "things", {{"kind", "a"}});
  auto& b1 = s1->Counter("vigie_test_things_total", "things", {{"kind", "b"}});
  EXPECT_EQ(&a1, &s1->Counter("vigie_test_things_total", "things", {{"kind", "a"}}));
  a1.Inc(3);
  a2.Inc(4);
  b1.Inc();
  auto& g = s2->Gauge("vigie_test_level", "level");
  g.Set(42);
  EXPECT_EQ(reg.Value("vigie_test_things_total", {{"kind", "a"}}), 7);
  EXPECT_EQ(reg.Total("vigie_test_things_total"), 8);
  std::string text = reg.PrometheusText();
  EXPECT_NE(text.find("# TYPE vigie_test_things_total counter"), std::string::npos);
  EXPECT_NE(text.find("vigie_test_things_total{kind=\"a\"} 7"), std::string::npos);
  EXPECT_NE(text.find("vigie_test_level 42"), std::string::npos);
}

TEST(Metrics, ConcurrentWriterAndReaderSeeMonotonicValues) {
  metrics::Registry reg;
  auto s = reg.NewSet();
  auto& c = s->Counter("vigie_test_total", "t");
  std::thread writer([&] {
    for (int i = 0; i < 200000; ++i) c.Inc();
  });
  std::int64_t last = 0;
  for (int i = 0; i < 100; ++i) {
    auto v = reg.Total("vigie_test_total");
    EXPECT_GE(v, last);
    last = v;
  }
  writer.join();
  EXPECT_EQ(reg.Total("vigie_test_total"), 200000);
}

}  // namespace
}  // namespace vigie

#include "core/spsc_ring.h"

namespace vigie {
namespace {

TEST(SpscRing, DeliversRecordsInOrderAcrossWraps) {
  SpscRing ring(1024);
  std::uint8_t head[4] = {1, 2, 3, 4};
  std::vector<std::uint8_t> body(100);
  int pushed = 0, popped = 0;
  for (int round = 0; round < 1000; ++round) {
    body.assign(static_cast<std::size_t>(round % 200), static_cast<std::uint8_t>(round));
    while (!ring.Push(head, body)) {
      auto f = ring.Front();
      ASSERT_FALSE(f.empty());
      ASSERT_EQ(f.size(), 4u + static_cast<std::size_t>(popped % 200));
      if (f.size() > 4) {
        ASSERT_EQ(f[4], static_cast<std::uint8_t>(popped));
      }
      ring.Pop();
      ++popped;
    }
    ++pushed;
  }
  while (!ring.Front().empty()) {
    auto f = ring.Front();
    EXPECT_EQ(f.size(), 4u + static_cast<std::size_t>(popped % 200));
    ring.Pop();
    ++popped;
  }
  EXPECT_EQ(pushed, popped);
  EXPECT_TRUE(ring.Empty());
}

TEST(SpscRing, ThreadedTransferKeepsEveryByte) {
  SpscRing ring(1 << 16);
  constexpr int kN = 20000;
  std::thread producer([&] {
    for (int i = 0; i < kN; ++i) {
      std::vector<std::uint8_t> body(static_cast<std::size_t>(i % 1500), static_cast<std::uint8_t>(i));
      std::uint8_t head[4];
      std::memcpy(head, &i, 4);
      while (!ring.Push(head, body)) std::this_thread::yield();
    }
  });
  for (int i = 0; i < kN;) {
    auto f = ring.Front();
    if (f.empty()) {
      std::this_thread::yield();
      continue;
    }
    int got;
    std::memcpy(&got, f.data(), 4);
    ASSERT_EQ(got, i);
    ASSERT_EQ(f.size(), 4u + static_cast<std::size_t>(i % 1500));
    for (std::size_t k = 4; k < f.size(); ++k) ASSERT_EQ(f[k], static_cast<std::uint8_t>(i));
    ring.Pop();
    ++i;
  }
  producer.join();
}

}  // namespace
}  // namespace vigie

namespace vigie {
namespace {

TEST(Metrics, HistogramIsExportedAsOnePrometheusHistogram) {
  metrics::Registry reg;
  auto s1 = reg.NewSet();
  auto s2 = reg.NewSet();
  auto h1 = s1->Histogram("vigie_test_latency_seconds", "t", {{"stage", "x"}}, {1e-6, 1e-3}, 1e-9);
  auto h2 = s2->Histogram("vigie_test_latency_seconds", "t", {{"stage", "x"}}, {1e-6, 1e-3}, 1e-9);
  auto observe = [](const metrics::CounterSet::HistogramCells& h, std::int64_t ns) {
    if (ns <= 1000) h.buckets[0]->Inc();
    if (ns <= 1000000) h.buckets[1]->Inc();
    h.buckets[2]->Inc();
    h.count->Inc();
    h.sum->Inc(static_cast<std::uint64_t>(ns));
  };
  observe(h1, 500);
  observe(h2, 2000);
  observe(h2, 5000000);
  std::string text = reg.PrometheusText();
  EXPECT_NE(text.find("# TYPE vigie_test_latency_seconds histogram"), std::string::npos) << text;
  EXPECT_NE(text.find("vigie_test_latency_seconds_count{stage=\"x\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("vigie_test_latency_seconds_bucket{stage=\"x\",le=\"1e-06\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("vigie_test_latency_seconds_bucket{stage=\"x\",le=\"0.001\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("vigie_test_latency_seconds_bucket{stage=\"x\",le=\"+Inf\"} 3"), std::string::npos) << text;
  EXPECT_NE(text.find("vigie_test_latency_seconds_sum{stage=\"x\"} 0.0050025"), std::string::npos) << text;
}

}  // namespace
}  // namespace vigie
