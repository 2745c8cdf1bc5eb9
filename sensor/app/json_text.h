#pragma once
// JSON text helpers shared by HTTP bodies (BodyPipeline) and MIME parts (HTTP multipart parts,
// SMTP attachments): which media types and file names are JSON, the streaming unescaper of the
// escapes serializers write by default (JsonUnescapeState), and its MIME-part wrapper
// (JsonUnescaper). ASCII only; no allocation except JsonUnescaper's buffer.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include "core/bytes.h"

namespace vigie::app {

// A JSON media type (`content_type` without parameters, any case): application/json, text/json,
// application/*+json (problem+json, ld+json, vnd.api+json …), and the line-delimited
// application/x-ndjson, application/ndjson, application/jsonl, application/x-jsonlines.
bool IsJsonMediaType(std::string_view media_type);

// A media type a JSON body is often sent under though it does not say JSON (any case, without
// parameters): none at all, text/html (PHP's default when a script echoes json_encode() without
// a header), text/plain, text/javascript, application/javascript, application/x-javascript,
// application/octet-stream. Such a body is read as JSON when its first byte that is neither
// blank nor a UTF-8 byte-order mark is '{' or '[' (JsonSniff).
bool MayBeUnlabelledJson(std::string_view media_type);

// Decides, from the first bytes of a body, whether it is JSON text: undecided while only blanks
// (space, TAB, CR, LF) and a UTF-8 byte-order mark have been seen, then JSON if the next byte is
// '{' or '[', not JSON otherwise. Feed bytes in any chunking.
class JsonSniff {
 public:
  enum class Verdict : std::uint8_t { kUndecided, kJson, kNotJson };
  void Reset() {
    verdict_ = Verdict::kUndecided;
    bom_ = 0;
    any_ = false;
  }
  Verdict Feed(std::string_view bytes);
  Verdict verdict() const { return verdict_; }

 private:
  Verdict verdict_ = Verdict::kUndecided;
  std::uint8_t bom_ = 0;  // bytes of the byte-order mark seen (it must start the body)
  bool any_ = false;      // a blank has been seen (a BOM after it is not one)
};

// A JSON file name (any case): ends with ".json", ".jsonl" or ".ndjson".
bool IsJsonFileName(std::string_view filename);

// A MIME part is JSON when its media type is (IsJsonMediaType) or its file name is
// (IsJsonFileName): attachments are often sent as application/octet-stream with a .json name.
bool IsJsonPart(std::string_view content_type, std::string_view filename);

// Streaming JSON string-escape decoder (JSON bodies and parts): feed bytes in any chunking; the
// output is the same whatever the cut (an escape split across writes is held, at most kMaxHeld
// bytes).
// It decodes only escapes whose decoding cannot change the JSON's structure, so that values a
// serializer escaped by default reach the scanner as text:
//   \/ → '/';  \uXXXX (code point >= 0x20, not '"' 0x22 nor '\' 0x5C) → its UTF-8 bytes;
//   a valid surrogate pair \uD8xx\uDCxx → the 4-byte UTF-8 sequence.
// Everything else passes verbatim: \" \\ \n \t \r \b \f, \u0000–\u001F, \u0022, \u005C,
// lone or reversed surrogates, malformed escapes (\u12, \uZZZZ), a trailing '\' at Flush.
// An escaped backslash is consumed with its escape, so in `\\u00e9` the `u00e9` stays text.
// It does not track whether a byte is inside a string: escapes only occur in strings in valid
// JSON, and outside them the bytes pass through unchanged. Every decoded form is shorter than its
// escape, so the total output never exceeds the total input.
class JsonUnescapeState {
 public:
  // Longest escape prefix held between writes: "\uD83D\uDE0".
  static constexpr std::size_t kMaxHeld = 11;
  // Writes decoded bytes to out[0..] (capacity >= in.size() + kMaxHeld: bytes held from earlier
  // writes may be emitted verbatim); returns bytes written. Runs without '\' are found with
  // memchr and copied in bulk. REQUIRES: `out` does not overlap `in`.
  std::size_t Decode(std::string_view in, char* out);
  // A pending partial escape ("\", "\u00", a high surrogate awaiting its pair) is emitted
  // verbatim (at most kMaxHeld bytes); the state is then reset.
  std::size_t Flush(char* out);
  void Reset() { held_ = 0; }
  // Whether `in` would come out unchanged: no escape held and no backslash in it (most JSON
  // bodies; the caller then passes `in` on without a copy).
  bool PassesThrough(std::string_view in) const {
    return held_ == 0 && std::memchr(in.data(), '\\', in.size()) == nullptr;
  }

