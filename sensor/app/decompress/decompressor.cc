#include "app/decompress/decompressor.h"

#include <brotli/decode.h>
#include <isa-l/igzip_lib.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "core/text.h"

namespace vigie::app {

std::optional<Encoding> ParseEncoding(std::string_view token) {
  token = TrimAny(token);
  if (token.empty() || IEquals(token, "identity")) return Encoding::kIdentity;
  if (IEquals(token, "gzip") || IEquals(token, "x-gzip")) return Encoding::kGzip;
  if (IEquals(token, "deflate")) return Encoding::kDeflate;
  if (IEquals(token, "br")) return Encoding::kBrotli;
  return std::nullopt;
}

void Decompressor::IsalDeleter::operator()(inflate_state* s) const { delete s; }
void Decompressor::ZlibDeleter::operator()(z_stream* s) const {
  inflateEnd(s);
  delete s;
}
void Decompressor::BrotliDeleter::operator()(BrotliDecoderState* s) const { BrotliDecoderDestroyInstance(s); }

Decompressor::Decompressor() = default;
Decompressor::~Decompressor() = default;

void Decompressor::Reset(Encoding enc, const DecompressLimits& limits, ByteSink* next) {
  enc_ = enc;
  limits_ = limits;
  next_ = next;
  status_ = Status::kOk;
  backend_ = Backend::kNone;
  started_ = false;
  total_in_ = total_out_ = 0;
  prefix_len_ = 0;
  zlib_.reset();
  brotli_.reset();
}

void Decompressor::Start() {
  if (enc_ == Encoding::kDeflate) {
    if (prefix_len_ < 2) return;  // the zlib-or-raw decision needs the first two bytes
    const unsigned cmf = prefix_[0], flg = prefix_[1];
    const bool zlib_wrapper = (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
    isal_flag_ = zlib_wrapper ? ISAL_ZLIB : ISAL_DEFLATE;
    zlib_window_ = zlib_wrapper ? 15 : -15;
  } else if (enc_ == Encoding::kGzip) {
    isal_flag_ = ISAL_GZIP;
    zlib_window_ = 15 + 32;  // the fallback also accepts a zlib stream mislabelled as gzip
  }
  if (!out_) out_ = std::make_unique<std::uint8_t[]>(kOutputBytes);
  if (enc_ == Encoding::kBrotli) {
    brotli_.reset(BrotliDecoderCreateInstance(nullptr, nullptr, nullptr));
    backend_ = brotli_ ? Backend::kBrotli : Backend::kNone;
  } else {
    if (!isal_) isal_.reset(new inflate_state);
    isal_inflate_init(isal_.get());
    isal_->crc_flag = static_cast<std::uint32_t>(isal_flag_);
    backend_ = Backend::kIsal;
  }
  started_ = true;
}

void Decompressor::Write(ByteView in) {
  if (in.empty() || status_ == Status::kBomb) return;
  if (status_ == Status::kDone) {
    // A gzip member ended exactly at the previous chunk: another member may follow.
    if (enc_ != Encoding::kGzip || in[0] != 0x1f) return;
    if (backend_ == Backend::kIsal) {
      isal_inflate_reset(isal_.get());
      isal_->crc_flag = static_cast<std::uint32_t>(isal_flag_);
    } else if (backend_ == Backend::kZlib) {
      inflateReset(zlib_.get());
    } else {
      return;
    }
    status_ = Status::kOk;
    total_in_ += in.size();
    Run(in);
    return;
  }
  if (status_ == Status::kError || enc_ == Encoding::kIdentity) {
    total_in_ += in.size();
    total_out_ += in.size();
    next_->Write(in);
    return;
  }
  const std::size_t before = prefix_len_;
  total_in_ += in.size();
  const std::size_t keep = std::min(in.size(), kPrefixBytes - prefix_len_);
  std::memcpy(prefix_ + prefix_len_, in.data(), keep);
  prefix_len_ += keep;
  if (!started_) {
    Start();
    if (!started_) return;
    if (backend_ == Backend::kNone) return Fail(in);
    // Bytes that arrived before the decision (at most one for deflate) are replayed first.
    if (before > 0) {
      Run(ByteView(prefix_, before));
      if (status_ != Status::kOk) return;
    }
  }
  Run(in);
}

void Decompressor::Run(ByteView in) {
  bool ok = false;
  switch (backend_) {
    case Backend::kIsal: ok = RunIsal(in); break;
    case Backend::kZlib: ok = RunZlib(in); break;
    case Backend::kBrotli: ok = RunBrotli(in); break;
    case Backend::kNone: break;
  }
  if (ok) return;
  // ISA-L rejected the stream before producing anything and we still hold all of it: let
  // zlib try (it tolerates a few header variants ISA-L does not, e.g. auto gzip/zlib).
  if (backend_ == Backend::kIsal && total_out_ == 0 && total_in_ <= kPrefixBytes) {
    auto z = std::make_unique<z_stream>();
    std::memset(z.get(), 0, sizeof(z_stream));
    if (inflateInit2(z.get(), zlib_window_) == Z_OK) {
      zlib_.reset(z.release());
      backend_ = Backend::kZlib;
      if (RunZlib(ByteView(prefix_, prefix_len_))) return;
    }
  }
  Fail(in);
}

void IsalSetInput(inflate_state* s, ByteView in) {
  s->next_in = const_cast<std::uint8_t*>(in.data());
  s->avail_in = static_cast<std::uint32_t>(in.size());
}

std::size_t IsalInflateInto(inflate_state* s, std::uint8_t* out, std::size_t cap, int& r) {
  s->next_out = out;
  s->avail_out = static_cast<std::uint32_t>(cap);
  r = isal_inflate(s);
  return cap - s->avail_out;
}

bool Decompressor::RunIsal(ByteView in) {
  inflate_state* s = isal_.get();
  IsalSetInput(s, in);
  for (;;) {
    int r = 0;
    const std::size_t produced = IsalInflateInto(s, out_.get(), kOutputBytes, r);
    if (r < 0) return false;
    if (produced > 0 && !Emit(produced)) return true;
    if (s->block_state == ISAL_BLOCK_FINISH) {
      // Concatenated gzip members (allowed by RFC 1952) continue the same body.
      if (s->avail_in > 0 && enc_ == Encoding::kGzip && s->next_in[0] == 0x1f) {
        std::uint8_t* rest = s->next_in;
        const std::uint32_t rest_len = s->avail_in;
        isal_inflate_reset(s);
        s->crc_flag = static_cast<std::uint32_t>(isal_flag_);
        s->next_in = rest;
        s->avail_in = rest_len;
        continue;
      }
      status_ = Status::kDone;  // trailing bytes after the stream are ignored
      return true;
    }
    if (s->avail_in == 0 && produced < kOutputBytes) return true;
  }
}

bool Decompressor::RunZlib(ByteView in) {
  z_stream* z = zlib_.get();
  z->next_in = const_cast<Bytef*>(in.data());
  z->avail_in = static_cast<uInt>(in.size());
  for (;;) {
    z->next_out = out_.get();
    z->avail_out = kOutputBytes;
    const int r = inflate(z, Z_NO_FLUSH);
    const std::size_t produced = kOutputBytes - z->avail_out;
    if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) return false;
    if (produced > 0 && !Emit(produced)) return true;
    if (r == Z_STREAM_END) {
      if (z->avail_in > 0 && enc_ == Encoding::kGzip && z->next_in[0] == 0x1f) {
        inflateReset(z);
        continue;
      }
      status_ = Status::kDone;
      return true;
    }
    if (z->avail_in == 0 && produced < kOutputBytes) return true;
    if (r == Z_BUF_ERROR && produced == 0) return true;  // no progress possible until more input
  }
}

bool Decompressor::RunBrotli(ByteView in) {
  std::size_t avail_in = in.size();
  const std::uint8_t* next_in = in.data();
  for (;;) {
    std::size_t avail_out = kOutputBytes;
    std::uint8_t* next_out = out_.get();
    const auto r = BrotliDecoderDecompressStream(brotli_.get(), &avail_in, &next_in, &avail_out, &next_out, nullptr);
    const std::size_t produced = kOutputBytes - avail_out;
    if (produced > 0 && !Emit(produced)) return true;
    if (r == BROTLI_DECODER_RESULT_ERROR) return false;
    if (r == BROTLI_DECODER_RESULT_SUCCESS) {
      status_ = Status::kDone;
      return true;
    }
    if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) return true;
  }
}

