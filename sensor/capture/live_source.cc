#include "capture/live_source.h"

#include <linux/if_packet.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace vigie::capture {
namespace {

// Fold the kernel's counters every this many packets (and on every timeout).
constexpr std::uint64_t kStatsEvery = 65536;

[[noreturn]] void Fail(const LiveConfig& c, const std::string& what) {
  throw StartupError("cannot capture on interface '" + c.interface + "': " + what);
}

// RAII for a compiled BPF program.
struct BpfProgram {
  bpf_program prog{};
  bool compiled = false;
  ~BpfProgram() {
    if (compiled) pcap_freecode(&prog);
  }
};

}  // namespace

LiveSource::LiveSource(const LiveConfig& config, metrics::CounterSet& counters)
    : config_(config), cells_(RegisterCaptureCells(counters, config.interface)) {
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  handle_.reset(pcap_create(config_.interface.c_str(), errbuf));
  if (!handle_) Fail(config_, errbuf);
  pcap_t* p = handle_.get();
  pcap_set_snaplen(p, config_.snaplen);
  pcap_set_promisc(p, config_.promiscuous ? 1 : 0);
  pcap_set_timeout(p, config_.read_timeout_ms);
  // Not immediate: let TPACKET_V3 fill blocks, far fewer wake-ups at high rates.
  pcap_set_immediate_mode(p, 0);
  pcap_set_buffer_size(p, config_.buffer_bytes);
  pcap_set_tstamp_precision(p, PCAP_TSTAMP_PRECISION_NANO);  // falls back to µs if unsupported
  const int rc = pcap_activate(p);
  if (rc < 0) {
    std::string msg = pcap_statustostr(rc);
    const std::string detail = pcap_geterr(p);
    if (!detail.empty()) msg += " (" + detail + ")";
    Fail(config_, msg);
  }
  linktype_ = pcap_datalink(p);
  // With TPACKET_V3 libpcap blocks in poll(-1) until the kernel retires a block, and the kernel
  // never retires an empty one: a blocking read could hang forever on a quiet link. Read
  // non-blocking and poll() ourselves with the configured timeout instead.
  if (pcap_setnonblock(p, 1, errbuf) != 0) Fail(config_, std::string("cannot set non-blocking mode: ") + errbuf);
  poll_fd_ = pcap_get_selectable_fd(p);

  if (!config_.bpf_filter.empty()) {
    BpfProgram bpf;
    if (pcap_compile(p, &bpf.prog, config_.bpf_filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      Fail(config_, "bad BPF filter '" + config_.bpf_filter + "': " + pcap_geterr(p));
    }
    bpf.compiled = true;
    if (pcap_setfilter(p, &bpf.prog) != 0) Fail(config_, std::string("cannot set BPF filter: ") + pcap_geterr(p));
  }

  if (config_.fanout_group >= 0) {
    if (config_.fanout_group > 0xffff) Fail(config_, "fanout_group must be 0..65535");
    // Flow hash is symmetric in the kernel; DEFRAG makes fragments of one datagram land together.
    const int arg = (config_.fanout_group & 0xffff) | ((PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_DEFRAG) << 16);
    if (setsockopt(pcap_fileno(p), SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) != 0) {
      Fail(config_, std::string("PACKET_FANOUT failed: ") + std::strerror(errno));
    }
  }
}

LiveSource::~LiveSource() = default;

void LiveSource::BreakLoop() {
  break_.store(true, std::memory_order_relaxed);
  if (handle_) pcap_breakloop(handle_.get());  // wakes a blocked read (libpcap >= 1.10 on Linux)
}

ReadResult LiveSource::Next() {
  ReadResult r;
  if (done_ || break_.load(std::memory_order_relaxed)) {
    done_ = true;
    return r;
  }
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  int rc = pcap_next_ex(handle_.get(), &hdr, &data);
  if (rc == 0 && poll_fd_ >= 0) {
    pollfd pfd{poll_fd_, POLLIN, 0};
    if (poll(&pfd, 1, config_.read_timeout_ms) > 0 && !break_.load(std::memory_order_relaxed)) {
      rc = pcap_next_ex(handle_.get(), &hdr, &data);
    }
  }
  if (rc == 1) {
    r.status = ReadStatus::kPacket;
    r.packet.ts = static_cast<Timestamp>(hdr->ts.tv_sec) * kNanosPerSecond +
                  static_cast<Timestamp>(hdr->ts.tv_usec) *
                      (pcap_get_tstamp_precision(handle_.get()) == PCAP_TSTAMP_PRECISION_NANO ? 1 : 1000);
    r.packet.data = data;
    r.packet.caplen = hdr->caplen;
    r.packet.wire_len = hdr->len < hdr->caplen ? hdr->caplen : hdr->len;
    r.packet.linktype = linktype_;
    r.packet.iface = config_.iface_index;
    ++stats_.packets;
    stats_.bytes += r.packet.wire_len;
    cells_.packets.Inc();
    cells_.bytes.Inc(r.packet.wire_len);
    if (++since_stats_poll_ >= kStatsEvery) PollKernelStats();
    return r;
  }
  if (rc == 0) {
    PollKernelStats();
    r.status = break_.load(std::memory_order_relaxed) ? ReadStatus::kEnd : ReadStatus::kTimeout;
    done_ = r.status == ReadStatus::kEnd;
    return r;
  }
  if (rc == PCAP_ERROR) cells_.read_errors.Inc();  // e.g. interface went away
  done_ = true;
  PollKernelStats();
  return r;
}

void LiveSource::PollKernelStats() {
  since_stats_poll_ = 0;
  pcap_stat ps{};
  if (pcap_stats(handle_.get(), &ps) != 0) return;
  // libpcap keeps these cumulative on Linux; export the increase.
  if (ps.ps_drop > stats_.kernel_drops) {
    cells_.kernel_drops.Inc(ps.ps_drop - stats_.kernel_drops);
    stats_.kernel_drops = ps.ps_drop;
  }
  if (ps.ps_ifdrop > stats_.interface_drops) {
    cells_.interface_drops.Inc(ps.ps_ifdrop - stats_.interface_drops);
    stats_.interface_drops = ps.ps_ifdrop;
  }
}

CaptureStats LiveSource::Stats() {
  if (handle_ && !done_) PollKernelStats();
  return stats_;
}

}  // namespace vigie::capture
