// Streaming decompression: gzip / zlib / raw deflate / br, any chunking, invalid input scanned
// raw, bombs stopped with bounded memory.
#include "app/decompress/decompressor.h"

#include <brotli/encode.h>
#include <dlfcn.h>
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "http_test_util.h"

namespace vigie::app {
namespace {

using httptest::Deflate;
using httptest::Gzip;

class StringSink : public ByteSink {
 public:
  void Write(ByteView d) override {
    out.append(reinterpret_cast<const char*>(d.data()), d.size());
    ++writes;
    max_write = std::max(max_write, d.size());
  }
  std::string out;
  std::size_t writes = 0, max_write = 0;
};

class CountSink : public ByteSink {
 public:
  void Write(ByteView d) override { n += d.size(); }
  std::uint64_t n = 0;
};

std::string Text(std::size_t n) {
  std::string s;
  std::mt19937 rng(7);
  while (s.size() < n) s += "{\"nom\":\"Dupont\",\"ville\":\"Lyon\",\"n\":" + std::to_string(rng() % 100000) + "},";
  s.resize(n);
  return s;
}

// Feeds `in` in random 1..max_chunk pieces (max_chunk 0: one buffer).
std::string Inflate(Encoding enc, const std::string& in, std::size_t max_chunk, Decompressor::Status* st = nullptr,
                DecompressLimits limits = {}) {
  Decompressor d;
  StringSink sink;
  d.Reset(enc, limits, &sink);
  std::mt19937 rng(42);
  for (std::size_t i = 0; i < in.size();) {
    const std::size_t n = max_chunk == 0 ? in.size() : std::min<std::size_t>(1 + rng() % max_chunk, in.size() - i);
    d.Write(AsBytes(std::string_view(in).substr(i, n)));
    i += n;
  }
  d.Finish();
  if (st) *st = d.status();
  return sink.out;
}

TEST(Decompress, ParseEncodingTokens) {
  EXPECT_EQ(ParseEncoding(" GZIP "), Encoding::kGzip);
  EXPECT_EQ(ParseEncoding("x-gzip"), Encoding::kGzip);
  EXPECT_EQ(ParseEncoding("deflate"), Encoding::kDeflate);
  EXPECT_EQ(ParseEncoding("br"), Encoding::kBrotli);
  EXPECT_EQ(ParseEncoding("identity"), Encoding::kIdentity);
  EXPECT_FALSE(ParseEncoding("zstd").has_value());
}

TEST(Decompress, GzipZlibRawAnyChunking) {
  const std::string text = Text(300000);
  for (std::size_t chunk : {0u, 1u, 7u, 1500u}) {
    Decompressor::Status st;
    EXPECT_EQ(Inflate(Encoding::kGzip, Gzip(text), chunk, &st), text) << chunk;
    EXPECT_EQ(st, Decompressor::Status::kDone);
    EXPECT_EQ(Inflate(Encoding::kDeflate, Deflate(text, 15), chunk, &st), text) << "zlib " << chunk;
    EXPECT_EQ(st, Decompressor::Status::kDone);
    EXPECT_EQ(Inflate(Encoding::kDeflate, Deflate(text, -15), chunk, &st), text) << "raw " << chunk;
    EXPECT_EQ(st, Decompressor::Status::kDone);
  }
}

TEST(Decompress, OutputChunksAreBounded) {
  const std::string text = Text(1 << 20);
  Decompressor d;
  StringSink sink;
  d.Reset(Encoding::kGzip, {}, &sink);
  const std::string gz = Gzip(text);
  d.Write(AsBytes(gz));
  EXPECT_EQ(sink.out, text);
  EXPECT_LE(sink.max_write, Decompressor::kOutputBytes);
  EXPECT_GE(sink.writes, text.size() / Decompressor::kOutputBytes);
}

TEST(Decompress, ConcatenatedGzipMembers) {
  const std::string a = Text(5000), b = "second member";
  EXPECT_EQ(Inflate(Encoding::kGzip, Gzip(a) + Gzip(b), 3), a + b);
  EXPECT_EQ(Inflate(Encoding::kGzip, Gzip(a) + Gzip(b), 0), a + b);
}

TEST(Decompress, ZlibStreamLabelledGzipFallsBackToZlib) {
  const std::string text = Text(2000);
  Decompressor d;
  StringSink sink;
  d.Reset(Encoding::kGzip, {}, &sink);
  const std::string z = Deflate(text, 15);
  d.Write(AsBytes(z));
  EXPECT_EQ(sink.out, text);
  EXPECT_TRUE(d.used_fallback());
}

TEST(Decompress, InvalidGzipPassesRawBytes) {
  const std::string junk = "this is not gzip at all, just text with jean@example.fr";
  Decompressor::Status st;
  for (std::size_t chunk : {0u, 1u, 5u}) {
    EXPECT_EQ(Inflate(Encoding::kGzip, junk, chunk, &st), junk) << chunk;
    EXPECT_EQ(st, Decompressor::Status::kError);
  }
  // Valid header then garbage: the error is reported, no crash, bounded output.
  std::string gz = Gzip(Text(100000));
  for (std::size_t i = 200; i < 400; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  Inflate(Encoding::kGzip, gz, 13, &st);
  EXPECT_EQ(st, Decompressor::Status::kError);
}

TEST(Decompress, TruncatedStreamKeepsWhatWasDecoded) {
  const std::string text = Text(100000);
  const std::string gz = Gzip(text);
  Decompressor::Status st;
  const std::string out = Inflate(Encoding::kGzip, gz.substr(0, gz.size() / 2), 0, &st);
  EXPECT_EQ(st, Decompressor::Status::kOk);
  EXPECT_GT(out.size(), 1000u);
  EXPECT_EQ(out, text.substr(0, out.size()));
}

TEST(Decompress, RatioBombStopsEarlyWithBoundedMemory) {
  // 10 GB of zeros claimed by repeating one deflate block: we feed a 1 GiB gzip of zeros in
  // pieces and check the decoder stops right after the 1 MiB floor at ratio 1000.
  const std::string zeros(8 << 20, '\0');
  const std::string gz = Gzip(zeros);  // ~8 KiB
  ASSERT_LT(gz.size(), 10000u);
  Decompressor d;
  CountSink sink;
  DecompressLimits limits;
  limits.max_ratio = 100;
  d.Reset(Encoding::kGzip, limits, &sink);
  for (std::size_t i = 0; i < gz.size(); i += 512) d.Write(AsBytes(std::string_view(gz).substr(i, 512)));
  EXPECT_EQ(d.status(), Decompressor::Status::kBomb);
  EXPECT_LE(sink.n, 2u << 20);
  // Later input is dropped, not decoded.
  const auto before = sink.n;
  d.Write(AsBytes(gz));
  EXPECT_EQ(sink.n, before);
}

TEST(Decompress, AbsoluteOutputCap) {
  const std::string text = Text(3 << 20);
  Decompressor d;
  CountSink sink;
  DecompressLimits limits;
  limits.max_output = 1 << 20;
  limits.max_ratio = 0;  // ratio check off
  d.Reset(Encoding::kGzip, limits, &sink);
  d.Write(AsBytes(Gzip(text)));
  EXPECT_EQ(d.status(), Decompressor::Status::kBomb);
  EXPECT_EQ(sink.n, 1u << 20);
}

TEST(Decompress, TenGigabyteClaimIsCutAtTheLimit) {
  // A stream that would inflate to 10 GB: the same 1 MiB-of-zeros deflate member repeated
  // (concatenated gzip members). The decoder must stop at max_output without ever holding
  // more than its 64 KiB buffer.
  const std::string member = Gzip(std::string(1 << 20, '\0'));
  Decompressor d;
  CountSink sink;
  DecompressLimits limits;  // defaults: 256 MiB, ratio 1000
  d.Reset(Encoding::kGzip, limits, &sink);
  std::uint64_t fed = 0;
  for (int i = 0; i < 10240 && d.status() != Decompressor::Status::kBomb; ++i) {
    d.Write(AsBytes(member));
    fed += member.size();
  }
  EXPECT_EQ(d.status(), Decompressor::Status::kBomb);
  EXPECT_LE(sink.n, limits.max_output);
  EXPECT_LT(fed, 10240 * member.size());  // stopped long before the whole 10 GB
}

TEST(Decompress, Brotli) {
  void* h = dlopen("libbrotlienc.so.1", RTLD_NOW);
  if (!h) GTEST_SKIP() << "libbrotlienc not available";
  auto compress = reinterpret_cast<decltype(&BrotliEncoderCompress)>(dlsym(h, "BrotliEncoderCompress"));
  ASSERT_NE(compress, nullptr);
  const std::string text = Text(200000);
  std::string out(text.size() + 1024, '\0');
  std::size_t out_len = out.size();
  ASSERT_TRUE(compress(5, 22, BROTLI_MODE_TEXT, text.size(), reinterpret_cast<const std::uint8_t*>(text.data()),
                       &out_len, reinterpret_cast<std::uint8_t*>(out.data())));
  out.resize(out_len);
  Decompressor::Status st;
  for (std::size_t chunk : {0u, 1u, 9u}) {
    EXPECT_EQ(Inflate(Encoding::kBrotli, out, chunk, &st), text);
    EXPECT_EQ(st, Decompressor::Status::kDone);
  }
  EXPECT_EQ(Inflate(Encoding::kBrotli, "\xff\xff\xff garbage", 0, &st), "\xff\xff\xff garbage");
  EXPECT_EQ(st, Decompressor::Status::kError);
  dlclose(h);
}

}  // namespace
}  // namespace vigie::app
