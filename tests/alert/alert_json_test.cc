#include "alert/alert_json.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "alert/sink.h"
#include "alert/syslog_sink.h"

namespace vigie::alert {
namespace {

Alert Sample() {
  Alert a;
  a.ts = Seconds(1707214502) + 123456789;  // 2024-02-06T10:15:02.123456Z
  a.rule = "exfil.entity_records";
  a.severity = Severity::kHigh;
  a.src_ip = *IpAddr::Parse("198.51.100.10");
  a.src_port = 8080;
  a.dest_ip = *IpAddr::Parse("203.0.113.50");
  a.dest_port = 51234;
  a.proto = 6;
  a.app_proto = "http";
  a.community_id = "1:abc=";
  a.entity = {EntityKind::kAccount, "capemploi-0042"};
  a.window = "1h";
  a.pii.records = 15000;
  a.pii.by_type = {{"nir", 15000}, {"email", 14990}};
  a.bytes = 5234123;
  a.evidence = {"2 85 05 ** *** *** 42"};
  a.mitre = {"T1567"};
  a.message = "m";
  return a;
}

TEST(AlertJson, ExactArchitectureFormatAndKeyOrder) {
  EXPECT_EQ(ToJson(Sample()),
            R"({"timestamp":"2024-02-06T10:15:02.123456Z","event_type":"alert","rule":"exfil.entity_records",)"
            R"("severity":"high","src_ip":"198.51.100.10","src_port":8080,"dest_ip":"203.0.113.50",)"
            R"("dest_port":51234,"proto":"TCP","app_proto":"http","community_id":"1:abc=",)"
            R"("entity":{"kind":"account","id":"capemploi-0042"},"window":"1h",)"
            R"("pii":{"records":15000,"by_type":{"nir":15000,"email":14990}},"bytes":5234123,)"
            R"("evidence":["2 85 05 ** *** *** 42"],"mitre":["T1567"],"message":"m"})");
}

TEST(AlertJson, ExtrasAfterMessageOnlyWhenSet) {
  Alert a = Sample();
  a.threshold = 1000;
  a.sni = "files.example";
  a.dns_domain = "evil.example";
  a.http_detail = "GET /v1/users 200";
  std::string j = ToJson(a);
  EXPECT_NE(j.find(R"("message":"m","threshold":1000,"sni":"files.example","dns":{"domain":"evil.example"},)"
                   R"("http":{"detail":"GET /v1/users 200"}})"),
            std::string::npos)
      << j;
  a = Sample();
  a.pii.by_type.clear();
  a.evidence.clear();
  j = ToJson(a);
  EXPECT_NE(j.find(R"("by_type":{})"), std::string::npos);
  EXPECT_NE(j.find(R"("evidence":[])"), std::string::npos);
  EXPECT_EQ(j.find("threshold"), std::string::npos);
}

TEST(AlertJson, EscapesAndSurvivesInvalidUtf8) {
  Alert a = Sample();
  a.message = "quote\" backslash\\ newline\n tab\t ctl\x01 bad\xff end";
  a.entity.id = "v6";
  a.src_ip = *IpAddr::Parse("2001:db8::1");
  a.proto = 17;
  std::string j;
  ASSERT_NO_THROW(j = ToJson(a));
  EXPECT_EQ(j.find('\n'), std::string::npos);
  auto parsed = nlohmann::json::parse(j);
  EXPECT_EQ(parsed["message"], "quote\" backslash\\ newline\n tab\t ctl\x01 bad\xEF\xBF\xBD end");
  EXPECT_EQ(parsed["src_ip"], "2001:db8::1");
  EXPECT_EQ(parsed["proto"], "UDP");
}

std::string ReadFile(const std::string& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(FileSink, AppendsLinesAndReopensAfterRotation) {
  std::string dir = ::testing::TempDir();
  std::string path = dir + "/h6_alerts_" + std::to_string(getpid()) + ".json";
  std::remove(path.c_str());
  {
    FileSink s(path);
    s.Write(Sample());
    std::rename(path.c_str(), (path + ".1").c_str());  // logrotate
    s.Write(Sample());                                   // still goes to the rotated file
    s.Reopen();
    s.Write(Sample());
  }
  std::string rotated = ReadFile(path + ".1"), fresh = ReadFile(path);
  EXPECT_EQ(rotated, ToJson(Sample()) + "\n" + ToJson(Sample()) + "\n");
  EXPECT_EQ(fresh, ToJson(Sample()) + "\n");
  {
    FileSink again(path);  // append, not truncate
    again.Write(Sample());
  }
  EXPECT_EQ(ReadFile(path), fresh + ToJson(Sample()) + "\n");
  std::remove(path.c_str());
  std::remove((path + ".1").c_str());
}

TEST(FileSink, UnopenableIsStartupError) { EXPECT_ANY_THROW(FileSink("/nonexistent-dir-h6/x.json")); }

TEST(MultiSink, FansOut) {
  MultiSink m;
  auto a = std::make_unique<MemorySink>();
  auto b = std::make_unique<MemorySink>();
  MemorySink *pa = a.get(), *pb = b.get();
  m.Add(std::move(a));
  m.Add(std::move(b));
  m.Write(Sample());
  m.Write(Sample());
  EXPECT_EQ(pa->alerts().size(), 2u);
  EXPECT_EQ(pb->alerts().size(), 2u);
  EXPECT_EQ(pb->alerts()[1].entity.id, "capemploi-0042");
}

TEST(SyslogFormat, Rfc5424Header) {
  std::string m = SyslogSink::Format(Sample(), 16, "sensor 1", "vigie");
  // PRI = local0 (16) * 8 + err (3) = 131; space in hostname replaced.
  std::string expect_prefix = "<131>1 2024-02-06T10:15:02.123456Z sensor_1 vigie " + std::to_string(getpid()) +
                              " exfil.entity_records - {\"timestamp\"";
  EXPECT_EQ(m.substr(0, expect_prefix.size()), expect_prefix);
  EXPECT_EQ(m.substr(m.size() - 14), "\"message\":\"m\"}");
}

}  // namespace
}  // namespace vigie::alert
