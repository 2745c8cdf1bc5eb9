#include "capture/pcap_file_source.h"

#include <sys/mman.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/error.h"

namespace vigie::capture {
namespace {
constexpr std::size_t kStdioBuffer = std::size_t{1} << 20;
// libpcap's largest record for the link types of the fast path (MAXIMUM_SNAPLEN).
constexpr std::uint32_t kMaxSnaplen = 262144;

std::uint32_t Load32(const std::uint8_t* p, bool swapped) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap32(v) : v;
}

// Link types (DLT values, as pcap_datalink reports them) whose records libpcap caps at
// kMaxSnaplen; others (D-Bus, USB…) have their own limits and keep the libpcap reader.
bool FastLinktype(int dlt) {
  switch (dlt) {
    case 0:    // NULL
    case 1:    // EN10MB
    case 9:    // PPP
    case 12:   // RAW
    case 14:   // RAW (OpenBSD value)
    case 105:  // IEEE802_11
    case 108:  // LOOP
    case 113:  // LINUX_SLL
    case 127:  // IEEE802_11_RADIO
    case 228:  // IPV4
    case 229:  // IPV6
    case 276:  // LINUX_SLL2
      return true;
    default:
      return false;
  }
}
}  // namespace

PcapFileSource::PcapFileSource(const std::string& path, metrics::CounterSet& counters, std::uint16_t iface_index,
                               bool map_classic)
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
  if (map_classic) TryMap(f);
}

void PcapFileSource::TryMap(std::FILE* f) {
  pcap_t* p = handle_.get();
  if (!FastLinktype(linktype_) || pcap_major_version(p) != 2 || pcap_minor_version(p) != 4) return;
  struct stat st{};
  const int fd = fileno(f);
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 24) return;
  const auto size = static_cast<std::size_t>(st.st_size);
  void* m = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (m == MAP_FAILED) return;
  const auto* base = static_cast<const std::uint8_t*>(m);
  std::uint32_t magic;
  std::memcpy(&magic, base, sizeof magic);
  Mapping map;
  if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du) {
    map.swapped = false;
  } else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u) {
    map.swapped = true;
  } else {  // pcapng or a variant libpcap knows (e.g. the modified 0xa1b2cd34 format)
    munmap(m, size);
    return;
  }
  map.micros = magic == 0xa1b2c3d4u || magic == 0xd4c3b2a1u;
  map.base = base;
  map.size = size;
  map.off = 24;
  map.snaplen = static_cast<std::uint32_t>(pcap_snapshot(p));
  madvise(m, size, MADV_SEQUENTIAL);
  map_ = map;
}

PcapFileSource::~PcapFileSource() {
  if (map_.base != nullptr) munmap(const_cast<std::uint8_t*>(map_.base), map_.size);
}

void PcapFileSource::Fail(std::string what, bool truncated) {
  done_ = true;
  last_error_ = std::move(what);
  if (truncated) {
    ++stats_.truncated;
    cells_.truncated.Inc();
  } else {
    cells_.read_errors.Inc();
  }
}

// libpcap's sf-pcap record reader, on the mapping: header, length checks, data.
ReadResult PcapFileSource::NextMapped() {
  ReadResult r;
  const std::size_t left = map_.size - map_.off;
  if (left == 0) {
    done_ = true;
    return r;
  }
  if (left < 16) {
    Fail("truncated dump file; tried to read 16 header bytes, only got " + std::to_string(left), true);
    return r;
  }
  const std::uint8_t* h = map_.base + map_.off;
  const std::uint32_t sec = Load32(h, map_.swapped);
  const std::uint32_t frac = Load32(h + 4, map_.swapped);
  std::uint32_t caplen = Load32(h + 8, map_.swapped);
  const std::uint32_t len = Load32(h + 12, map_.swapped);
  if (caplen > kMaxSnaplen) {
    Fail(caplen > map_.snaplen
             ? "invalid packet capture length " + std::to_string(caplen) + ", bigger than snaplen of " +
                   std::to_string(map_.snaplen)
             : "invalid packet capture length " + std::to_string(caplen) + ", bigger than maximum of " +
                   std::to_string(kMaxSnaplen),
         false);
    return r;
  }
  if (left - 16 < caplen) {
    Fail("truncated dump file; tried to read " + std::to_string(caplen) + " captured bytes, only got " +
             std::to_string(left - 16),
         true);
    return r;
  }
  // Pages behind the record handed out are released from our RSS (they stay in the page cache):
  // a replayed capture must not count as sensor memory.
  constexpr std::size_t kRelease = std::size_t{4} << 20;
  if (map_.off - map_.released >= 2 * kRelease) {
    const std::size_t upto = (map_.off - kRelease) & ~std::size_t{4095};
    madvise(const_cast<std::uint8_t*>(map_.base) + map_.released, upto - map_.released, MADV_DONTNEED);
    map_.released = upto;
  }
  map_.off += 16 + static_cast<std::size_t>(caplen);
  // Like libpcap: a record longer than the file's snapshot length is cut to it.
  if (caplen > map_.snaplen) caplen = map_.snaplen;
  r.status = ReadStatus::kPacket;
  r.packet.ts = static_cast<Timestamp>(sec) * kNanosPerSecond + static_cast<Timestamp>(frac) * (map_.micros ? 1000 : 1);
  r.packet.data = h + 16;
  r.packet.caplen = caplen;
  r.packet.wire_len = len;
  return r;
}

void PcapFileSource::BreakLoop() { break_.store(true, std::memory_order_relaxed); }

ReadResult PcapFileSource::NextLibpcap() {
  ReadResult r;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_.get(), &hdr, &data);
  if (rc != 1) {
    done_ = true;
    if (rc == PCAP_ERROR) {
      // libpcap's wording for a short last record, in both pcap and pcapng readers.
      std::string err = pcap_geterr(handle_.get());
      const bool truncated = err.find("truncated") != std::string::npos;
      Fail(std::move(err), truncated);
    }
    return r;  // PCAP_ERROR_BREAK (-2) is end of file for offline handles
  }
  r.status = ReadStatus::kPacket;
  // PCAP_TSTAMP_PRECISION_NANO: tv_usec holds nanoseconds.
  r.packet.ts = static_cast<Timestamp>(hdr->ts.tv_sec) * kNanosPerSecond + static_cast<Timestamp>(hdr->ts.tv_usec);
  r.packet.data = data;
  r.packet.caplen = hdr->caplen;
  r.packet.wire_len = hdr->len;
  return r;
}

ReadResult PcapFileSource::Next() {
  if (done_ || break_.load(std::memory_order_relaxed)) return {};
  ReadResult r = map_.base != nullptr ? NextMapped() : NextLibpcap();
  if (r.status != ReadStatus::kPacket) return r;
  if (r.packet.wire_len < r.packet.caplen) r.packet.wire_len = r.packet.caplen;
  r.packet.linktype = linktype_;
  r.packet.iface = iface_index_;
  ++stats_.packets;
  stats_.bytes += r.packet.wire_len;
  cells_.packets.Inc();
  cells_.bytes.Inc(r.packet.wire_len);
  return r;
}

}  // namespace vigie::capture
