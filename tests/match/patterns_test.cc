// The default signatures' Hyperscan patterns and the validators together: every written form
// of every identifier is found in running text, look-alikes are not.
#include <gtest/gtest.h>

#include "test_util.h"

namespace vigie::match::testing {
namespace {

class PatternsTest : public ::testing::Test {
 protected:
  // Number of validated matches of `type` in `text` (with context words removed from the
  // picture by using neutral surroundings).
  std::uint32_t Count(PiiType type, const std::string& text) {
    ScanStream s(h_.scanner);
    s.Feed(AsBytes(text));
    return s.Finish().matches[Idx(type)];
  }
  Harness h_;
};

TEST_F(PatternsTest, NirForms) {
  for (const char* t : {"295109912611193", "253072B07300470", "253072A07300443", "2 53 07 2A 073 004 43",
                        "2 69 05 49 588 157 80", "x=269054958815780;"})
    EXPECT_EQ(Count(PiiType::kNir, std::string("valeur ") + t + " fin"), 1u) << t;
  // Overseas with its own grouping: 3-digit department, 2-digit commune.
  std::string s13 = "1850597112042";
  const auto key = 97 - std::stoull(s13) % 97;
  const std::string nir = s13 + (key < 10 ? "0" : "") + std::to_string(key);
  EXPECT_EQ(Count(PiiType::kNir, "n " + nir + " "), 1u);
  EXPECT_EQ(Count(PiiType::kNir, "n 1 85 05 971 12 042 " + nir.substr(13) + " "), 1u);
  // Inside a longer digit run: not a NIR.
  EXPECT_EQ(Count(PiiType::kNir, "n 9295109912611193 "), 0u);
  EXPECT_EQ(Count(PiiType::kNir, "n 2951099126111930 "), 0u);
}

TEST_F(PatternsTest, PhoneForms) {
  for (const char* t : {"06 12 34 56 78", "0612345678", "06.12.34.56.78", "06-12-34-56-78", "+33 6 12 34 56 78",
                        "+33612345678", "0033 6 12 34 56 78", "0033612345678", "01 42 68 53 00", "09 87 65 43 21",
                        "+33 (0)6 12 34 56 78", "+33(0)612345678", "0033 (0) 1.42.68.53.00"})
    EXPECT_EQ(Count(PiiType::kPhone, std::string("appeler le ") + t + " svp"), 1u) << t;
  EXPECT_EQ(Count(PiiType::kPhone, "appeler le 08 00 12 34 56 svp"), 0u);
  EXPECT_EQ(Count(PiiType::kPhone, "id 306123456789 svp"), 0u);
  EXPECT_EQ(Count(PiiType::kPhone, "appeler le +33 (1)6 12 34 56 78 svp"), 0u);
  EXPECT_EQ(Count(PiiType::kPhone, "appeler le (0)6 12 34 56 78 svp"), 0u);
  EXPECT_EQ(Count(PiiType::kPhone, "GET /items/0612345678/detail"), 0u);
}

TEST_F(PatternsTest, IbanForms) {
  for (const char* t : {"FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606", "DE89370400440532013000",
                        "DE89 3704 0044 0532 0130 00", "GB29NWBK60161331926819", "ES9121000418450200051332",
                        "IT60X0542811101000000123456", "BE68539007547034", "NL91ABNA0417164300", "CH9300762011623852957",
                        "PT50000201231234567890154", "LU280019400644750000", "AT611904300234573201"})
    EXPECT_EQ(Count(PiiType::kIban, std::string("iban: ") + t + ".\n"), 1u) << t;
  EXPECT_EQ(Count(PiiType::kIban, "iban: FR1420041010050500013M02607\n"), 0u);
  // Every country both compact and grouped by 4 with single spaces (the two printed forms).
  for (const std::string c : {"AT611904300234573201", "BE68539007547034", "CH9300762011623852957",
                              "DE89370400440532013000", "DK5000400440116243", "ES9121000418450200051332",
                              "FI2112345600000785", "FR1420041010050500013M02606", "GB29NWBK60161331926819",
                              "GR1601101250000000012300695", "IE29AIBK93115212345678", "IT60X0542811101000000123456",
                              "LU280019400644750000", "MC5811222000010123456789030", "NL91ABNA0417164300",
                              "PL61109010140000071219812874", "PT50000201231234567890154", "SE4550000000058398257466"}) {
    std::string grouped;
    for (std::size_t i = 0; i < c.size(); i += 4) grouped += (i ? " " : "") + c.substr(i, 4);
    EXPECT_EQ(Count(PiiType::kIban, "iban: " + c + ".\n"), 1u) << c;
    EXPECT_EQ(Count(PiiType::kIban, "iban: " + grouped + ".\n"), 1u) << grouped;
    // A compact token one character too long or too short for its country is not an IBAN.
    EXPECT_EQ(Count(PiiType::kIban, "iban: " + c + "0.\n"), 0u) << c;
    EXPECT_EQ(Count(PiiType::kIban, "iban: " + c.substr(0, c.size() - 1) + ".\n"), 0u) << c;
  }
  // Known limit: mixed spacing is not matched.
  EXPECT_EQ(Count(PiiType::kIban, "iban: FR14 20041010 0505 0001 3M02 606.\n"), 0u);
}

TEST_F(PatternsTest, CardForms) {
  for (const char* t : {"4111111111111111", "4111 1111 1111 1111", "4111-1111-1111-1111", "5555555555554444",
                        "378282246310005", "3782 822463 10005", "6011111111111117", "30569309025904",
                        "3530111333300000", "2223003122003222"})
    EXPECT_EQ(Count(PiiType::kCard, std::string("carte ") + t + " exp"), 1u) << t;
  EXPECT_EQ(Count(PiiType::kCard, "carte 4111111111111112 exp"), 0u);
  EXPECT_EQ(Count(PiiType::kCard, "ean 4006381333931 exp"), 0u);  // 13 digits: EAN-13, not a card here
}

TEST_F(PatternsTest, EmailForms) {
  EXPECT_EQ(Count(PiiType::kEmail, "mailto:jean.dupont@gmail.com>"), 1u);
  EXPECT_EQ(Count(PiiType::kEmail, "\"j.d+tag@mail.example.co.uk\""), 1u);
  EXPECT_EQ(Count(PiiType::kEmail, "user@localhost"), 0u);
  // A long run of local-part characters is cheap and still found once.
  EXPECT_EQ(Count(PiiType::kEmail, std::string(5000, 'a') + "@example.org"), 1u);
}

TEST_F(PatternsTest, DatesAndAddressesOnlyInRecords) {
  const std::string person = "{\"email\":\"a.b@example.org\",\"date_naissance\":\"%D\",\"adresse\":\"%A\"}";
  for (const char* d : {"1985-05-12", "12/05/1985", "12-05-1985"}) {
    std::string t = person;
    t.replace(t.find("%D"), 2, d);
    t.replace(t.find("%A"), 2, "3 bis avenue Foch");
    ScanStream s(h_.scanner);
    s.Feed(AsBytes(t));
    const auto r = s.Finish();
    EXPECT_EQ(r.matches[Idx(PiiType::kBirthDate)], 1u) << d;
    EXPECT_EQ(r.matches[Idx(PiiType::kAddress)], 1u) << d;
    EXPECT_EQ(r.records.size(), 1u);
  }
  EXPECT_EQ(Count(PiiType::kAddress, "a.b@example.org, 12 rue de la Paix, 75002 Paris"), 1u);
  // In XML or HTML the street name ends at the closing tag.
  for (const char* t : {"<email>a.b@example.org</email><adresse>12 rue de la Paix</adresse>",
                        "<td>a.b@example.org</td>\n<td>3 bis avenue Foch</td>"})
    EXPECT_EQ(Count(PiiType::kAddress, t), 1u) << t;
}

TEST(Confidence, KeywordBoostReachesThreshold) {
  const std::string yaml =
      "version: 1\ndetectors:\n  - id: mail\n    type: email\n    validator: email\n    primary: true\n"
      "    confidence: 0.4\n    min_confidence: 0.5\n"
      "    patterns:\n      - regex: '[a-z]@[a-z]+\\.[a-z]{2,6}\\b'\n"
      "    context:\n      window: 20\n      boost: 0.2\n      keywords: [courriel]\n";
  Harness h(CompilePiiEngine(yaml, "inline.yaml", {}));
  EXPECT_EQ(h.Scan("x a@b.fr").matches[Idx(PiiType::kEmail)], 0u);
  EXPECT_EQ(h.Scan("Courriel: a@b.fr").matches[Idx(PiiType::kEmail)], 1u);
  EXPECT_EQ(h.Scan("courriel" + std::string(40, ' ') + "a@b.fr").matches[Idx(PiiType::kEmail)], 0u);
}

}  // namespace
}  // namespace vigie::match::testing
