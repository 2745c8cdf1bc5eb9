#pragma once
// Encoders the app tests build their inputs with (written here, not taken from the decoders
// under test).
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::app::testutil {

// Base64 (standard alphabet, padded) with a CRLF after every `line` characters.
inline std::string Base64(std::string_view in, std::size_t line = 76) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out, cur;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t v = static_cast<std::uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<std::uint8_t>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<std::uint8_t>(in[i + 2]);
    cur += kAlphabet[(v >> 18) & 63];
    cur += kAlphabet[(v >> 12) & 63];
    cur += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    cur += i + 2 < in.size() ? kAlphabet[v & 63] : '=';
    if (cur.size() >= line) {
      out += cur + "\r\n";
      cur.clear();
    }
  }
  return out + cur;
}

// zlib's deflate: raw (window_bits -15), zlib (15) or gzip (15 + 16).
inline std::string Deflate(const std::string& in, int window_bits, int level = 6) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, in.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}
// A ZIP archive as writers lay it out: a local header and the data of each file, then the
// central directory and its end (read by nobody here but there, as in real archives).
struct ZipFile {
  std::string name, content;
  bool deflate = true;
  // 0: sizes in the local header; else a data descriptor after the data (sizes 0 before it):
  // 12 (unsigned), 16 ("PK\7\8" first) or 24 bytes (signed, zip64 sizes).
  int descriptor = 0;
  bool encrypted = false;
  // Sizes 0xFFFFFFFF in the local header, the real ones in a zip64 extra field (tag 1) after an
  // unrelated one (descriptor 0 only).
  bool zip64 = false;
};
inline std::string Zip(const std::vector<ZipFile>& files) {
  auto le = [](std::string& o, std::uint64_t v, int n) {
    for (int k = 0; k < n; ++k) o.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
  };
  std::string out, dir;
  std::uint16_t count = 0;
  for (const ZipFile& f : files) {
    const std::string data = f.deflate ? Deflate(f.content, -15) : f.content;
    const std::uint32_t crc = static_cast<std::uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(f.content.data()), static_cast<uInt>(f.content.size())));
    const std::uint16_t flags = static_cast<std::uint16_t>((f.descriptor ? 8 : 0) | (f.encrypted ? 1 : 0));
    const std::size_t at = out.size();
    out += std::string("PK\x03\x04", 4);
    le(out, 20, 2);
    le(out, flags, 2);
    le(out, f.deflate ? 8 : 0, 2);
    le(out, 0x5A21, 2);  // 2025-01-01 04:09:02
    le(out, 0x5A21, 2);
    le(out, f.descriptor ? 0 : crc, 4);
    le(out, f.descriptor ? 0 : f.zip64 ? 0xFFFFFFFFu : data.size(), 4);
    le(out, f.descriptor ? 0 : f.zip64 ? 0xFFFFFFFFu : f.content.size(), 4);
    le(out, f.name.size(), 2);
    std::string extra;
    if (f.zip64) {
      le(extra, 0x5455, 2);  // an extended timestamp first
      le(extra, 5, 2);
      le(extra, 1, 1);
      le(extra, 0x65000000, 4);
      le(extra, 1, 2);  // zip64: size, then compressed size
      le(extra, 16, 2);
      le(extra, f.content.size(), 8);
      le(extra, data.size(), 8);
    }
    le(out, extra.size(), 2);
    out += f.name + extra + data;
    if (f.descriptor != 0) {
      if (f.descriptor != 12) out += std::string("PK\x07\x08", 4);
      le(out, crc, 4);
      le(out, data.size(), f.descriptor == 24 ? 8 : 4);
      le(out, f.content.size(), f.descriptor == 24 ? 8 : 4);
    }
    dir += std::string("PK\x01\x02", 4);
    le(dir, 20, 2);
    le(dir, 20, 2);
    le(dir, flags, 2);
    le(dir, f.deflate ? 8 : 0, 2);
    le(dir, 0x5A21, 4);
    le(dir, crc, 4);
    le(dir, data.size(), 4);
    le(dir, f.content.size(), 4);
    le(dir, f.name.size(), 2);
    le(dir, 0, 8);
    le(dir, 0, 4);
    le(dir, at, 4);
    dir += f.name;
    ++count;
  }
  const std::size_t dir_at = out.size();
  out += dir + std::string("PK\x05\x06", 4);
  le(out, 0, 4);
  le(out, count, 2);
  le(out, count, 2);
  le(out, dir.size(), 4);
  le(out, dir_at, 4);
  le(out, 0, 2);
  return out;
}

}  // namespace vigie::app::testutil