bool Decompressor::Emit(std::size_t n) {
  const std::uint64_t out = total_out_ + n;
  const bool over_abs = limits_.OverOutput(out);
  const bool over_ratio = limits_.OverRatio(out, total_in_);
  if (over_abs || over_ratio) {
    // Hand over what still fits under the absolute cap, then stop for good.
    if (!over_ratio && limits_.max_output > total_out_) {
      const std::size_t fit = static_cast<std::size_t>(limits_.max_output - total_out_);
      next_->Write(ByteView(out_.get(), fit));
      total_out_ += fit;
    }
    status_ = Status::kBomb;
    zlib_.reset();  // the rest of the body is skipped (ISA-L's state is kept for reuse)
    brotli_.reset();
    return false;
  }
  total_out_ = out;
  next_->Write(ByteView(out_.get(), n));
  return true;
}

void Decompressor::Fail(ByteView in) {
  status_ = Status::kError;
  // Scan the raw bytes instead: all of them when we still hold them, else from this chunk on.
  if (total_out_ == 0 && total_in_ <= kPrefixBytes) {
    total_out_ = prefix_len_;
    next_->Write(ByteView(prefix_, prefix_len_));
  } else {
    total_out_ += in.size();
    next_->Write(in);
  }
}

void Decompressor::Finish() {
  if (enc_ == Encoding::kIdentity || status_ != Status::kOk) return;
  if (!started_ || total_out_ == 0) {
    if (total_in_ > 0) Fail(ByteView{});
  }
}

}  // namespace vigie::app
