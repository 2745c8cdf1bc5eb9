#pragma once
// Internal to the DigitTokenizer (digit_tokenizer.cc: common and SSE paths,
// digit_tokenizer_avx512.cc: the AVX-512BW word walk): byte classes shared by both.
#include <array>
#include <cstdint>

#include "match/digit_tokenizer.h"

namespace vigie::match::tok {

enum Class : std::uint8_t { kOther = 0, kDigit = 1, kLetter = 2, kUnderscore = 3, kSep = 4 };

struct ClassTable {
  std::array<std::uint8_t, 256> cls{};
  std::array<std::uint8_t, 256> sep{};
  constexpr ClassTable() {
    for (int c = '0'; c <= '9'; ++c) cls[c] = kDigit;
    for (int c = 'A'; c <= 'Z'; ++c) cls[c] = kLetter;
    for (int c = 'a'; c <= 'z'; ++c) cls[c] = kLetter;
    cls['_'] = kUnderscore;
    cls[' '] = kSep;
    cls['.'] = kSep;
    cls['-'] = kSep;
    cls['/'] = kSep;
    sep[' '] = kSepSpace;
    sep['.'] = kSepDot;
    sep['-'] = kSepDash;
    sep['/'] = kSepSlash;
  }
};
inline constexpr ClassTable kTable;

// Byte classes as bits (the nibble tables below); a byte has at most one. The word classes are
// the high nibble and the digit its top bit, so AVX2 reads the digits with one movemask and the
// word bytes (a class byte >= 0x10) with a saturating add and a movemask (digit_tokenizer_words.h).
enum ClassBit : std::uint8_t {
  kBitDigit = 0x80,
  kBitLetterA = 0x40,  // 0x41-0x4F, 0x61-0x6F
  kBitLetterP = 0x20,  // 0x50-0x5A, 0x70-0x7A
  kBitUnder = 0x10,    // 0x5F
  kBitSpace = 0x01,
  kBitDot = 0x02,
  kBitDash = 0x04,
  kBitSlash = 0x08,
};
inline constexpr std::uint8_t kBitLetter = kBitLetterA | kBitLetterP;
inline constexpr std::uint8_t kBitWord = kBitDigit | kBitLetter | kBitUnder;
inline constexpr std::uint8_t kBitSep = kBitSpace | kBitDot | kBitDash | kBitSlash;
static_assert(kBitWord == 0xf0 && kBitSep == 0x0f && kBitDigit == 0x80);

// LetterBit by table (the walk's letters; 0 for other bytes).
struct LetterBitTable {
  std::array<std::uint64_t, 256> bit{};
  constexpr LetterBitTable() {
    for (int c = 'A'; c <= 'Z'; ++c) bit[c] = std::uint64_t{1} << (c - 'A');
    for (int c = 'a'; c <= 'z'; ++c) bit[c] = std::uint64_t{1} << (26 + c - 'a');
  }
};
inline constexpr LetterBitTable kLetterBit;

inline bool IsWordByte(std::uint8_t c) { return kTable.cls[c] == kDigit || kTable.cls[c] == kLetter || c == '_'; }

// Byte classes by nibble lookup: class bits = kHiTable[c >> 4] & kLoTable[c & 15] (pshufb; bytes
// >= 0x80 get 0). 64-byte constants: a 16-entry table repeated per 128-bit lane (the SSSE3
// search reads the first lane), or one byte repeated.
struct alignas(64) Vec64 {
  std::uint8_t b[64];
};
constexpr Vec64 Repeat(std::uint8_t c) {
  Vec64 v{};
  for (auto& x : v.b) x = c;
  return v;
}
constexpr Vec64 HiTable() {
  Vec64 v{};
  for (int lane = 0; lane < 4; ++lane) {
    std::uint8_t* t = v.b + 16 * lane;
    t[0x2] = kBitSep;
    t[0x3] = kBitDigit;
    t[0x4] = t[0x6] = kBitLetterA;
    t[0x5] = kBitLetterP | kBitUnder;
    t[0x7] = kBitLetterP;
  }
  return v;
}
constexpr Vec64 LoTable() {
  Vec64 v{};
  for (int lane = 0; lane < 4; ++lane) {
    std::uint8_t* t = v.b + 16 * lane;
    for (int c = 0; c <= 9; ++c) t[c] |= kBitDigit;
    for (int c = 1; c <= 15; ++c) t[c] |= kBitLetterA;
    for (int c = 0; c <= 10; ++c) t[c] |= kBitLetterP;
    t[0xf] |= kBitUnder;
    t[0x0] |= kBitSpace;
    t[0xe] |= kBitDot;
    t[0xd] |= kBitDash;
    t[0xf] |= kBitSlash;
  }
  return v;
}
inline constexpr Vec64 kHiTable = HiTable(), kLoTable = LoTable();

}  // namespace vigie::match::tok
