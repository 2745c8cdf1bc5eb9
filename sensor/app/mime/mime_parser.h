#pragma once
// Streaming MIME entity parser (RFC 2045/2046/2183/2231), resumable and bounded.
//
// Feed() takes the raw entity (headers + body) in any chunking; the parser never keeps more than
// one line (kMaxLine bytes), one unfolded header (kMaxHeader bytes) and a fixed decode buffer.
// Leaf parts are decoded (base64, quoted-printable, 7bit/8bit/binary as is) and handed to a
// MimeSink in pieces; multipart bodies are walked recursively up to kMaxDepth levels.
//
// Two entry modes:
//   - StartEntity(): the input starts with the entity's own header block (an e-mail message).
//   - StartMultipart(boundary): the input is a multipart body whose boundary is already known
//     from elsewhere and which has no top-level headers (HTTP multipart/form-data: pass the
//     `boundary` parameter of the request's Content-Type, then Feed() the request body).
// Finish() ends the input: an open part is flushed and closed (a missing closing boundary is an
// anomaly, not an error). After Finish() the parser may be started again.
//
// Untrusted input never fails: oddities are counted in MimeMetrics (by reason) and parsing
// continues with the most useful interpretation.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "app/mime/mime_decoders.h"
#include "core/bytes.h"
#include "metrics/counters.h"

namespace vigie::app::mime {

enum class Anomaly : std::uint8_t {
  kDepthExceeded,        // multipart nested deeper than kMaxDepth: inner part taken as a leaf
  kMissingBoundary,      // multipart/* without a boundary parameter
  kMissingCloseBoundary, // input ended inside a multipart (no "--boundary--")
  kHeaderTooLong,        // unfolded header longer than kMaxHeader: truncated
  kBadBase64,            // characters outside the alphabet, or a dangling quantum
  kBadQuotedPrintable,   // "=" not followed by two hex digits or a line break
  kTooManyParts,         // more than kMaxParts leaf parts in one entity
  kCount
};
inline constexpr std::array<std::string_view, static_cast<std::size_t>(Anomaly::kCount)> kAnomalyNames = {
    "depth_exceeded", "missing_boundary", "missing_close_boundary", "header_too_long",
    "bad_base64", "bad_quoted_printable", "too_many_parts"};

// vigie_mime_anomalies_total{reason}. Build once per worker (cells registered in the constructor).
class MimeMetrics {
 public:
  explicit MimeMetrics(metrics::CounterSet& set);
  void Count(Anomaly a) { anomalies_[static_cast<std::size_t>(a)]->Inc(); }
  std::int64_t Get(Anomaly a) const { return anomalies_[static_cast<std::size_t>(a)]->Get(); }

 private:
  std::array<metrics::Cell*, static_cast<std::size_t>(Anomaly::kCount)> anomalies_{};
};

enum class TransferEncoding : std::uint8_t { kIdentity, kBase64, kQuotedPrintable };

// What is known of a leaf part when its body starts.
struct PartInfo {
  std::string content_type;  // lower-case "type/subtype"; "text/plain" when absent
  std::string charset;       // lower-case, may be empty
  // Content-Disposition filename / filename* (RFC 2231 decoded), else Content-Type name=.
  // Never the Content-Disposition name= parameter (a form-data field name, not a file).
  std::string filename;
  bool attachment = false;   // Content-Disposition: attachment, or a filename is present
  TransferEncoding encoding = TransferEncoding::kIdentity;
  int depth = 0;             // 0 = top-level entity
};

class MimeSink {
 public:
  virtual ~MimeSink() = default;
  virtual void OnPartBegin(const PartInfo& part) = 0;
  // Decoded bytes of the current part; only valid during the call.
  virtual void OnPartData(ByteView decoded) = 0;
  // `decoded_size` is the total decoded size of the part.
  virtual void OnPartEnd(const PartInfo& part, std::uint64_t decoded_size) = 0;
  // Input bytes of the current part were lost (transport gap).
  virtual void OnPartGap() {}
};

class MimeParser {
 public:
  static constexpr std::size_t kMaxLine = 1024;    // longer lines are passed through, never boundaries
  static constexpr std::size_t kMaxHeader = 4096;  // one unfolded header
  static constexpr int kMaxDepth = 8;
  static constexpr std::uint32_t kMaxParts = 10000;
  static constexpr std::size_t kMaxBoundary = 200;  // RFC: 70; a little slack for broken senders

  // `metrics` may be null (no counting). Both must outlive the parser.
  MimeParser(MimeSink& sink, MimeMetrics* metrics);

  void StartEntity();
  void StartMultipart(std::string_view boundary);
  void Feed(ByteView data);
  // `length` input bytes are missing: the current part is told, line state is dropped.
  void Gap();
  void Finish();

  std::uint32_t parts() const { return parts_; }
  std::uint64_t decoded_bytes() const { return decoded_bytes_; }

 private:
  enum class State : std::uint8_t { kIdle, kHeaders, kPreamble, kBody, kEpilogue };
  struct Level {
    std::string boundary;  // without the leading "--"
  };
  struct Headers {
    std::string content_type;
    std::string boundary;
    std::string charset;
    std::string filename;  // Content-Disposition filename family
    std::string name;      // Content-Type name= (legacy attachment name), the fallback
    bool attachment = false;
    TransferEncoding encoding = TransferEncoding::kIdentity;
    void Clear();
  };

  // A whole line (with its line break, or the unterminated last line at Finish()).
  void OnLine(std::string_view line);
  // A piece of a line longer than kMaxLine: never a delimiter. `first` starts the line,
  // `ends_line` carries its line break.
  void OnLongPiece(std::string_view piece, bool first, bool ends_line);
  void OnHeaderLine(std::string_view line);
  void ProcessHeader(std::string_view header);
  void EndHeaders();
  // Returns the stack index of the boundary `line` delimits, or -1; sets `*close` for "--b--".
  int MatchBoundary(std::string_view line, bool* close) const;
  void BodyBytes(ByteView data);
  void BeginLeaf();
  void EndLeaf();
  void Emit(ByteView decoded);
  void Count(Anomaly a) {
    if (metrics_ != nullptr) metrics_->Count(a);
  }

  MimeSink& sink_;
  MimeMetrics* metrics_;
  State state_ = State::kIdle;
  std::array<Level, kMaxDepth> stack_;
  int depth_ = 0;  // number of active multipart levels in stack_
  std::string line_;         // partial line carried between Feed() calls (<= kMaxLine)
  bool long_line_ = false;   // current line already exceeded kMaxLine (passed through)
  bool pending_eol_ = false; // body: line break held back (it belongs to a following delimiter)
  std::string header_;       // current unfolded header (<= kMaxHeader)
  bool header_truncated_ = false;
  Headers headers_;
  PartInfo part_;
  bool in_leaf_ = false;
  std::uint64_t part_size_ = 0;
  std::uint32_t parts_ = 0;
  std::uint64_t decoded_bytes_ = 0;
  Base64Decoder b64_;
  QuotedPrintableDecoder qp_;
};

}  // namespace vigie::app::mime
