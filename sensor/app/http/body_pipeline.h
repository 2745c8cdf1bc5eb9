#pragma once
// The decoding pipeline of one HTTP message body, reused message after message:
//   wire (de-chunked) → up to kMaxLayers Decompressors (last coding first) → percent-decoder
//   (form bodies) or JSON-unescaper (JSON bodies, IsJsonMediaType; or sniffed as JSON by their
//   first byte under a type that may hide it: JsonUnescaper) → terminal: counts decoded bytes,
//   applies http_body_limit → MIME parser (multipart/* bodies with a boundary: parts decoded
//   from base64 / quoted-printable; JSON parts — IsJsonPart, or sniffed — JSON-unescaped by a
//   JsonUnescaper) → scan (a ZIP archive, body or part: its files, each a part of the unit).
// Fixed memory per direction: decompressor states, 64 KiB buffers, the 4 KiB text-decoder
// buffers and the MIME parser are allocated on the first body that needs them and reused; no
// per-packet allocation.
// decoded_bytes() counts the body after HTTP decoding (de-chunked, decompressed) and after the
// text decoder (percent-decoded form, JSON-unescaped `\/` `\uXXXX`), before MIME: the multipart
// entity size; the decoded size of each file part is reported by AppendParts(): the part as
// MIME-decoded (base64 / quoted-printable undone), i.e. the file's size, before the JSON-part
// unescaping, which only changes what is scanned. http_body_limit applies to the same bytes as
// decoded_bytes().
// With a BodyObserver (SetObserver, tools only) a tap sits between the decompressors and the
// text decoders; without one the chain is exactly the above.
#include <array>
#include <memory>
#include <optional>
#include <string_view>

#include "app/decompress/decompressor.h"
#include "app/http/body_observer.h"
#include "app/http/http_metrics.h"
#include "app/http/http_util.h"
#include "app/json_text.h"
#include "app/mime/mime_parser.h"
#include "app/zip_scan.h"
#include "match/scanner.h"

namespace vigie::app::http {

class BodyPipeline final : public ByteSink, private mime::MimeSink {
 public:
  static constexpr std::size_t kMaxLayers = 4;
  // Named parts listed in the event detail; further ones are only counted ("+N more"). A part
  // is named by its file name (Content-Disposition filename= / filename*=, else the legacy
  // Content-Type name=) or, without one, listed as "(unnamed)" when its disposition is
  // `attachment`. A form-data field without filename (`name="comment"`) is decoded and scanned
  // but not listed: its field name is not a file.
  static constexpr std::size_t kMaxPartNames = 8;

  // `scanner` may be null: bytes are then counted but not scanned.
  BodyPipeline(match::Scanner* scanner, HttpMetrics& metrics);
  // Optional tap (app/http/body_observer.h): when `observer` is set, every later unit's
  // decoded body (after the decompression layers, before percent-decoding or JSON-unescaping,
  // MIME and the body limit) and its gaps are reported as (flow, dir). OnBodyBegin/OnBodyEnd
  // are the caller's.
  // REQUIRES: `observer` and `flow` outlive the pipeline.
  void SetObserver(BodyObserver* observer, const flow::Flow* flow, flow::Direction dir);

  // Starts a unit. `codings` = Content-Encoding list then Transfer-Encoding codings other
  // than chunked, in the order the sender applied them (comma separated). A `content_type`
  // multipart/* with a boundary parameter routes the decoded body through the MIME parser;
  // without the parameter, vigie_mime_anomalies_total{reason="missing_boundary"} is counted and
  // the body is scanned raw. A form content type percent-decodes the body, a JSON one
  // (IsJsonMediaType) unescapes its `\/` and `\uXXXX` (JsonUnescapeState).
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
  // After End(): a coding of the unit could not be undone (unknown or too many codings,
  // invalid data, bomb); its bytes were passed on raw or cut.
  bool coding_failed() const { return coding_failed_; }
  // Multipart unit: leaf parts seen so far (0 otherwise).
  std::uint32_t parts() const { return parts_; }
  // Appends "; parts: a.csv (123 B), b.pdf (4 B), +2 more" for the named parts of the unit ended
  // by End() (nothing when it had none). Names are the senders' (control characters replaced).
  void AppendParts(std::string* detail) const;

  void Write(ByteView data) override;  // terminal sink

 private:
  // A streaming text decoder stage: StreamDecoder<PercentDecodeState> (form bodies) or
  // JsonUnescaper (JSON bodies: labelled, or sniffed under a type that may hide JSON), both
  // app/json_text.h. Its output is never longer than its input plus the few bytes it held.
  template <typename Decoder>
  class DecodeSink final : public ByteSink {
   public:
    void Write(ByteView data) override {
      decoder.Feed(data, [this](ByteView d) { next->Write(d); });
    }
    // Emits a held partial escape verbatim (end of the unit, or before a gap so that nothing
    // is joined across it) and resets the state.
    void Flush() {
      decoder.Flush([this](ByteView d) { next->Write(d); });
    }
    ByteSink* next = nullptr;
    Decoder decoder;
  };
  using FormSink = DecodeSink<StreamDecoder<PercentDecodeState>>;
  using JsonSink = DecodeSink<JsonUnescaper>;

  // Reports what passes to the observer, then hands it on. Linked in only with an observer.
  class TapSink final : public ByteSink {
   public:
    void Write(ByteView data) override;
    BodyObserver* observer = nullptr;
    const flow::Flow* flow = nullptr;
    flow::Direction dir = flow::Direction::kToServer;
    ByteSink* next = nullptr;
  };

  // mime::MimeSink: decoded part bytes go to the scan; part boundaries break matches.
  void OnPartBegin(const mime::PartInfo& part) override;
  void OnPartData(ByteView decoded) override;
  void OnPartEnd(const mime::PartInfo& part, std::uint64_t decoded_size) override;
  void OnPartGap() override;
  // The scan of part bytes (after the JSON-part unescaper).
  void ScanPart(ByteView data);

  struct PartName {
    std::string name;
    std::uint64_t size = 0;
  };

  match::Scanner* scanner_;
  HttpMetrics& metrics_;
  std::optional<match::ScanStream> scan_;
  std::array<std::unique_ptr<Decompressor>, kMaxLayers> layers_;
  std::size_t nlayers_ = 0;
  FormSink form_;
  bool form_active_ = false;
  JsonSink json_;
  bool json_active_ = false;  // the unescaper is linked (a JSON media type, or sniffing)
  TapSink tap_;
  ByteSink* entry_ = this;
  bool skip_ = false;        // rest of the body is not decoded (gap inside a coded body)
  bool unscanned_ = false;   // media types: counted, not scanned
  bool coding_failed_ = false;
  std::uint64_t body_limit_ = 0;
  std::uint64_t decoded_ = 0, wire_ = 0;

  // The body's (or the current part's) scan: a ZIP archive's files read and scanned each as a
  // part of the unit (app/zip_scan.h), anything else scanned as it is.
  ZipScan zip_;

  std::unique_ptr<mime::MimeParser> mime_;  // built on the first multipart body
  bool mime_active_ = false;
  // JSON parts (IsJsonPart: JSON media type or .json/.jsonl/.ndjson file name, or sniffed) are
  // unescaped like a JSON body before the scan; their reported decoded sizes stay the
  // MIME-decoded ones.
  JsonUnescaper json_part_;
  std::uint32_t parts_ = 0;
  std::uint32_t named_parts_ = 0;
  std::array<PartName, kMaxPartNames> names_;
  std::size_t nnames_ = 0;
};

}  // namespace vigie::app::http
