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
      "pii:\n  secret: abcdefgh123\n");
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
}

TEST(Config, ErrorsNameFileLineAndKeyPath) {
  EXPECT_NE(ErrorOf("capture:\n  snaplen: 1514\n  bogus: 1\n").find(":3: capture.bogus: unknown key"),
            std::string::npos);
  EXPECT_NE(ErrorOf("workers: many\n").find(":1: workers: expected a non-negative integer"), std::string::npos);
  EXPECT_NE(ErrorOf("workers: 0\n").find("workers: must be between 1 and 64"), std::string::npos);
  EXPECT_NE(ErrorOf("home_net: 10.0.0.0/99\n").find("home_net: bad network '10.0.0.0/99'"), std::string::npos);
  EXPECT_NE(ErrorOf("app:\n  http_body_limit: lots\n").find(":2: app.http_body_limit"), std::string::npos);
  EXPECT_NE(ErrorOf("capture: [1, 2\n").find("YAML syntax error"), std::string::npos);
  EXPECT_NE(ErrorOf("output:\n  syslog: http://x\n").find("output.syslog"), std::string::npos);
}

TEST(Config, MissingFileIsAStartupError) {
  EXPECT_THROW(LoadFile("/nonexistent/vigie.yaml", Defaults()), StartupError);
}

}  // namespace
}  // namespace vigie::config
