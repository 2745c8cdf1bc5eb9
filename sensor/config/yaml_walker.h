#pragma once
// Strict YAML reading for configuration: unknown keys, wrong types and out-of-range values
// stop start-up with "FILE:LINE: key.path: problem".
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "core/ip_addr.h"

namespace vigie::config {

class YamlWalker {
 public:
  explicit YamlWalker(std::string file) : file_(std::move(file)) {}

  [[noreturn]] void Fail(const YAML::Node& at, const std::string& path, const std::string& problem) const;

  // REQUIRES: node is a map (else fails). Rejects keys not in `allowed`.
  void Keys(const YAML::Node& node, const std::string& path, std::initializer_list<const char*> allowed) const;

  void Get(const YAML::Node& map, const std::string& path, const char* key, std::string& out) const;
  void Get(const YAML::Node& map, const std::string& path, const char* key, bool& out) const;
  void Get(const YAML::Node& map, const std::string& path, const char* key, double& out) const;
  void Get(const YAML::Node& map, const std::string& path, const char* key, std::uint64_t& out) const;
  void Get(const YAML::Node& map, const std::string& path, const char* key, std::uint32_t& out) const;
  void Get(const YAML::Node& map, const std::string& path, const char* key, std::vector<std::string>& out) const;
  // A comma-separated string or a list of CIDRs.
  void Get(const YAML::Node& map, const std::string& path, const char* key, CidrSet& out) const;
  // Byte sizes accept suffixes: 64k, 256M, 2G (powers of 1024) or 500MB, 2GB (powers of 1000).
  void GetSize(const YAML::Node& map, const std::string& path, const char* key, std::uint64_t& out) const;
  // Durations accept suffixes s, m, h, d (seconds when bare).
  void GetSeconds(const YAML::Node& map, const std::string& path, const char* key, std::uint64_t& out) const;

  static std::string Join(const std::string& path, const char* key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  std::string file_;
};

}  // namespace vigie::config
