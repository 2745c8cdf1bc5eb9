#pragma once
// RAII owner of a pcap_t (pcap_close also closes a FILE* handed to pcap_fopen_offline).
#include <memory>

#include <pcap/pcap.h>

namespace vigie::capture {

struct PcapCloser {
  void operator()(pcap_t* p) const {
    if (p != nullptr) pcap_close(p);
  }
};
using PcapHandle = std::unique_ptr<pcap_t, PcapCloser>;

}  // namespace vigie::capture
