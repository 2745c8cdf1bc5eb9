#pragma once
// Per-worker HTTP counters, registered once (DecoderMetrics slot 3), bumped per message.
#include <array>
#include <string>

#include "app/decompress/decompressor.h"
#include "app/http/http_framer.h"
#include "app/mime/mime_parser.h"
#include "app/zip_scan.h"
#include "metrics/counters.h"

namespace vigie::app::http {

inline constexpr std::size_t kHttpMetricsSlot = 3;

struct HttpMetrics {
  explicit HttpMetrics(metrics::CounterSet& set)
      : transactions(set.Counter("vigie_http_transactions_total", "HTTP messages decoded (requests and responses)")),
        events(set.Counter("vigie_http_events_total", "TransactionEvents emitted by the HTTP decoder")),
        wire_bytes(set.Counter("vigie_http_body_bytes_total", "HTTP body bytes", {{"stage", "wire"}})),
        decoded_bytes(set.Counter("vigie_http_body_bytes_total", "HTTP body bytes", {{"stage", "decoded"}})),
        bombs(set.Counter("vigie_http_decompression_bombs_total", "Bodies whose inflated size hit the limits")),
        media_skipped(set.Counter("vigie_http_bodies_unscanned_total", "Bodies not scanned (image/audio/video/font)")),
        tunnels(set.Counter("vigie_http_tunnels_total", "CONNECT/Upgrade accepted: rest of the flow is volume only")),
        multipart(set.Counter("vigie_http_multipart_bodies_total", "Multipart bodies decoded part by part")),
        unframed_bytes(set.Counter("vigie_http_unframed_bytes_total",
                                   "Bytes of HTTP flows outside any framed message (scanned as raw units)")),
        mime(set),
        zip(set) {
    for (std::size_t i = 0; i < anomalies.size(); ++i)
      anomalies[i] = &set.Counter("vigie_http_anomalies_total", "HTTP protocol anomalies",
                                  {{"reason", std::string(kAnomalyNames[i])}});
    for (std::size_t i = 1; i < static_cast<std::size_t>(Encoding::kCount); ++i) {
      const std::string enc(kEncodingNames[i]);
      decoded[i] = &set.Counter("vigie_http_bodies_decoded_total", "Bodies with this content/transfer coding",
                                {{"encoding", enc}});
      errors[i] = &set.Counter("vigie_http_decompression_errors_total",
                               "Invalid compressed bodies (raw bytes scanned instead)", {{"encoding", enc}});
    }
  }
  metrics::Cell& transactions;
  metrics::Cell& events;
  metrics::Cell& wire_bytes;
  metrics::Cell& decoded_bytes;
  metrics::Cell& bombs;
  metrics::Cell& media_skipped;
  metrics::Cell& tunnels;
  metrics::Cell& multipart;
  metrics::Cell& unframed_bytes;
  // vigie_mime_anomalies_total{reason}: the same cells as SMTP's in a worker's set.
  mime::MimeMetrics mime;
  ZipMetrics zip;  // vigie_archive_files_total, vigie_archives_total: shared with SMTP
  std::array<metrics::Cell*, static_cast<std::size_t>(Anomaly::kCount)> anomalies{};
  std::array<metrics::Cell*, static_cast<std::size_t>(Encoding::kCount)> decoded{};
  std::array<metrics::Cell*, static_cast<std::size_t>(Encoding::kCount)> errors{};
};

}  // namespace vigie::app::http
