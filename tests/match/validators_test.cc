// Valid / invalid vectors for every validator, called the way the scanner calls them: with a
// window of stream bytes that ends at the match end.
#include <gtest/gtest.h>

#include <iterator>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "match/validators.h"
#include "match/validators_util.h"

namespace vigie::match {
namespace {

// Runs a validator on `text` (window ending at the candidate end); returns the candidate found
// or "<rejected>".
std::string Check(std::optional<std::size_t> (*check)(std::string_view, std::string&), std::string_view text,
                std::string* norm = nullptr) {
  std::string n;
  auto b = check(text, n);
  if (!b) return "<rejected>";
  if (norm) *norm = n;
  return std::string(text.substr(*b));
}

TEST(Nir, KnownGood) {
  for (const char* v : {"295109912611193", "253072B07300470", "253072A07300443", "269054958815780"}) {
    EXPECT_TRUE(NirValid(v)) << v;
    std::string norm;
    EXPECT_EQ(Check(&CheckNir, std::string("nir: ") + v, &norm), v);
    EXPECT_EQ(norm, v);
  }
}

TEST(Nir, SpacedAndCorsicaLowercase) {
  std::string norm;
  EXPECT_EQ(Check(&CheckNir, "x 2 53 07 2B 073 004 70", &norm), "2 53 07 2B 073 004 70");
  EXPECT_EQ(norm, "253072B07300470");
  EXPECT_EQ(Check(&CheckNir, "\"253072b07300470", &norm), "253072b07300470");
  EXPECT_EQ(norm, "253072B07300470");
}

TEST(Nir, ProvisionalSexCodesAndOverseas) {
  // Keys computed independently: 97 - (first 13 digits mod 97).
  auto with_key = [](std::string s13) {
    std::string num = s13;
    if (num.substr(5, 2) == "2A") num.replace(5, 2, "19");
    if (num.substr(5, 2) == "2B") num.replace(5, 2, "18");
    const auto k = 97 - std::stoull(num) % 97;
    return s13 + (k < 10 ? "0" : "") + std::to_string(k);
  };
  for (const char* s13 : {"3850575111042", "4850575111042", "7850575111042", "8850575111042",  // provisional
                          "1850597112042", "2850598401042",                                  // 971.., 984..
                          "1853075111042", "1855075111042", "1859975111042",                 // months 30, 50, 99
                          "1850599100042"}) {                                                // abroad (99 + country)
    EXPECT_TRUE(NirValid(with_key(s13))) << s13;
  }
  for (const char* s13 : {"5850575111042", "6850575111042", "9850575111042",   // sex
                          "1851375111042", "1850075111042", "1851975111042",   // months 13, 00, 19
                          "1854375111042",                                     // month 43
                          "1850500111042", "1850596111042",                    // dept 00, 96
                          "1850575000042", "1850575111000",                    // commune 000, order 000
                          "1850597100042"}) {                                  // overseas commune 00
    EXPECT_FALSE(NirValid(with_key(s13))) << s13;
  }
}

// NirValid against the rules written out one by one, on random NIR-shaped strings that hit each
// rule's edges (sex codes, month ranges, departments 00/96/97/98/2A/2B, zero communes and
// orders, a right or random key, a stray letter).
TEST(Nir, SameAsTheRulesOneByOne) {
  auto reference = [](const std::string& c) {
    if (c.size() != 15) return false;
    std::string num = c.substr(0, 13);
    const bool corsica = c[5] == '2' && (c[6] == 'A' || c[6] == 'B');
    if (corsica) num.replace(5, 2, c[6] == 'A' ? "19" : "18");
    for (const char ch : num + c.substr(13))
      if (ch < '0' || ch > '9') return false;
    if (std::string("123478").find(c[0]) == std::string::npos) return false;
    const int month = std::stoi(c.substr(3, 2));
    if (!((month >= 1 && month <= 12) || (month >= 20 && month <= 42) || month >= 50)) return false;
    if (!corsica) {
      const int dept = std::stoi(c.substr(5, 2));
      if (dept == 0 || dept == 96) return false;
      if (dept == 97 || dept == 98) {
        if (c.substr(8, 2) == "00") return false;
      } else if (c.substr(7, 3) == "000") {
        return false;
      }
    }
    if (c.substr(10, 3) == "000") return false;
    return std::stoi(c.substr(13, 2)) == static_cast<int>(97 - std::stoull(num) % 97);
  };
  std::mt19937 rng(15);
  auto digits = [&](int n, int zero_in) {  // zero_in: 1 in zero_in times all zeros
    std::string d;
    const bool zeros = rng() % zero_in == 0;
    for (int k = 0; k < n; ++k) d += zeros ? '0' : static_cast<char>('0' + rng() % 10);
    return d;
  };
  int valid = 0;
  for (int round = 0; round < 50000; ++round) {
    std::string c = std::string(1, static_cast<char>('0' + rng() % 10)) + digits(2, 50);
    const unsigned month = rng() % 100;
    c += std::string(1, static_cast<char>('0' + month / 10)) + static_cast<char>('0' + month % 10);
    const char* depts[] = {"75", "00", "96", "97", "98", "99", "2A", "2B", "2C", "13", "01", "95"};
    c += depts[rng() % std::size(depts)];
    c += digits(3, 6) + digits(3, 6);
    if (rng() % 40 == 0) c[rng() % 13] = "AB x"[rng() % 4];
    std::string num = c;
    if (c[5] == '2' && (c[6] == 'A' || c[6] == 'B')) num.replace(5, 2, c[6] == 'A' ? "19" : "18");
    bool digits_only = true;
    for (const char ch : num) digits_only = digits_only && ch >= '0' && ch <= '9';
    unsigned key = rng() % 100;
    if (digits_only && rng() % 4 != 0) key = 97 - static_cast<unsigned>(std::stoull(num) % 97);
    c += std::string(1, static_cast<char>('0' + key / 10)) + static_cast<char>('0' + key % 10);
    ASSERT_EQ(NirValid(c), reference(c)) << c;
    valid += reference(c);
  }
  EXPECT_GT(valid, 5000);
  EXPECT_LT(valid, 40000);
}

TEST(Nir, WrongKeysAndShapes) {
  EXPECT_FALSE(NirValid("295109912611194"));
  EXPECT_FALSE(NirValid("253072B07300471"));
  EXPECT_FALSE(NirValid("253072C07300470"));
  EXPECT_FALSE(NirValid("25307A207300470"));
  EXPECT_EQ(Check(&CheckNir, "2 53 07 2B 073 004 71"), "<rejected>");
  EXPECT_EQ(Check(&CheckNir, "2  53072B07300470"), "<rejected>");
  // Spaces only between the groups (the signature's shapes): these are valid numbers written
  // in a way no NIR is written.
  EXPECT_EQ(Check(&CheckNir, "2951 099126 11193"), "<rejected>");
  EXPECT_EQ(Check(&CheckNir, "x 2 95 10 99 126 111 93"), "2 95 10 99 126 111 93");
  EXPECT_EQ(Check(&CheckNir, "_295109912611193"), "<rejected>");  // '_' is a word byte: no \b
}

TEST(Phone, EveryForm) {
  const std::pair<const char*, const char*> good[] = {
      {"tel: 06 12 34 56 78", "06 12 34 56 78"},     {"0612345678", "0612345678"},
      {"x 06.12.34.56.78", "06.12.34.56.78"},        {"x 06-12-34-56-78", "06-12-34-56-78"},
      {"(01 42 68 53 00", "01 42 68 53 00"},         {"+33 6 12 34 56 78", "+33 6 12 34 56 78"},
      {"+33612345678", "+33612345678"},             {"0033 6 12 34 56 78", "0033 6 12 34 56 78"},
      {"0033612345678", "0033612345678"},           {" 09 87 65 43 21", "09 87 65 43 21"},
      {" 05 56 00 11 22", "05 56 00 11 22"},        {" 07 81 22 33 44", "07 81 22 33 44"},
      {"t\xc3\xa9l +33 (0)6 12 34 56 78", "+33 (0)6 12 34 56 78"}, {"+33(0)612345678", "+33(0)612345678"},
      {"0033 (0)1 42 68 53 00", "0033 (0)1 42 68 53 00"}, {"+33 (0) 7.81.22.33.44", "+33 (0) 7.81.22.33.44"},
  };
  for (auto [text, want] : good) {
    std::string norm;
    EXPECT_EQ(Check(&CheckPhone, text, &norm), want) << text;
    EXPECT_EQ(norm.size(), 10u) << text;
    EXPECT_EQ(norm[0], '0');
  }
  std::string a, b;
  Check(&CheckPhone, "+33 6 12 34 56 78", &a);
  Check(&CheckPhone, "06.12.34.56.78", &b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a, "0612345678");
  std::string c;
  Check(&CheckPhone, "+33 (0)6 12 34 56 78", &c);
  EXPECT_EQ(c, a);  // one person, one keyed hash, whatever the form
  for (const char* bad : {"/items/0612345678", "08 00 12 34 56", "06 12.34-56 78", "00 12 34 56 78", "06 00 00 00 00", "6 12 34 56 78",
                          "(0)6 12 34 56 78", "+33 (1)6 12 34 56 78", "+33 (0)0 12 34 56 78", "+33 (00)6 12 34 56 78",
                          "0(0)6 12 34 56 78"})
    EXPECT_EQ(Check(&CheckPhone, bad), "<rejected>") << bad;
}

TEST(Email, ShapesAndNormalization) {
  std::string norm;
  EXPECT_EQ(Check(&CheckEmail, "mail: Jean.Dupont+news@Gmail.COM", &norm), "Jean.Dupont+news@Gmail.COM");
  EXPECT_EQ(norm, "jean.dupont+news@gmail.com");
  EXPECT_EQ(Check(&CheckEmail, "\"a@b.co.uk"), "a@b.co.uk");
  EXPECT_EQ(Check(&CheckEmail, "x@localhost"), "<rejected>");
  EXPECT_EQ(Check(&CheckEmail, "a..@b.fr"), "<rejected>");
  EXPECT_EQ(Check(&CheckEmail, "@b.fr"), "<rejected>");
}

TEST(Iban, SeveralCountries) {
  for (const char* v : {"FR1420041010050500013M02606", "DE89370400440532013000", "GB29NWBK60161331926819",
                        "ES9121000418450200051332", "IT60X0542811101000000123456", "BE68539007547034",
                        "NL91ABNA0417164300", "CH9300762011623852957", "PT50000201231234567890154",
                        "LU280019400644750000", "AT611904300234573201"}) {
    EXPECT_TRUE(IbanValid(v)) << v;
    std::string norm;
    EXPECT_EQ(Check(&CheckIban, std::string("IBAN ") + v, &norm), v);
    EXPECT_EQ(norm, v);
  }
  std::string norm;
  EXPECT_EQ(Check(&CheckIban, "iban: FR14 2004 1010 0505 0001 3M02 606", &norm), "FR14 2004 1010 0505 0001 3M02 606");
  EXPECT_EQ(norm, "FR1420041010050500013M02606");
  EXPECT_FALSE(IbanValid("FR1420041010050500013M02607"));  // one digit off
  EXPECT_FALSE(IbanValid("FR142004101005050001302606"));   // wrong length for FR
  EXPECT_FALSE(IbanValid("XX1420041010050500013M02606"));  // unknown country
  EXPECT_EQ(Check(&CheckIban, "DE89370400440532013001"), "<rejected>");
}

// The checksum against the textbook computation (country code and check digits moved to the
// end, letters as 10..35, one char at a time) on random IBAN-shaped strings of every registered
// length: BBANs of digits (the summed-chunks path) and with letters (the general one), check
// digits right (valid) or random (mostly not).
TEST(Iban, ChecksumSameAsTheTextbookComputation) {
  auto reference = [](const std::string& s) {
    const std::string moved = s.substr(4) + s.substr(0, 4);
    unsigned rem = 0;
    for (const char c : moved) rem = c <= '9' ? (rem * 10 + static_cast<unsigned>(c - '0')) % 97
                                              : (rem * 100 + static_cast<unsigned>(c - 'A' + 10)) % 97;
    return rem;
  };
  std::mt19937 rng(97);
  int valid = 0, invalid = 0;
  for (int round = 0; round < 20000; ++round) {
    const char* countries[] = {"NO", "BE", "SI", "NL", "AT", "CH", "DE", "GI", "BG", "ES", "PT", "IS", "FR", "HU", "MT"};
    const std::string cc = countries[rng() % std::size(countries)];
    const int length = IbanLength(cc);
    ASSERT_GT(length, 0) << cc;
    std::string bban;
    const bool letters = rng() % 3 == 0;
    for (int k = 4; k < length; ++k)
      bban += letters && rng() % 4 == 0 ? static_cast<char>('A' + rng() % 26) : static_cast<char>('0' + rng() % 10);
    std::string iban = cc + "00" + bban;
    if (rng() % 2 == 0) {
      const unsigned check = 98 - reference(iban);
      iban[2] = static_cast<char>('0' + check / 10);
      iban[3] = static_cast<char>('0' + check % 10);
    } else {
      iban[2] = static_cast<char>('0' + rng() % 10);
      iban[3] = static_cast<char>('0' + rng() % 10);
    }
    const bool expect = reference(iban) == 1;
    ASSERT_EQ(IbanValid(iban), expect) << iban;
    (expect ? valid : invalid)++;
  }
  EXPECT_GT(valid, 8000);
  EXPECT_GT(invalid, 8000);
}

TEST(Card, LuhnAndIssuers) {
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_TRUE(LuhnValid("0"));
  EXPECT_FALSE(LuhnValid(""));
  for (const char* v : {"4111111111111111", "5555555555554444", "378282246310005", "6011111111111117",
                        "30569309025904", "3530111333300000", "4222222222222", "2223003122003222"}) {
    EXPECT_TRUE(LuhnValid(v) && CardIssuerAccepts(v)) << v;
  }
  EXPECT_FALSE(CardIssuerAccepts("1234567812345670"));  // no issuer starts with 1
  EXPECT_FALSE(CardIssuerAccepts("555555555555444"));   // Mastercard is 16 digits
  std::string norm;
  EXPECT_EQ(Check(&CheckCard, "cb 4970-1012-3456-7890 ", &norm), "<rejected>");  // trailing space is not a digit end
  EXPECT_EQ(Check(&CheckCard, "cb 4111 1111 1111 1111", &norm), "4111 1111 1111 1111");
  EXPECT_EQ(norm, "4111111111111111");
  EXPECT_EQ(Check(&CheckCard, "ref 12 4111-1111-1111-1111"), "4111-1111-1111-1111");
  EXPECT_EQ(Check(&CheckCard, "amex 3782 822463 10005"), "3782 822463 10005");
  EXPECT_EQ(Check(&CheckCard, "4111111111111112"), "<rejected>");
  EXPECT_EQ(Check(&CheckCard, "/orders/4111111111111111"), "<rejected>");
  EXPECT_EQ(Check(&CheckCard, "0000000000000000"), "<rejected>");
  // Only the 4-4-4-4(-3) and 4-6-4/5 groupings; no 13-digit Visa (EAN-13 look-alike).
  EXPECT_EQ(Check(&CheckCard, "cb 41 11111111 111111"), "<rejected>");
  EXPECT_EQ(Check(&CheckCard, "cb 4222222222222"), "<rejected>");
  EXPECT_EQ(Check(&CheckCard, "cb 4111 1111 1111 1111 113"), "<rejected>");  // Luhn fails for 19, 16 not at the end
  EXPECT_EQ(Check(&CheckCard, "amex 378282246310005"), "378282246310005");
}

TEST(FranceTravail, Shape) {
  std::string norm;
  EXPECT_EQ(Check(&CheckFranceTravailId, "\"identifiant\":\"1234567A", &norm), "1234567A");
  EXPECT_EQ(Check(&CheckFranceTravailId, " 76543210"), "76543210");
  EXPECT_EQ(Check(&CheckFranceTravailId, " 1111111X"), "<rejected>");
  EXPECT_EQ(Check(&CheckFranceTravailId, " 123456aA"), "<rejected>");
  EXPECT_EQ(Check(&CheckFranceTravailId, " 0000000A"), "<rejected>");  // placeholder
  EXPECT_EQ(Check(&CheckFranceTravailId, " 1111112X", &norm), "1111112X");  // not all the same
  EXPECT_EQ(norm, "1111112X");
  EXPECT_EQ(Check(&CheckFranceTravailId, " 2111111X"), "2111111X");
  for (const char* bad : {" 1234:67A", " 12345/7A", " 1234567a", " 123456 A", "x1234567A", "_1234567A", "1234567"})
    EXPECT_EQ(Check(&CheckFranceTravailId, bad), "<rejected>") << bad;
  EXPECT_EQ(Check(&CheckFranceTravailId, "12345678"), "12345678");  // at the window's start
}

TEST(BirthDate, FormsAndRange) {
  std::string norm;
  EXPECT_EQ(Check(&CheckBirthDate, "\"1985-05-12", &norm), "1985-05-12");
  EXPECT_EQ(norm, "1985-05-12");
  EXPECT_EQ(Check(&CheckBirthDate, " 12/05/1985", &norm), "12/05/1985");
  EXPECT_EQ(norm, "1985-05-12");
  EXPECT_EQ(Check(&CheckBirthDate, " 29-02-2000", &norm), "29-02-2000");
  EXPECT_EQ(Check(&CheckBirthDate, " 29-02-1900"), "<rejected>");  // 1900 is not leap
  EXPECT_EQ(Check(&CheckBirthDate, " 31/04/1985"), "<rejected>");
  EXPECT_EQ(Check(&CheckBirthDate, " 1899-12-31"), "<rejected>");
  EXPECT_EQ(Check(&CheckBirthDate, " 2031-01-01"), "<rejected>");
  EXPECT_EQ(Check(&CheckBirthDate, " 12/05-1985"), "<rejected>");
  // The datetime form at midnight (.NET's DateTime): the same date, the time left out.
  EXPECT_EQ(Check(&CheckBirthDate, "\"1985-05-12T00:00:00", &norm), "1985-05-12T00:00:00");
  EXPECT_EQ(norm, "1985-05-12");
  EXPECT_EQ(Check(&CheckBirthDate, "\"1985-05-12T00:00:00Z", &norm), "1985-05-12T00:00:00Z");
  EXPECT_EQ(norm, "1985-05-12");
  for (const char* bad : {" 1985-05-12T00:00:01", " 1985-05-12T10:00:00", " 1985-05-12 00:00:00", " 1985-05-32T00:00:00",
                          " 1985-05-12T00:00:0", "x1985-05-12T00:00:00", " 1985-05-12T00:00:00ZZ"})
    EXPECT_EQ(Check(&CheckBirthDate, bad), "<rejected>") << bad;
  EXPECT_TRUE(PlausibleBirthDate(2025, 12, 31));
  EXPECT_FALSE(PlausibleBirthDate(2026, 1, 1));
}

// A birth-date column's value without separators (legacy exports): YYYYMMDD or DDMMYYYY, read
// by whichever is a plausible date (both cannot be); anything else refused. Never a text form.
TEST(BirthDate, CompactFormsOfATypedColumn) {
  const Validator* v = FindValidator("birth_date");
  ASSERT_NE(v, nullptr);
  ASSERT_NE(v->column, nullptr);
  std::string norm;
  for (const auto& [in, want] : {std::pair<const char*, const char*>{"19850512", "1985-05-12"}, {"12051985", "1985-05-12"},
                                 {"20000229", "2000-02-29"}, {"29022000", "2000-02-29"}, {"19000101", "1900-01-01"},
                                 {"31122025", "2025-12-31"}, {"20011990", "1990-01-20"}, {"19121950", "1950-12-19"}}) {
    EXPECT_TRUE(v->column(in, norm)) << in;
    EXPECT_EQ(norm, want) << in;
    // The normalized value is the one the separated forms give: one person, one key.
    std::string sep;
    ASSERT_TRUE(CheckBirthDate(std::string(" ") + want, sep).has_value());
    EXPECT_EQ(sep, norm);
  }
  for (const char* bad : {"19000229", "29021900", "18991231", "20260101", "01012026", "19851305", "13131985", "00000000",
                          "1985051", "198505123", "1985-0512", "1985O512", "", "12/05/1985", "1985-05-12"})
    EXPECT_FALSE(v->column(bad, norm)) << bad;
  EXPECT_EQ(Check(&CheckBirthDate, " 19850512"), "<rejected>");  // text: too ambiguous
  EXPECT_EQ(FindValidator("nir")->column, nullptr);
}

// Every digit position of both date forms, and both separators, decide: one byte changed to a
// look-alike (the bytes next to the digits, a letter, a high byte) and the date is refused.
TEST(BirthDate, EveryByteDecides) {
  for (const std::string date : {"1985-05-12", "12/05/1985", "12-05-1985"}) {
    ASSERT_EQ(Check(&CheckBirthDate, " " + date), date);
    for (std::size_t k = 0; k < date.size(); ++k) {
      for (const char c : {'/', ':', '-', ' ', 'a', '\x80', '\xb0', '@', '*'}) {
        if (c == date[k]) continue;
        std::string bad = date;
        bad[k] = c;
        EXPECT_EQ(Check(&CheckBirthDate, " " + bad), "<rejected>") << bad;
      }
    }
  }
}

// The validators walk back over runs 16 bytes at a time where 16 bytes lie before the position
// reached, byte by byte nearer the window's start: whatever the bytes before a value (how much
// of the window lies before it), the outcome and the normalized value are the same.
TEST(Validators, SameOutcomeWhateverTheWindowBeforeTheValue) {
  using CheckFn = std::optional<std::size_t> (*)(std::string_view, std::string&);
  const std::string long_local(70, 'a');
  const std::vector<std::pair<CheckFn, std::string>> cases = {
      {&CheckNir, "295109912611193"},        {&CheckNir, "253072b07300470"},
      {&CheckNir, "2 95 10 99 126 111 93"},  {&CheckNir, "295109912611194"},
      {&CheckNir, "2951O9912611193"},        {&CheckIban, "FR1420041010050500013M02606"},
      {&CheckIban, "FR14 2004 1010 0505 0001 3M02 606"}, {&CheckIban, "FR1420041010050500013M02607"},
      {&CheckIban, "NL91ABNA0417164300"},    {&CheckIban, "X1FR1420041010050500013M02606"},
      {&CheckEmail, "Jean.Dupont+news@Gmail.COM"}, {&CheckEmail, "a@b.co.uk"},
      {&CheckEmail, "a@b..co.uk"},           {&CheckEmail, long_local + "@example.org"},
      {&CheckEmail, "prenom.nom@sous-domaine.exemple-long.gouv.fr"},
      {&CheckBirthDate, "1985-05-12"},       {&CheckBirthDate, "12/05/1985"},
      {&CheckAddress, "12 rue de la Paix;"}, {&CheckAddress, "3 bis, Avenue Foch, 75011 P"},
      {&CheckAddress, "3 rue de la 4 rue X, 75011 P"}, {&CheckAddress, "12 rue de la Paix, Paris;"},
      {&CheckAddress, "1 rue " + std::string(61, 'a') + " 5 rue Foch;"},
      {&CheckAddress, "12 rue du 8 mai 1945,"}, {&CheckAddress, "x 12 tours de Paris,"},
  };
  for (const auto& [check, value] : cases) {
    std::string base_norm;
    const std::string base = Check(check, value, &base_norm);
    for (std::size_t before = 0; before <= 48; ++before) {
      for (const char filler : {';', ' ', '"'}) {
        std::string norm;
        const std::string text = std::string(before, filler) + value;
        EXPECT_EQ(Check(check, text, &norm), base) << text;
        if (base != "<rejected>") {
          EXPECT_EQ(norm, base_norm) << text;
        }
      }
    }
  }
}

TEST(Address, Shapes) {
  EXPECT_EQ(Check(&CheckAddress, "\"adresse\":\"12 rue de la Paix\""), "12 rue de la Paix\"");
  // The match (and so the candidate) ends with the field terminator.
  EXPECT_EQ(Check(&CheckAddress, ";3 bis, Avenue Foch;"), "3 bis, Avenue Foch;");
  EXPECT_EQ(Check(&CheckAddress, "x 12 rue du 8 mai 1945,"), "12 rue du 8 mai 1945,");
  EXPECT_EQ(Check(&CheckAddress, "x 5 all\xc3\xa9" "e des Tilleuls, 69003 L"), "5 all\xc3\xa9" "e des Tilleuls, 69003 L");
  EXPECT_EQ(Check(&CheckAddress, "x 12 tours de Paris,"), "<rejected>");
  EXPECT_EQ(Check(&CheckAddress, "x 12 rue \""), "<rejected>");
}

// The street name is bounded here, not only by the patterns: [0-9A-Za-z\x80-\xff' .-]{2,60}
// after the type's space, before the terminator or the ",? 75002 P" tail.
TEST(Address, StreetNameBound) {
  const std::string n60(60, 'a');
  const std::string n61(61, 'a');
  EXPECT_EQ(Check(&CheckAddress, "\"12 rue " + n60 + "\""), "12 rue " + n60 + "\"");
  EXPECT_EQ(Check(&CheckAddress, "\"12 rue " + n61 + "\""), "<rejected>");
  EXPECT_EQ(Check(&CheckAddress, ";3 bis, Avenue " + n60 + ", 75011 P"), "3 bis, Avenue " + n60 + ", 75011 P");
  EXPECT_EQ(Check(&CheckAddress, ";3 bis, Avenue " + n61 + ", 75011 P"), "<rejected>");
  EXPECT_EQ(Check(&CheckAddress, ";3 bis, Avenue " + n61 + " 75011 P"), "<rejected>");
  // 60 bytes counted with multi-byte letters and the allowed punctuation.
  std::string mixed = "de l'\xc3\xa9glise St-Jean";
  mixed += std::string(60 - mixed.size(), '.');
  EXPECT_EQ(Check(&CheckAddress, "x 7 place " + mixed + ";"), "7 place " + mixed + ";");
  EXPECT_EQ(Check(&CheckAddress, "x 7 place " + mixed + "e;"), "<rejected>");
  // Two bytes at least.
  EXPECT_EQ(Check(&CheckAddress, "\"12 rue ab\""), "12 rue ab\"");
  EXPECT_EQ(Check(&CheckAddress, "\"12 rue a, 75011 P"), "<rejected>");
  // Only the name's bytes: a ',' or ':' inside is not a street name.
  EXPECT_EQ(Check(&CheckAddress, "\"12 rue de la Paix, Paris;"), "<rejected>");
  EXPECT_EQ(Check(&CheckAddress, "\"12 rue de:la Paix;"), "<rejected>");
  // The nearest start whose name fits: a closer "4 rue X" (1-byte name) does not hide it.
  EXPECT_EQ(Check(&CheckAddress, "\"3 rue de la 4 rue X, 75011 P"), "3 rue de la 4 rue X, 75011 P");
  // A longer name before a shorter address: the later one is the candidate.
  EXPECT_EQ(Check(&CheckAddress, "\"1 rue " + n61 + " 5 rue Foch;"), "5 rue Foch;");
  // Neither shape (no terminator, no postcode tail).
  EXPECT_EQ(Check(&CheckAddress, "x 12 rue de la Paix"), "<rejected>");
  // Commas and starts in different 16-byte blocks of a long run (the name holds no comma: the
  // start must follow the run's last comma; a comma after the number is the head's).
  const std::string pad(37, 'x');
  for (const std::string& before : {std::string(";"), "\"" + pad + " ", pad + ", " + pad + " "}) {
    EXPECT_EQ(Check(&CheckAddress, before + "12 rue Alpha, 3 rue Beta;"), "3 rue Beta;") << before;
    EXPECT_EQ(Check(&CheckAddress, before + "12, rue de la Paix;"), "12, rue de la Paix;") << before;
    EXPECT_EQ(Check(&CheckAddress, before + "12 rue de la, Paix;"), "<rejected>") << before;
    EXPECT_EQ(Check(&CheckAddress, before + "12 rue de la Paix, " + pad + ";"), "<rejected>") << before;
    EXPECT_EQ(Check(&CheckAddress, before + "7 rue " + pad + " 12 rue Beta;"), "12 rue Beta;") << before;
  }
}

TEST(Masks, NeverTheFullValue) {
  std::string out;
  MaskNir("185057511104271", out);
  EXPECT_EQ(out, "1 85 05 ** *** *** 71");
  MaskNir("2 85 05 75 111 042 42", out);
  EXPECT_EQ(out, "2 85 05 ** *** *** 42");
  MaskEmail("Jean.Dupont@gmail.com", out);
  EXPECT_EQ(out, "j***@gmail.com");
  MaskPhone("+33 6 12 34 56 78", out);
  EXPECT_EQ(out, "06 ** ** ** 78");
  MaskPhone("+33 (0)6 12 34 56 78", out);
  EXPECT_EQ(out, "06 ** ** ** 78");
  MaskPhone("0033 1 42 68 53 00", out);
  EXPECT_EQ(out, "01 ** ** ** 00");
  MaskPhone("0033 (0)1 42 68 53 00", out);
  EXPECT_EQ(out, "01 ** ** ** 00");
  MaskIban("FR1420041010050500013M02606", out);
  EXPECT_EQ(out, "FR14 **** **** **** **** **** 606");
  MaskCard("4111 1111 1111 1234", out);
  EXPECT_EQ(out, "4*** **** **** 1234");
  MaskFranceTravailId("1234567A", out);
  EXPECT_EQ(out, "12*****A");
  MaskBirthDate("1985-05-12", out);
  EXPECT_EQ(out, "198*-**-**");
  MaskBirthDate("12/05/1985", out);
  EXPECT_EQ(out, "**/**/198*");
  MaskBirthDate("1985-05-12T00:00:00Z", out);
  EXPECT_EQ(out, "198*-**-**");
  MaskBirthDate("19850512", out);  // the compact forms of a typed column
  EXPECT_EQ(out, "198*****");
  MaskBirthDate("12051985", out);
  EXPECT_EQ(out, "****198*");
  MaskBirthDate("99999999", out);
  EXPECT_EQ(out, "********");
  MaskAddress("12 rue de la Paix", out);
  EXPECT_EQ(out, "** rue ****");
}

// The vectorised short copy and lower-casing (16-byte steps, an overlapping last step, 8-byte
// halves) give the byte-by-byte result at every length and offset, and write exactly n bytes.
TEST(ShortCopies, SameAsByteByByte) {
  std::string src;
  for (int k = 0; k < 200; ++k) src.push_back(static_cast<char>((k * 37 + 11) % 256));  // every class of byte
  src += "ABCXYZ@[`{azAZ\x80\xff";
  for (std::size_t off = 0; off < 40; ++off) {
    for (std::size_t n = 0; off + n <= src.size() && n <= 100; ++n) {
      std::string want;
      for (std::size_t k = 0; k < n; ++k) want.push_back(detail::ToLower(src[off + k]));
      std::string got(n + 2, '#');
      detail::LowerCopy(src.data() + off, n, got.data());
      ASSERT_EQ(got, want + "##") << "offset " << off << ", length " << n;
      std::string copy(n + 2, '#');
      detail::CopyShort(src.data() + off, n, copy.data());
      ASSERT_EQ(copy, src.substr(off, n) + "##") << "offset " << off << ", length " << n;
    }
  }
}

TEST(Registry, NamesResolve) {
  for (const char* n : {"nir", "france_travail_id", "phone_fr", "email", "iban", "luhn_card", "birth_date", "address_fr"})
    EXPECT_NE(FindValidator(n), nullptr) << n;
  EXPECT_EQ(FindValidator("nope"), nullptr);
}

}  // namespace
}  // namespace vigie::match