 private:
  // Processes one byte while an escape is held; appends to out + *n.
  void Step(char c, char* out, std::size_t* n);
  // held_ == 6: the escape \uXXXX in buf_ is complete; decode it, keep it verbatim or hold a
  // high surrogate.
  void ResolveOne(char* out, std::size_t* n);

  char buf_[12];
  std::size_t held_ = 0;  // bytes of buf_ in use: 0 means no escape in progress
};

// A streaming text decoder (JsonUnescapeState, or the form bodies' PercentDecodeState) with its
// output buffer: Feed(in, emit) decodes `in` in kBufBytes pieces and hands each decoded piece to
// `emit(ByteView)`; a piece the state says it leaves unchanged (State::PassesThrough, where the
// state has one) is handed on as it is, without a copy. Flush(emit) emits a held partial escape
// verbatim and resets the state. The buffer (kBufBytes + State::kMaxHeld) is allocated on the
// first piece decoded and reused. Used by BodyPipeline's body decoders and JsonUnescaper.
template <typename State>
class StreamDecoder {
 public:
  static constexpr std::size_t kBufBytes = 4096;

  void Reset() { state_.Reset(); }

  template <typename Emit>
  void Feed(ByteView data, Emit&& emit) {
    if (data.empty()) return;
    std::string_view in = AsStringView(data);
    if constexpr (requires { state_.PassesThrough(in); }) {
      if (state_.PassesThrough(in)) {
        emit(data);
        return;
      }
    }
    if (!buf_) buf_ = std::make_unique<char[]>(kBufBytes + State::kMaxHeld);
    while (!in.empty()) {
      const std::string_view piece = in.substr(0, kBufBytes);
      in.remove_prefix(piece.size());
      const std::size_t n = state_.Decode(piece, buf_.get());
      if (n) emit(ByteView(reinterpret_cast<const std::uint8_t*>(buf_.get()), n));
    }
  }

  template <typename Emit>
  void Flush(Emit&& emit) {
    if (!buf_) return;  // nothing was ever decoded, so nothing is held
    const std::size_t n = state_.Flush(buf_.get());
    if (n) emit(ByteView(reinterpret_cast<const std::uint8_t*>(buf_.get()), n));
  }

 private:
  State state_;
  std::unique_ptr<char[]> buf_;
};

// Unescapes a unit's bytes before they are scanned when the unit is JSON: by its media type or
// file name (IsJsonPart), or, under a type that may hide JSON (MayBeUnlabelledJson: none,
// text/html, text/plain, octet-stream …), when its first bytes are JSON (JsonSniff); other units
// pass unchanged. Used by BodyPipeline (HTTP bodies and multipart parts), SmtpSession (mail
// parts) and RawSession (each direction of a raw stream, no type: sniffed), with a callback
// `emit(ByteView)` that feeds the next stage:
//   unit begins   → Begin(type, filename)   (decides, resets the state)
//   unit bytes    → Feed(bytes, emit)
//   gap           → Flush(emit), then the scan's Gap()  (a held partial escape goes out
//                   verbatim, never completed by bytes after the hole)
//   unit ends     → Flush(emit)
// It does not count anything: callers count the bytes they are given.
class JsonUnescaper {
 public:
  // Returns whether the unit may be unescaped (JSON by its type or name, or to be sniffed).
  bool Begin(std::string_view content_type, std::string_view filename);

  template <typename Emit>
  void Feed(ByteView decoded, Emit&& emit) {
    if (sniffing_ && sniff_.Feed(AsStringView(decoded)) != JsonSniff::Verdict::kUndecided) {
      sniffing_ = false;
      active_ = sniff_.verdict() == JsonSniff::Verdict::kJson;
    }
    if (active_) {
      decoder_.Feed(decoded, emit);
    } else if (!decoded.empty()) {
      emit(decoded);
    }
  }
  template <typename Emit>
  void Flush(Emit&& emit) {
    if (active_) decoder_.Flush(emit);
  }

 private:
  StreamDecoder<JsonUnescapeState> decoder_;
  bool active_ = false;
  bool sniffing_ = false;  // a part whose type may hide JSON (MayBeUnlabelledJson), undecided yet
  JsonSniff sniff_;
};

}  // namespace vigie::app
