#pragma once
// The decoding pipeline of one HTTP message body, reused message after message:
//   wire (de-chunked) → up to kMaxLayers Decompressors (last coding first) → percent-decoder
//   (form bodies) → terminal: counts decoded bytes, applies http_body_limit, feeds the scan.
// Fixed memory per direction: decompressor states and 64 KiB buffers are allocated on the
// first compressed body and reused; no per-packet allocation.
#include <array>
#include <memory>
#include <optional>
#include <string_view>

#include "app/decompress/decompressor.h"
#include "app/http/http_metrics.h"
#include "app/http/http_util.h"
#include "match/scanner.h"

namespace vigie::app::http {

class BodyPipeline final : public ByteSink {
 public:
  static constexpr std::size_t kMaxLayers = 4;

  // `scanner` may be null: bytes are then counted but not scanned.
  BodyPipeline(match::Scanner* scanner, HttpMetrics& metrics);

  // Starts a unit. `codings` = Content-Encoding list then Transfer-Encoding codings other
  // than chunked, in the order the sender applied them (comma separated).
  void Begin(std::string_view codings, std::string_view content_type, const DecompressLimits& limits,
             std::uint64_t body_limit);
  // Text scanned with the unit but not counted as body (the percent-decoded request target).
  void ScanExtra(std::string_view text);
  void Body(ByteView wire);
  void BodyGap();
  // Ends the unit; returns its findings (empty summary without a scanner).
  match::ScanSummary End();

  std::uint64_t decoded_bytes() const { return decoded_; }
  std::uint64_t wire_bytes() const { return wire_; }

  void Write(ByteView data) override;  // terminal sink

 private:
  class FormSink final : public ByteSink {
   public:
    void Write(ByteView data) override;
    void Flush();
    ByteSink* next = nullptr;
    PercentDecodeState state;
    std::unique_ptr<char[]> buf;  // kBufBytes + 2, allocated on the first form body
    static constexpr std::size_t kBufBytes = 4096;
  };

  match::Scanner* scanner_;
  HttpMetrics& metrics_;
  std::optional<match::ScanStream> scan_;
  std::array<std::unique_ptr<Decompressor>, kMaxLayers> layers_;
  std::size_t nlayers_ = 0;
  FormSink form_;
  bool form_active_ = false;
  ByteSink* entry_ = this;
  bool skip_ = false;        // rest of the body is not decoded (gap inside a coded body)
  bool unscanned_ = false;   // media types: counted, not scanned
  std::uint64_t body_limit_ = 0;
  std::uint64_t decoded_ = 0, wire_ = 0;
};

}  // namespace vigie::app::http
