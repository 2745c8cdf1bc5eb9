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

// Byte classes as bits, by nibble lookup: class = kHi[c >> 4] & kLo[c & 15] (bytes >= 0x80 have
// hi entries 0).
enum ClassBit : std::uint8_t {
  kBitDigit = 1,
  kBitLetterA = 2,   // 0x41-0x4F, 0x61-0x6F
  kBitLetterP = 4,   // 0x50-0x5A, 0x70-0x7A
  kBitUnder = 8,     // 0x5F
  kBitSpace = 16,
  kBitDot = 32,
  kBitDash = 64,
  kBitSlash = 128,
};
inline constexpr std::uint8_t kBitLetter = kBitLetterA | kBitLetterP;
inline constexpr std::uint8_t kBitWord = kBitDigit | kBitLetter | kBitUnder;
inline constexpr std::uint8_t kBitSep = kBitSpace | kBitDot | kBitDash | kBitSlash;

inline bool IsWordByte(std::uint8_t c) { return kTable.cls[c] == kDigit || kTable.cls[c] == kLetter || c == '_'; }

}  // namespace vigie::match::tok
