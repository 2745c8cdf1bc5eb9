#pragma once
// Streaming content-transfer decoders with fixed buffers: input in any chunking, output flushed
// to a callable `out(ByteView)` whenever the internal buffer fills and at Flush(). Neither ever
// fails: bad input is skipped (base64) or passed through literally (quoted-printable) and
// reported by `errors()` so the caller can count one anomaly per part.
#include <array>
#include <cstdint>

#include "core/bytes.h"
#include "core/text.h"

namespace vigie::app::mime {

using ::vigie::HexValue;  // core/text.h

// Base64 (RFC 2045): whitespace and line breaks anywhere are ignored; characters outside the
// alphabet are skipped and counted; "=" ends a quantum; data after padding starts a new one
// (concatenated encodings). A trailing 2- or 3-character quantum without padding is decoded.
class Base64Decoder {
 public:
  void Reset() {
    acc_ = 0;
    n_ = 0;
    errors_ = 0;
    used_ = 0;
  }
  template <typename Out>
  void Feed(ByteView in, Out&& out) {
    for (std::uint8_t c : in) {
      int v = Value(c);
      if (v >= 0) {
        acc_ = (acc_ << 6) | static_cast<std::uint32_t>(v);
        if (++n_ == 4) {
          Put(static_cast<std::uint8_t>(acc_ >> 16), out);
          Put(static_cast<std::uint8_t>(acc_ >> 8), out);
          Put(static_cast<std::uint8_t>(acc_), out);
          acc_ = 0;
          n_ = 0;
        }
      } else if (c == '=') {
        EndQuantum(out);
      } else if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
        ++errors_;
      }
    }
  }
  // Ends the input: decodes a dangling quantum and hands out what is buffered.
  template <typename Out>
  void Flush(Out&& out) {
    EndQuantum(out);
    if (used_ > 0) out(ByteView(buf_.data(), used_));
    used_ = 0;
  }
  std::uint32_t errors() const { return errors_; }

 private:
  static int Value(std::uint8_t c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  }
  template <typename Out>
  void Put(std::uint8_t b, Out& out) {
    buf_[used_++] = b;
    if (used_ == buf_.size()) {
      out(ByteView(buf_.data(), used_));
      used_ = 0;
    }
  }
  template <typename Out>
  void EndQuantum(Out& out) {
    if (n_ == 1) ++errors_;  // 6 bits cannot make a byte
    if (n_ == 2) Put(static_cast<std::uint8_t>(acc_ >> 4), out);
    if (n_ == 3) {
      Put(static_cast<std::uint8_t>(acc_ >> 10), out);
      Put(static_cast<std::uint8_t>(acc_ >> 2), out);
    }
    acc_ = 0;
    n_ = 0;
  }

  std::uint32_t acc_ = 0;
  int n_ = 0;
  std::uint32_t errors_ = 0;
  std::array<std::uint8_t, 3072> buf_{};
  std::size_t used_ = 0;
};

// Quoted-printable (RFC 2045 6.7): "=XX" escapes, "=" before a line break is a soft break
// (CRLF or bare LF, optionally with trailing blanks after "="). Malformed escapes are kept
// literally, as most mail readers do.
class QuotedPrintableDecoder {
 public:
  void Reset() {
    state_ = State::kNormal;
    hi_ = 0;
    errors_ = 0;
    used_ = 0;
  }
  template <typename Out>
  void Feed(ByteView in, Out&& out) {
    for (std::uint8_t c : in) Step(c, out);
  }
  template <typename Out>
  void Flush(Out&& out) {
    if (state_ == State::kEqHex) {
      ++errors_;
      Put('=', out);
      Put(hi_char_, out);
    }
    state_ = State::kNormal;
    if (used_ > 0) out(ByteView(buf_.data(), used_));
    used_ = 0;
  }
  std::uint32_t errors() const { return errors_; }

 private:
  enum class State : std::uint8_t { kNormal, kEq, kEqHex, kSoftCr, kSoftBlank };
  template <typename Out>
  void Step(std::uint8_t c, Out& out) {
    switch (state_) {
      case State::kNormal:
        if (c == '=') {
          state_ = State::kEq;
        } else {
          Put(c, out);
        }
        return;
      case State::kEq:
        if (HexValue(c) >= 0) {
          hi_ = HexValue(c);
          hi_char_ = c;
          state_ = State::kEqHex;
        } else if (c == '\r') {
          state_ = State::kSoftCr;
        } else if (c == '\n') {
          state_ = State::kNormal;
        } else if (c == ' ' || c == '\t') {
          state_ = State::kSoftBlank;
        } else {
          ++errors_;
          Put('=', out);
          state_ = State::kNormal;
          Step(c, out);
        }
        return;
      case State::kEqHex: {
        int lo = HexValue(c);
        state_ = State::kNormal;
        if (lo >= 0) {
          Put(static_cast<std::uint8_t>(hi_ * 16 + lo), out);
        } else {
          ++errors_;
          Put('=', out);
          Put(hi_char_, out);
          Step(c, out);
        }
        return;
      }
      case State::kSoftCr:
        state_ = State::kNormal;
        if (c != '\n') {
          ++errors_;
          Step(c, out);
        }
        return;
      case State::kSoftBlank:
        if (c == ' ' || c == '\t') return;
        if (c == '\r') {
          state_ = State::kSoftCr;
          return;
        }
        state_ = State::kNormal;
        if (c != '\n') {
          ++errors_;
          Step(c, out);
        }
        return;
    }
  }
  template <typename Out>
  void Put(std::uint8_t b, Out& out) {
    buf_[used_++] = b;
    if (used_ == buf_.size()) {
      out(ByteView(buf_.data(), used_));
      used_ = 0;
    }
  }

  State state_ = State::kNormal;
  int hi_ = 0;
  std::uint8_t hi_char_ = 0;
  std::uint32_t errors_ = 0;
  std::array<std::uint8_t, 3072> buf_{};
  std::size_t used_ = 0;
};

}  // namespace vigie::app::mime
