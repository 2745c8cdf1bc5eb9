#pragma once
// Validators: every Hyperscan candidate is checked here before it counts.
//
// Hyperscan runs in streaming mode without start-of-match, so a validator only learns where a
// candidate ENDS. It receives `window`: up to kMaxCandidateBytes bytes of the stream ending
// exactly at the match end, and finds the candidate's start itself by walking backwards with
// its own shape (each validator knows the shapes its patterns accept). It then checks the
// value (checksums, calendars, issuer tables...) and writes the normalized value (the form that
// is keyed-hashed) into `normalized`.
//
// Contract: pure functions of their input, no allocation beyond `normalized`/`out` growth, never
// throw on any byte sequence.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vigie::match {

// Longest candidate any validator will look back for (addresses are the longest shape).
inline constexpr std::size_t kMaxCandidateBytes = 200;

struct Validator {
  std::string_view name;
  // Returns the candidate's start offset within `window` (which ends at the match end), or
  // nullopt when the candidate is rejected. On success `normalized` holds the normalized value.
  std::optional<std::size_t> (*check)(std::string_view window, std::string& normalized);
  // Writes a masked excerpt of `candidate` (the bytes check() accepted) into `out`; never the
  // full value.
  void (*mask)(std::string_view candidate, std::string& out);
  // Whole-field validation (the CSV path, scanner.cc TypeFields), or nullptr: then the caller
  // uses check() and requires start 0. field(s, n) returns true iff check(s, n2) returns
  // std::optional<std::size_t>(0), and then n == n2 (the same normalized value); on false, n
  // holds anything. s is the field's content exactly as check() would get it (an address with
  // the byte that ends it: its closing quote, delimiter, CR or newline). It parses forward from
  // s[0] knowing the end, where check() walks back from the end looking for a start: the same
  // verdict, cheaper. Reads s[0, s.size()) only (a field may end at the buffer's end), same
  // rules as check(): no allocation beyond `normalized` growth, never throws.
  // tests/match/field_validators_test.cc compares the two on generated values of every written
  // form, their single-byte mutations and random strings over each type's alphabet.
  bool (*field)(std::string_view s, std::string& normalized) = nullptr;
  // Forms only a typed CSV column's field may take (the column's name says what it is, so a
  // shape too ambiguous for text is read), tried when field()/check() refuse the field, or
  // nullptr. Birth dates: 8 digits, YYYYMMDD or DDMMYYYY (legacy and mainframe exports). Same
  // rules as field(); `normalized` is the form check() would give for the date.
  bool (*column)(std::string_view s, std::string& normalized) = nullptr;
};

// nullptr when no validator has that name.
const Validator* FindValidator(std::string_view name);
// Comma-separated list of known validator names (for error messages).
std::string ValidatorNames();

// Building blocks, exposed for unit tests.
bool NirValid(std::string_view compact15);        // 15 chars, no spaces
bool IbanValid(std::string_view compact);          // no spaces, upper case
bool LuhnValid(std::string_view digits);
int IbanLength(std::string_view country);          // 0 when unknown
bool CardIssuerAccepts(std::string_view digits);   // prefix/length table
bool PlausibleBirthDate(int year, int month, int day);

// Validator entry points (also reachable through FindValidator).
std::optional<std::size_t> CheckNir(std::string_view w, std::string& norm);
std::optional<std::size_t> CheckFranceTravailId(std::string_view w, std::string& norm);
std::optional<std::size_t> CheckPhone(std::string_view w, std::string& norm);
std::optional<std::size_t> CheckEmail(std::string_view w, std::string& norm);
std::optional<std::size_t> CheckIban(std::string_view w, std::string& norm);
std::optional<std::size_t> CheckCard(std::string_view w, std::string& norm);
std::optional<std::size_t> CheckBirthDate(std::string_view w, std::string& norm);
std::optional<std::size_t> CheckAddress(std::string_view w, std::string& norm);

// Field entry points (Validator::field; nullptr in the registry for the validators without one).
bool FieldNir(std::string_view s, std::string& norm);
bool FieldPhone(std::string_view s, std::string& norm);
bool FieldEmail(std::string_view s, std::string& norm);
bool FieldIban(std::string_view s, std::string& norm);
bool FieldAddress(std::string_view s, std::string& norm);
// Column entry points (Validator::column).
bool ColumnCompactBirthDate(std::string_view s, std::string& norm);

void MaskNir(std::string_view c, std::string& out);
void MaskFranceTravailId(std::string_view c, std::string& out);
void MaskPhone(std::string_view c, std::string& out);
void MaskEmail(std::string_view c, std::string& out);
void MaskIban(std::string_view c, std::string& out);
void MaskCard(std::string_view c, std::string& out);
void MaskBirthDate(std::string_view c, std::string& out);
void MaskAddress(std::string_view c, std::string& out);

}  // namespace vigie::match
