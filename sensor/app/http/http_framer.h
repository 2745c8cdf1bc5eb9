#pragma once
// HTTP/1.x message framing for ONE direction of a connection: start line, header block
// (obs-fold continuation lines joined), and body delimitation (Content-Length, chunked with
// extensions and trailers, read-until-close). Resumable: bytes may arrive in any chunking.
// Bounded memory: the header block is capped at max_header_bytes; bodies are streamed to the
// handler, never buffered. Garbage makes the framer resynchronise on the next line that starts
// like a request (known method + space) or a response ("HTTP/1."); every byte it cannot frame
// (bad start lines, the bytes skipped while resynchronising, an oversized line) is handed to
// Handler::OnUnframed, in stream order and exactly once whatever the chunking, so that the
// session can scan it as raw content: a direction that is not (or no longer) HTTP is not a blind
// spot. Only tunnel bytes (CONNECT accepted, 101) are dropped.
//
// HTTP/0.9 (RFC 1945 §4): a request line "GET <target>" without version is a Simple-Request
// (no header block, no body). When the handler says the oldest unanswered request was one
// (Handler::SimpleResponseNext), a response that does not start with "HTTP/1." is a
// Simple-Response: no status line, its bytes are the body up to the connection close.
//
// The framer knows nothing about pairing: after each header block it asks its Handler how the
// body is delimited (a response's framing depends on its request: HEAD, CONNECT, 1xx/204/304).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/bytes.h"

namespace vigie::app::http {

enum class Anomaly : std::uint8_t {
  kBadStartLine,
  kHeaderTooLarge,
  kBadHeaderLine,
  kObsFold,
  kTeAndCl,
  kBadContentLength,
  kBadTransferEncoding,
  kChunkSizeOverflow,
  kBadChunkSize,
  kBadChunkTerminator,
  kGap,
  kTruncatedBody,
  kResync,
  kPipelineOverflow,
  kResponseWithoutRequest,
  kUnknownEncoding,
  kTooManyEncodings,
  kHttp09,        // an HTTP/0.9 Simple-Request (obsolete since 1996)
  kUnframedData,  // a run of bytes the framer could not frame (scanned as a raw unit)
  kCount
};
inline constexpr std::string_view kAnomalyNames[] = {
    "bad_start_line",      "header_too_large",  "bad_header_line", "obs_fold",
    "te_and_cl",           "bad_content_length", "bad_transfer_encoding", "chunk_size_overflow",
    "bad_chunk_size",      "bad_chunk_terminator", "gap",           "truncated_body",
    "resync",              "pipeline_overflow", "response_without_request", "unknown_encoding",
    "too_many_encodings", "http09",         "unframed_data"};
static_assert(std::size(kAnomalyNames) == static_cast<std::size_t>(Anomaly::kCount));

struct HeaderField {
  std::string name, value;  // value trimmed; folded lines joined with one space
};

// One parsed header block. Strings keep their capacity across messages.
struct HttpHead {
  bool is_request = false;
  std::string method, target;  // request
  int status = 0;              // response
  int version_minor = 1;
  // HTTP/0.9: a request line without version (no header block follows), or a response
  // without status line (status 0, body up to the close).
  bool http09 = false;
  std::vector<HeaderField> fields;  // only the first `count` are valid
  std::size_t count = 0;

  // First field with this name (case-insensitive), or empty.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  // Every value of `name` joined with ", " into *out (repeated fields are one list, RFC 9110).
  void Join(std::string_view name, std::string* out) const;
};

enum class BodyKind : std::uint8_t {
  kNone,         // message ends with its header block
  kLength,       // Content-Length bytes
  kChunked,
  kUntilClose,   // response without length: ends at connection close
  kTunnel,       // CONNECT accepted / 101: no more HTTP in this direction
  kAwaitResync,  // body unknown until the peer answers (CONNECT/Upgrade request), or not
                 // framable (bad TE/CL): bytes until something looks like a new request are
                 // unframed (Handler::OnUnframed; no resync anomaly counted)
};
struct BodyPlan {
  BodyKind kind = BodyKind::kNone;
  std::uint64_t length = 0;
};

class HttpFramer {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual BodyPlan OnHead(const HttpHead& head) = 0;
    virtual void OnBody(ByteView wire_body) = 0;  // de-chunked body bytes (still content-coded)
    virtual void OnBodyGap(std::uint64_t length) = 0;
    virtual void OnMessageEnd(bool complete) = 0;  // after OnHead, exactly once per message
    virtual void OnAnomaly(Anomaly a) = 0;
    // Bytes of this direction that are not part of any framed message, in stream order, each
    // byte once, whatever the chunking: bad start lines (with their '\n'), bytes skipped while
    // resynchronising or awaiting the peer (kAwaitResync), the rest of a line that overflowed
    // max_header_bytes, a partial line cut by a gap or the close.
    virtual void OnUnframed(ByteView bytes) = 0;
    // Response side, at the start of each response: is the oldest unanswered request an
    // HTTP/0.9 one (so that a response without status line is its Simple-Response)?
    virtual bool SimpleResponseNext() { return false; }
  };

  HttpFramer(bool request_side, std::uint32_t max_header_bytes, Handler& handler);
  void Feed(ByteView data);
  void Gap(std::uint64_t length);
  // End of stream: a read-until-close body completes, anything else in progress is truncated.
  void Close();
  // The peer accepted a CONNECT/upgrade: stop parsing this direction.
  void EnterTunnel();
  bool in_tunnel() const { return state_ == State::kTunnel; }

  // Plausible start of a request/response line (used by resync and protocol detection):
  // 1 = yes, 0 = cannot tell yet (prefix of one), -1 = no.
  static int LooksLikeRequestStart(std::string_view s);
  static int LooksLikeResponseStart(std::string_view s);

 private:
  enum class State : std::uint8_t {
    kStartLine, kHeaders, kBody, kChunkSize, kChunkExt, kChunkData, kChunkDataEnd, kTrailers,
    kUntilClose, kTunnel, kResync,
    kSimpleProbe  // response to an HTTP/0.9 request: "HTTP/1." or a Simple-Response?
  };
  // Each returns bytes consumed from `d`.
  std::size_t ConsumeLine(ByteView d, bool* complete);
  std::size_t DoResync(ByteView d);
  std::size_t DoChunkSize(ByteView d);
  std::size_t DoSimpleProbe(ByteView d);
  void StartSimpleResponse();
  // Reports the held probe bytes (resync) as unframed and forgets them.
  void FlushProbe();
  bool OnStartLine(std::string_view line);
  void OnHeaderLine(std::string_view line);
  void OnHeadersDone();
  void StartResync(bool count);
  void EndMessage(bool complete);

  const bool request_side_;
  const std::uint32_t max_header_bytes_;
  Handler& handler_;
  State state_ = State::kStartLine;
  std::string line_;           // current line (capacity reused)
  std::uint64_t head_bytes_ = 0;  // bytes of the current header block (or trailer block)
  HttpHead head_;
  bool in_message_ = false;    // OnHead was called and OnMessageEnd not yet
  bool pending_field_ = false; // last field may still receive obs-fold continuation lines
  std::uint64_t remaining_ = 0;  // body or chunk bytes left
  bool chunk_digits_ = false;
  bool chunk_cr_ = false;
  // Resync and kSimpleProbe: the first bytes of the current line, to test against start-line
  // prefixes. Not yet reported as unframed while held.
  char probe_[12];
  std::size_t probe_len_ = 0;
  bool probe_skip_ = false;    // this line cannot be a start line: skip to '\n'
};

}  // namespace vigie::app::http
