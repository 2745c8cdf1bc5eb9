#include "capture/pcap_file_source.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace vigie::capture {
namespace {
constexpr std::size_t kStdioBuffer = std::size_t{1} << 20;
}  // namespace

PcapFileSource::PcapFileSource(const std::string& path, metrics::CounterSet& counters, std::uint16_t iface_index)
    : path_(path), iface_index_(iface_index), cells_(RegisterCaptureCells(counters, "file")) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw StartupError("cannot open capture file '" + path + "': " + std::strerror(errno));
  }
  // A large stdio buffer: libpcap reads record by record, the default 4 KiB costs syscalls.
  stdio_buf_ = std::make_unique<char[]>(kStdioBuffer);
  std::setvbuf(f, stdio_buf_.get(), _IOFBF, kStdioBuffer);
  char errbuf[PCAP_ERRBUF_SIZE] = {0};
  pcap_t* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    std::fclose(f);  // libpcap leaves the FILE open on failure
    throw StartupError("cannot read capture file '" + path + "': " + errbuf);
  }
  handle_.reset(p);
  linktype_ = pcap_datalink(p);
  // The link-type field's upper bits are reserved (FCS length and flags); libpcap passes
  // unknown ones through. Wireshark rejects such files, so do we, rather than decode garbage.
  if (linktype_ < 0 || linktype_ > 0xffff) {
    char hex[16];
    std::snprintf(hex, sizeof(hex), "0x%x", static_cast<unsigned>(linktype_));
    throw StartupError("cannot read capture file '" + path + "': unsupported link-type field " + hex);
  }
}

PcapFileSource::~PcapFileSource() = default;

void PcapFileSource::BreakLoop() { break_.store(true, std::memory_order_relaxed); }

ReadResult PcapFileSource::Next() {
  ReadResult r;
  if (done_ || break_.load(std::memory_order_relaxed)) return r;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_.get(), &hdr, &data);
  if (rc == 1) {
    r.status = ReadStatus::kPacket;
    // PCAP_TSTAMP_PRECISION_NANO: tv_usec holds nanoseconds.
    r.packet.ts = static_cast<Timestamp>(hdr->ts.tv_sec) * kNanosPerSecond + static_cast<Timestamp>(hdr->ts.tv_usec);
    r.packet.data = data;
    r.packet.caplen = hdr->caplen;
    r.packet.wire_len = hdr->len < hdr->caplen ? hdr->caplen : hdr->len;
    r.packet.linktype = linktype_;
    r.packet.iface = iface_index_;
    ++stats_.packets;
    stats_.bytes += r.packet.wire_len;
    cells_.packets.Inc();
    cells_.bytes.Inc(r.packet.wire_len);
    return r;
  }
  done_ = true;
  if (rc == PCAP_ERROR) {
    last_error_ = pcap_geterr(handle_.get());
    // libpcap's wording for a short last record, in both pcap and pcapng readers.
    if (last_error_.find("truncated") != std::string::npos) {
      ++stats_.truncated;
      cells_.truncated.Inc();
    } else {
      cells_.read_errors.Inc();
    }
  }
  return r;  // PCAP_ERROR_BREAK (-2) is end of file for offline handles
}

}  // namespace vigie::capture
