// vigie_http_objects: writes every HTTP message body the sensor decodes from a capture, for
// comparison with `tshark --export-objects http` (tests/replay/export_objects.py).
//
// The capture goes through the sensor's own path: PcapFileSource → pipeline::Worker (decoder,
// defragmenter, flow table + TCP reassembler, application router, HTTP session with the real
// PII scanner) driven exactly as `vigie --read FILE` drives its single worker; only the
// app::http::BodyObserver tap is added. Nothing is re-implemented here.
//
// Usage: vigie_http_objects CAPTURE OUTDIR
// OUTDIR (created if needed) receives one file per message with a non-empty body, NNNNNN.bin
// (message order = order of the message heads), and index.tsv with one line per message that
// had a body unit (every request, every response that may carry a body), empty ones included:
//   file flow direction method status host target content_type codings size complete gaps coding_failed
// `file` is "-" for an empty body; `direction` is request/response; `flow` is
// client_ip:port>server_ip:port; `complete` 1 when the framing ended the message normally;
// `gaps` counts transport holes inside the body; `coding_failed` 1 when a content coding could
// not be undone (the file then holds what the pipeline passed on: raw or cut bytes). Tab, CR and
// LF in header values become spaces; empty values are "-".
// A test tool: it writes raw decoded bodies, and only into OUTDIR.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "app/http/body_observer.h"
#include "capture/pcap_file_source.h"
#include "config/config.h"
#include "core/error.h"
#include "match/scanner.h"
#include "metrics/counters.h"
#include "pipeline/worker.h"
#include "track/events.h"

namespace {

using vigie::ByteView;
using vigie::flow::Direction;
using vigie::flow::Flow;

class NullEvents final : public vigie::track::EventSink {
 public:
  void OnTransaction(const vigie::track::TransactionEvent&) override {}
  void OnVolume(const vigie::track::VolumeEvent&) override {}
  void OnDnsQuery(const vigie::track::DnsQueryEvent&) override {}
};

std::string Clean(std::string_view s) {
  std::string out(s.substr(0, 2048));
  for (char& c : out)
    if (c == '\t' || c == '\r' || c == '\n') c = ' ';
  return out.empty() ? "-" : out;
}

std::string Endpoint(const vigie::flow::Endpoint& e) { return e.ip.ToString() + ":" + std::to_string(e.port); }

// Bodies are kept in memory until their message ends (the test captures are small), so that
// interleaved flows never need more than one open file.
class Collector final : public vigie::app::http::BodyObserver {
 public:
  struct Message {
    std::string flow, method, host, target, content_type, codings;
    Direction dir = Direction::kToServer;
    int status = 0;
    std::string body;
    bool ended = false, complete = false, coding_failed = false;
    int gaps = 0;
  };

  void OnBodyBegin(const Flow& flow, const vigie::app::http::BodyMeta& m) override {
    const auto key = Key(flow, m.dir);
    if (open_.count(key)) Close(key, false);  // cannot happen: the session ends each unit first
    Message msg;
    msg.flow = Endpoint(flow.client) + ">" + Endpoint(flow.server);
    msg.dir = m.dir;
    msg.method = Clean(m.method);
    msg.host = Clean(m.host);
    msg.target = Clean(m.target);
    msg.content_type = Clean(m.content_type);
    msg.codings = Clean(m.codings);
    msg.status = m.status;
    messages_.push_back(std::move(msg));
    open_[key] = messages_.size() - 1;
  }
  void OnBodyData(const Flow& flow, Direction dir, ByteView decoded) override {
    if (Message* m = Find(flow, dir)) m->body.append(reinterpret_cast<const char*>(decoded.data()), decoded.size());
  }
  void OnBodyGap(const Flow& flow, Direction dir) override {
    if (Message* m = Find(flow, dir)) ++m->gaps;
  }
  void OnBodyEnd(const Flow& flow, Direction dir, const vigie::app::http::BodyEnd& end) override {
    if (Message* m = Find(flow, dir)) m->coding_failed = end.coding_failed;
    Close(Key(flow, dir), end.complete);
  }

  // Returns false when a file cannot be written.
  bool Write(const std::filesystem::path& dir) const {
    std::ofstream index(dir / "index.tsv", std::ios::trunc);
    index << "file\tflow\tdirection\tmethod\tstatus\thost\ttarget\tcontent_type\tcodings\tsize\tcomplete\tgaps\tcoding_failed\n";
    for (std::size_t i = 0; i < messages_.size(); ++i) {
      const Message& m = messages_[i];
      std::string file = "-";
      if (!m.body.empty()) {
        char name[32];
        std::snprintf(name, sizeof name, "%06zu.bin", i + 1);
        file = name;
        std::ofstream out(dir / file, std::ios::binary | std::ios::trunc);
        out.write(m.body.data(), static_cast<std::streamsize>(m.body.size()));
        if (!out) return false;
      }
      index << file << '\t' << m.flow << '\t' << (m.dir == Direction::kToServer ? "request" : "response") << '\t'
            << m.method << '\t' << m.status << '\t' << m.host << '\t' << m.target << '\t' << m.content_type << '\t'
            << m.codings << '\t' << m.body.size() << '\t' << (m.ended && m.complete ? 1 : 0) << '\t' << m.gaps
            << '\t' << (m.coding_failed ? 1 : 0) << '\n';
    }
    return static_cast<bool>(index);
  }
  std::size_t messages() const { return messages_.size(); }

 private:
  using KeyT = std::pair<std::uint64_t, int>;
  static KeyT Key(const Flow& flow, Direction dir) { return {flow.id, vigie::flow::Index(dir)}; }
  Message* Find(const Flow& flow, Direction dir) {
    auto it = open_.find(Key(flow, dir));
    return it == open_.end() ? nullptr : &messages_[it->second];
  }
  void Close(const KeyT& key, bool complete) {
    auto it = open_.find(key);
    if (it == open_.end()) return;
    messages_[it->second].ended = true;
    messages_[it->second].complete = complete;
    open_.erase(it);
  }

  std::vector<Message> messages_;
  std::map<KeyT, std::size_t> open_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: vigie_http_objects CAPTURE OUTDIR\n");
    return 2;
  }
  try {
    const std::filesystem::path outdir = argv[2];
    std::filesystem::create_directories(outdir);
    vigie::config::Config cfg = vigie::config::Defaults();
    cfg.capture.read_files = {argv[1]};
    cfg.workers = 1;
    auto engine = vigie::match::LoadPiiEngine(cfg.signatures, cfg.pii);
    vigie::metrics::CounterSet counters;
    vigie::capture::PcapFileSource source(argv[1], counters);
    NullEvents events;
    Collector bodies;
    vigie::pipeline::Worker worker(cfg, engine, events, /*flow_log=*/nullptr, counters, &bodies);
    // As pipeline::Run's single-worker replay: every packet to the worker, then a final flush.
    for (;;) {
      auto r = source.Next();
      if (r.status != vigie::capture::ReadStatus::kPacket) break;
      worker.Process(r.packet);
    }
    worker.Finish();
    if (!bodies.Write(outdir)) {
      std::fprintf(stderr, "vigie_http_objects: cannot write into %s\n", outdir.c_str());
      return 1;
    }
    std::fprintf(stderr, "vigie_http_objects: %zu HTTP messages\n", bodies.messages());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "vigie_http_objects: %s\n", e.what());
    return 1;
  }
}
