#include "config/yaml_walker.h"

#include <cerrno>
#include <cstdlib>

#include "core/error.h"

namespace vigie::config {

void YamlWalker::Fail(const YAML::Node& at, const std::string& path, const std::string& problem) const {
  int line = at.IsDefined() ? at.Mark().line + 1 : 0;
  std::string where = file_;
  if (line > 0) where += ":" + std::to_string(line);
  throw StartupError(where + ": " + (path.empty() ? "" : path + ": ") + problem);
}

void YamlWalker::Keys(const YAML::Node& node, const std::string& path,
                      std::initializer_list<const char*> allowed) const {
  if (!node.IsMap()) Fail(node, path, "expected a mapping");
  for (const auto& kv : node) {
    std::string k = kv.first.as<std::string>();
    bool ok = false;
    for (const char* a : allowed) ok = ok || k == a;
    if (!ok) Fail(kv.first, Join(path, k.c_str()), "unknown key");
  }
}

static bool ParseUnsigned(const std::string& s, std::uint64_t& out) {
  if (s.empty() || s[0] == '-' || s[0] == '+') return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 10);
  if (errno != 0 || *end != '\0') return false;
  out = v;
  return true;
}

void YamlWalker::Get(const YAML::Node& map, const std::string& path, const char* key, std::string& out) const {
  auto n = map[key];
  if (!n) return;
  if (!n.IsScalar()) Fail(n, Join(path, key), "expected a string");
  out = n.as<std::string>();
}

void YamlWalker::Get(const YAML::Node& map, const std::string& path, const char* key, bool& out) const {
  auto n = map[key];
  if (!n) return;
  bool v = false;
  if (!n.IsScalar() || !YAML::convert<bool>::decode(n, v)) Fail(n, Join(path, key), "expected true or false");
  out = v;
}

void YamlWalker::Get(const YAML::Node& map, const std::string& path, const char* key, double& out) const {
  auto n = map[key];
  if (!n) return;
  double v = 0;
  if (!n.IsScalar() || !YAML::convert<double>::decode(n, v) || v < 0)
    Fail(n, Join(path, key), "expected a non-negative number");
  out = v;
}

void YamlWalker::Get(const YAML::Node& map, const std::string& path, const char* key, std::uint64_t& out) const {
  auto n = map[key];
  if (!n) return;
  std::uint64_t v = 0;
  if (!n.IsScalar() || !ParseUnsigned(n.Scalar(), v)) Fail(n, Join(path, key), "expected a non-negative integer");
  out = v;
}

void YamlWalker::Get(const YAML::Node& map, const std::string& path, const char* key, std::uint32_t& out) const {
  std::uint64_t v = out;
  Get(map, path, key, v);
  if (v > UINT32_MAX) Fail(map[key], Join(path, key), "value too large");
  out = static_cast<std::uint32_t>(v);
}

void YamlWalker::Get(const YAML::Node& map, const std::string& path, const char* key,
                     std::vector<std::string>& out) const {
  auto n = map[key];
  if (!n) return;
  if (!n.IsSequence()) Fail(n, Join(path, key), "expected a list");
  out.clear();
  for (const auto& e : n) {
    if (!e.IsScalar()) Fail(e, Join(path, key), "expected a list of strings");
    out.push_back(e.as<std::string>());
  }
}

void YamlWalker::Get(const YAML::Node& map, const std::string& path, const char* key, CidrSet& out) const {
  auto n = map[key];
  if (!n) return;
  std::string text;
  if (n.IsScalar()) {
    text = n.Scalar();
  } else if (n.IsSequence()) {
    for (const auto& e : n) {
      if (!e.IsScalar()) Fail(e, Join(path, key), "expected a list of networks");
      text += e.Scalar() + ",";
    }
  } else {
    Fail(n, Join(path, key), "expected networks (CIDR list)");
  }
  std::string bad;
  auto set = CidrSet::Parse(text, &bad);
  if (!set) Fail(n, Join(path, key), "bad network '" + bad + "'");
  out = *set;
}

void YamlWalker::GetSize(const YAML::Node& map, const std::string& path, const char* key, std::uint64_t& out) const {
  auto n = map[key];
  if (!n) return;
  std::string s = n.IsScalar() ? n.Scalar() : "";
  std::uint64_t mult = 1;
  auto ends_with = [&](const char* suf) {
    std::string x(suf);
    return s.size() > x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
  };
  if (ends_with("KB") || ends_with("MB") || ends_with("GB")) {  // decimal units
    mult = s[s.size() - 2] == 'K' ? 1000ull : s[s.size() - 2] == 'M' ? 1000000ull : 1000000000ull;
    s = s.substr(0, s.size() - 2);
  } else if (!s.empty()) {
    switch (s.back()) {
      case 'k': case 'K': mult = 1ull << 10; break;
      case 'm': case 'M': mult = 1ull << 20; break;
      case 'g': case 'G': mult = 1ull << 30; break;
      default: break;
    }
    if (mult != 1) s.pop_back();
  }
  std::uint64_t v = 0;
  if (!ParseUnsigned(s, v) || v > UINT64_MAX / mult) Fail(n, Join(path, key), "expected a size like 65536, 64k, 256M or 2G");
  out = v * mult;
}

void YamlWalker::GetSeconds(const YAML::Node& map, const std::string& path, const char* key,
                            std::uint64_t& out) const {
  auto n = map[key];
  if (!n) return;
  std::string s = n.IsScalar() ? n.Scalar() : "";
  std::uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 's': mult = 1; s.pop_back(); break;
      case 'm': mult = 60; s.pop_back(); break;
      case 'h': mult = 3600; s.pop_back(); break;
      case 'd': mult = 86400; s.pop_back(); break;
      default: break;
    }
  }
  std::uint64_t v = 0;
  if (!ParseUnsigned(s, v)) Fail(n, Join(path, key), "expected a duration like 30, 30s, 10m, 1h or 7d");
  out = v * mult;
}

}  // namespace vigie::config
