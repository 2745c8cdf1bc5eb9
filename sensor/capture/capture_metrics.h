#pragma once
// The capture counters shared by every source; label iface = interface name or "file".
#include <string>

#include "metrics/counters.h"

namespace vigie::capture {

struct CaptureCells {
  metrics::Cell& packets;
  metrics::Cell& bytes;
  metrics::Cell& kernel_drops;
  metrics::Cell& interface_drops;
  metrics::Cell& truncated;
  metrics::Cell& read_errors;
};

inline CaptureCells RegisterCaptureCells(metrics::CounterSet& c, const std::string& iface) {
  const metrics::Labels l{{"iface", iface}};
  return CaptureCells{
      c.Counter("vigie_capture_packets_total", "Frames read from the capture source", l),
      c.Counter("vigie_capture_bytes_total", "Wire bytes of the frames read (original length)", l),
      c.Counter("vigie_capture_kernel_drops_total", "Frames dropped by the kernel before capture", l),
      c.Counter("vigie_capture_interface_drops_total", "Frames dropped by the interface/driver", l),
      c.Counter("vigie_capture_truncated_total", "Capture files whose last record was truncated", l),
      c.Counter("vigie_capture_read_errors_total", "Unrecoverable read errors (reading stopped)", l),
  };
}

}  // namespace vigie::capture
