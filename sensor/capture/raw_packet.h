#pragma once
#include <cstdint>

#include "core/time.h"

namespace vigie::capture {

// One captured frame as the capture source saw it. `data` stays valid until the source's
// next Next() call (zero-copy from libpcap's buffer).
struct RawPacket {
  Timestamp ts = 0;
  const std::uint8_t* data = nullptr;
  std::uint32_t caplen = 0;    // bytes present in `data`
  std::uint32_t wire_len = 0;  // original length on the wire (volume is counted from this)
  int linktype = 0;            // DLT_* / LINKTYPE_* value
  std::uint16_t iface = 0;     // index of the source (pcapng interface or live handle)
};

}  // namespace vigie::capture
