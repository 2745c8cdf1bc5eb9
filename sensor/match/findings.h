#pragma once
// What the PII scanner reports for one scanned unit (an HTTP body, an e-mail, a raw stream).
// Never a clear value: types, counts, keyed hashes and masked excerpts only.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vigie::match {

enum class PiiType : std::uint8_t {
  kNir,
  kFranceTravailId,
  kPhone,
  kEmail,
  kIban,
  kCard,
  kBirthDate,
  kAddress,
  kCount
};
inline constexpr std::size_t kPiiTypeCount = static_cast<std::size_t>(PiiType::kCount);

// Stable names used in alerts, metric labels and signature files.
inline constexpr std::array<std::string_view, kPiiTypeCount> kPiiTypeNames = {
    "nir", "france_travail_id", "phone", "email", "iban", "card", "birth_date", "address"};
inline std::string_view PiiTypeName(PiiType t) { return kPiiTypeNames[static_cast<std::size_t>(t)]; }

struct ScanSummary {
  std::array<std::uint32_t, kPiiTypeCount> matches{};   // validated matches, by type
  std::array<std::uint32_t, kPiiTypeCount> rejected{};  // candidates that failed validation
  // Keyed hash of each distinct record's primary identifier (distinct within this unit).
  std::vector<std::uint64_t> records;
  // Masked excerpts (e.g. "2 85 05 ** *** *** 42"), at most the configured number.
  std::vector<std::string> excerpts;
  std::uint64_t bytes_scanned = 0;

  std::uint32_t TotalMatches() const {
    std::uint32_t n = 0;
    for (auto m : matches) n += m;
    return n;
  }
};

}  // namespace vigie::match
