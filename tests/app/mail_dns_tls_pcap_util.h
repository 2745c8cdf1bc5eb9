#pragma once
// Test-only capture reader for the SMTP/DNS/TLS decoder tests: asks tshark (when installed) for
// the reassembled payload of TCP streams ("follow,tcp,raw") or UDP datagrams, so the decoders
// can be checked on captures without the rest of the pipeline. Tests skip when tshark or the
// capture is missing.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace vigie::app::testing {

struct Chunk {
  bool from_node0 = true;  // node 0 is the first endpoint tshark saw (the client when the SYN is there)
  std::string bytes;
};

struct TcpStream {
  std::string node0, node1;  // "ip:port"
  std::vector<Chunk> chunks;
  std::uint16_t Port(bool node0_side) const {
    const std::string& n = node0_side ? node0 : node1;
    return static_cast<std::uint16_t>(std::stoi(n.substr(n.rfind(':') + 1)));
  }
};

inline bool HaveTshark() { return std::system("tshark -v >/dev/null 2>&1") == 0; }

inline std::optional<std::string> RunCommand(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen(cmd.c_str(), "r"), pclose);
  if (!p) return std::nullopt;
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p.get())) > 0) out.append(buf, n);
  return out;
}

inline std::string Unhex(std::string_view h) {
  std::string out;
  auto v = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(v(h[i]) * 16 + v(h[i + 1])));
  return out;
}

// Every TCP stream of the capture that carries payload, in stream order. Two tshark runs per
// capture (stream list, then all streams at once); results are cached per path.
inline const std::vector<TcpStream>& FollowTcpStreams(const std::string& path) {
  static std::map<std::string, std::vector<TcpStream>> cache;
  auto it = cache.find(path);
  if (it != cache.end()) return it->second;
  std::vector<TcpStream>& out = cache[path];
  auto ids = RunCommand("tshark -r '" + path + "' -Y 'tcp.len > 0' -T fields -e tcp.stream 2>/dev/null | sort -nu");
  if (!ids || ids->empty()) return out;
  std::string cmd = "tshark -q -r '" + path + "'";
  std::istringstream id_in(*ids);
  std::string id;
  while (std::getline(id_in, id))
    if (!id.empty()) cmd += " -z follow,tcp,raw," + id;
  auto text = RunCommand(cmd + " 2>/dev/null");
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  TcpStream* s = nullptr;
  while (std::getline(in, line)) {
    if (line.rfind("Follow: ", 0) == 0) {
      s = &out.emplace_back();
    } else if (s == nullptr || line.empty() || line[0] == '=' || line.rfind("Filter: ", 0) == 0) {
      continue;
    } else if (line.rfind("Node 0: ", 0) == 0) {
      s->node0 = line.substr(8);
    } else if (line.rfind("Node 1: ", 0) == 0) {
      s->node1 = line.substr(8);
    } else {
      bool n1 = line[0] == '\t';
      std::string bytes = Unhex(n1 ? std::string_view(line).substr(1) : std::string_view(line));
      if (!s->chunks.empty() && s->chunks.back().from_node0 == !n1) {
        s->chunks.back().bytes += bytes;  // tshark wraps long segments over several lines
      } else {
        s->chunks.push_back({!n1, std::move(bytes)});
      }
    }
  }
  std::erase_if(out, [](const TcpStream& t) { return t.node0.empty() || t.node1.empty(); });
  return out;
}

struct Datagram {
  std::uint16_t sport = 0, dport = 0;
  std::string bytes;
};

inline std::vector<Datagram> UdpDatagrams(const std::string& path) {
  std::vector<Datagram> out;
  auto text = RunCommand("tshark -r '" + path + "' -Y udp -T fields -e udp.srcport -e udp.dstport -e udp.payload 2>/dev/null");
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    Datagram d;
    std::string hex;
    if (!(f >> d.sport >> d.dport >> hex)) continue;
    d.bytes = Unhex(hex);
    out.push_back(std::move(d));
  }
  return out;
}

inline std::string PcapPath(const std::string& name) { return std::string(VIGIE_SOURCE_DIR) + "/pcaps/" + name; }
inline std::string PublicPcapPath(const std::string& name) { return std::string(VIGIE_PUBLIC_PCAPS) + "/" + name; }

}  // namespace vigie::app::testing
