#pragma once
// Streaming decompression of one HTTP body layer (gzip, deflate, br) into fixed 64 KiB output
// chunks pushed to the next ByteSink. Memory is bounded: one backend state + one output
// buffer per layer, allocated lazily and reused across messages (Reset()).
//
// Backends: ISA-L isal_inflate for gzip/zlib/raw deflate; zlib is the fallback when ISA-L
// rejects the start of a stream (the first kPrefixBytes of input are kept to replay them);
// libbrotli for br.
//
// Failure modes (untrusted input never throws):
//   - invalid data: status kError; from then on input passes through unchanged (the caller
//     scans the raw bytes instead). When nothing was produced yet, the retained prefix is
//     replayed to the next sink first.
//   - bomb: output > max_output, or output > max_ratio * input once output exceeds 1 MiB
//     (below that, short runs of zeros legitimately reach ratio ~1000): status kBomb; every
//     further input byte is dropped (the rest of the body is skipped).
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>

#include "core/bytes.h"
#include "metrics/counters.h"

struct inflate_state;
typedef struct z_stream_s z_stream;
typedef struct BrotliDecoderStateStruct BrotliDecoderState;

namespace vigie::app {

// Receives decoded bytes. `data` is only valid during the call.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void Write(ByteView data) = 0;
};

enum class Encoding : std::uint8_t { kIdentity, kGzip, kDeflate, kBrotli, kCount };
inline constexpr std::string_view kEncodingNames[] = {"identity", "gzip", "deflate", "br"};
inline std::string_view EncodingName(Encoding e) { return kEncodingNames[static_cast<int>(e)]; }
// Content-Encoding / Transfer-Encoding token (case-insensitive, trimmed) → encoding;
// nullopt for unknown codings (compress, zstd, …).
std::optional<Encoding> ParseEncoding(std::string_view token);

struct DecompressLimits {
  std::uint64_t max_output = 256ull << 20;
  std::uint32_t max_ratio = 1000;
  static constexpr std::uint64_t kRatioFloor = 1 << 20;  // ratio is judged above this output
  bool OverOutput(std::uint64_t out) const { return out > max_output; }
  bool OverRatio(std::uint64_t out, std::uint64_t in) const {
    return out > kRatioFloor && max_ratio > 0 && out / (in > 0 ? in : 1) >= max_ratio;
  }
};

// ISA-L's input for the next isal_inflate() calls: `in`.
void IsalSetInput(inflate_state* s, ByteView in);
// One isal_inflate() call writing into out[0, cap): returns the bytes it produced; `r` its result.
std::size_t IsalInflateInto(inflate_state* s, std::uint8_t* out, std::size_t cap, int& r);

class Decompressor final : public ByteSink {
 public:
  enum class Status : std::uint8_t { kOk, kDone, kError, kBomb };
  static constexpr std::size_t kOutputBytes = 64 * 1024;
  static constexpr std::size_t kPrefixBytes = 512;

  Decompressor();
  ~Decompressor() override;
  Decompressor(const Decompressor&) = delete;
  Decompressor& operator=(const Decompressor&) = delete;

  // Starts a new body. REQUIRES: next outlives the body. kIdentity passes bytes through.
  void Reset(Encoding enc, const DecompressLimits& limits, ByteSink* next);
  void Write(ByteView in) override;
  // End of the body: a stream that stopped before its end is reported as kError only if it
  // produced nothing (a truncated capture is not an anomaly of the peer).
  void Finish();

  Status status() const { return status_; }
  Encoding encoding() const { return enc_; }
  std::uint64_t total_in() const { return total_in_; }
  std::uint64_t total_out() const { return total_out_; }
  bool used_fallback() const { return backend_ == Backend::kZlib; }

 private:
  enum class Backend : std::uint8_t { kNone, kIsal, kZlib, kBrotli };
  void Start();                   // picks the backend once enough prefix bytes are known
  void Run(ByteView in);          // feeds the chosen backend
  bool RunIsal(ByteView in);      // false: ISA-L failed
  bool RunZlib(ByteView in);
  bool RunBrotli(ByteView in);
  bool Emit(std::size_t n);       // false once the limits are exceeded
  void Fail(ByteView in);

  Encoding enc_ = Encoding::kIdentity;
  DecompressLimits limits_;
  ByteSink* next_ = nullptr;
  Status status_ = Status::kOk;
  Backend backend_ = Backend::kNone;
  int isal_flag_ = 0;       // ISAL_GZIP / ISAL_ZLIB / ISAL_DEFLATE
  int zlib_window_ = 15;    // inflateInit2 window bits for the fallback
  bool started_ = false;
  std::uint64_t total_in_ = 0, total_out_ = 0;
  std::uint8_t prefix_[kPrefixBytes];
  std::size_t prefix_len_ = 0;

  struct IsalDeleter { void operator()(inflate_state* s) const; };
  struct ZlibDeleter { void operator()(z_stream* s) const; };
  struct BrotliDeleter { void operator()(BrotliDecoderState* s) const; };
  std::unique_ptr<inflate_state, IsalDeleter> isal_;
  std::unique_ptr<z_stream, ZlibDeleter> zlib_;  // only while inflateInit2 succeeded
  std::unique_ptr<BrotliDecoderState, BrotliDeleter> brotli_;
  std::unique_ptr<std::uint8_t[]> out_;
};

}  // namespace vigie::app
