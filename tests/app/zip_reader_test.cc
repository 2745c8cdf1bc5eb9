// ZipReader (app/decompress/zip_reader.h): the files of a ZIP archive read as its bytes stream
// by, whatever the chunking, with or without data descriptors; what it skips and where it stops.
#include "app/decompress/zip_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

#include "http_test_util.h"

namespace vigie::app {
namespace {

using httptest::Zip;
using httptest::ZipFile;

struct Files final : ZipSink {
  void OnFile(std::string_view name) override { got.emplace_back(std::string(name), ""); }
  void OnFileData(ByteView d) override { got.back().second.append(reinterpret_cast<const char*>(d.data()), d.size()); }
  std::vector<std::pair<std::string, std::string>> got;
};

struct Read {
  std::vector<std::pair<std::string, std::string>> files;
  ZipReader::Status status;
  std::uint32_t skipped;
};

// The archive fed in pieces of `step` bytes (0: whole).
Read ReadZip(const std::string& zip, std::size_t step = 0, DecompressLimits limits = {}) {
  Files sink;
  ZipReader r;
  r.Reset(limits, &sink);
  const std::size_t n = step == 0 ? zip.size() : step;
  for (std::size_t i = 0; i < zip.size(); i += n)
    r.Write(AsBytes(std::string_view(zip).substr(i, std::min(n, zip.size() - i))));
  return {sink.got, r.status(), r.files_skipped()};
}

std::string Sheet(int rows) {
  std::string s = "<?xml version=\"1.0\"?><sst>";
  for (int i = 0; i < rows; ++i) s += "<si><t>ligne " + std::to_string(i) + " 01 23 45 67 89</t></si>";
  return s + "</sst>";
}

using Want = std::vector<std::pair<std::string, std::string>>;

// "name:size" of each file (failure messages stay short), then whether the contents are equal.
std::string Describe(const Want& files) {
  std::string s;
  for (const auto& f : files) s += f.first + ":" + std::to_string(f.second.size()) + " ";
  return s;
}
#define EXPECT_FILES(got, want, what)                   \
  do {                                                  \
    EXPECT_EQ(Describe(got), Describe(want)) << (what); \
    EXPECT_TRUE((got) == (want)) << (what);             \
  } while (0)

TEST(ZipReader, StoredAndDeflatedFilesAnyChunking) {
  const std::string big = Sheet(3000);  // several 64 KiB outputs
  const std::string zip = Zip({{"[Content_Types].xml", "<Types/>", false},
                               {"xl/sharedStrings.xml", big},
                               {"xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>"},
                               {"empty.txt", "", false},
                               {"docs/", "", false}});
  const Want want = {{"[Content_Types].xml", "<Types/>"},
                     {"xl/sharedStrings.xml", big},
                     {"xl/worksheets/sheet1.xml", "<worksheet><sheetData/></worksheet>"},
                     {"empty.txt", ""}};
  for (std::size_t step : {0u, 1u, 7u, 4096u}) {
    const Read r = ReadZip(zip, step);
    EXPECT_FILES(r.files, want, step);
    EXPECT_EQ(r.status, ZipReader::Status::kDone) << step;  // the central directory reached
  }
}

// Past 4 GiB a writer puts the sizes in a zip64 extra field (the header's are 0xFFFFFFFF).
TEST(ZipReader, Zip64SizesFromTheExtraField) {
  ZipFile big{"a.xml", Sheet(300)}, stored{"b.txt", "bravo", false};
  big.zip64 = stored.zip64 = true;
  const std::string zip = Zip({big, stored, {"c.txt", "charlie"}});
  for (std::size_t step : {0u, 1u, 5u}) {
    const Read r = ReadZip(zip, step);
    EXPECT_FILES(r.files, (Want{{"a.xml", Sheet(300)}, {"b.txt", "bravo"}, {"c.txt", "charlie"}}), step);
    EXPECT_EQ(r.status, ZipReader::Status::kDone) << step;
  }
}

// Streaming writers give the sizes after the data (general purpose bit 3): the deflate stream's
// end tells where the data ends, the descriptor (12, 16 or 24 bytes) is passed over.
TEST(ZipReader, DataDescriptorsOfEveryForm) {
  std::vector<ZipFile> files;
  Want want;
  for (int d : {12, 16, 24, 16}) {
    const std::string name = "f" + std::to_string(files.size()) + ".csv";
    const std::string content = "nom;telephone\n" + Sheet(50 * d);
    files.push_back({name, content, true, d});
    want.emplace_back(name, content);
  }
  const std::string zip = Zip(files);
  for (std::size_t step : {0u, 1u, 3u, 29u, 1000u}) {
    const Read r = ReadZip(zip, step);
    EXPECT_FILES(r.files, want, step);
    EXPECT_EQ(r.status, ZipReader::Status::kDone) << step;
  }
  // Random cuts.
  std::mt19937 rng(3);
  for (int round = 0; round < 60; ++round) {
    Files sink;
    ZipReader r;
    r.Reset({}, &sink);
    for (std::size_t i = 0; i < zip.size();) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % (round % 2 ? 300 : 12), zip.size() - i);
      r.Write(AsBytes(std::string_view(zip).substr(i, n)));
      i += n;
    }
    EXPECT_FILES(sink.got, want, round);
  }
}

TEST(ZipReader, MediaEncryptedAndUnknownFilesAreSkipped) {
  EXPECT_FALSE(ZipReader::Readable("xl/media/image1.PNG"));
  EXPECT_FALSE(ZipReader::Readable("Pictures/photo.jpeg"));
  EXPECT_FALSE(ZipReader::Readable("dir/"));
  EXPECT_TRUE(ZipReader::Readable("xl/sharedStrings.xml"));
  EXPECT_TRUE(ZipReader::Readable("export.csv"));
  EXPECT_TRUE(ZipReader::Readable("README"));
  EXPECT_TRUE(ZipReader::Readable("a.b/fichier"));
  const std::string zip = Zip({{"xl/media/image1.png", std::string(5000, '\x89')},
                               {"secret.csv", "nir\n1", true, 0, /*encrypted=*/true},
                               {"logo.png", std::string(3000, 'x'), true, 16},  // inflated to find its end, not read
                               {"export.csv", "nom;nir\nMARTIN;1\n"}});
  for (std::size_t step : {0u, 1u}) {
    const Read r = ReadZip(zip, step);
    EXPECT_EQ(r.files, (Want{{"export.csv", "nom;nir\nMARTIN;1\n"}})) << step;
    EXPECT_EQ(r.skipped, 3u) << step;
    EXPECT_EQ(r.status, ZipReader::Status::kDone) << step;
  }
}

// What cannot be followed stops the reading; the files before it stay read.
TEST(ZipReader, StopsWhereItCannotFollow) {
  // A stored file whose size comes after it: its end cannot be known.
  Read r = ReadZip(Zip({{"a.txt", "alpha"}, {"b.txt", "bravo", false, 16}, {"c.txt", "charlie"}}));
  EXPECT_FILES(r.files, (Want{{"a.txt", "alpha"}, {"b.txt", ""}}), "");
  EXPECT_EQ(r.status, ZipReader::Status::kUnreadable);
  // Invalid deflate data.
  std::string zip = Zip({{"a.txt", "alpha"}, {"b.txt", std::string(2000, 'b')}});
  const std::size_t b = zip.find("b.txt") + 5;
  zip[b] = static_cast<char>(0xFF);  // BTYPE 11: reserved
  r = ReadZip(zip);
  EXPECT_EQ(r.files.size(), 2u);
  EXPECT_EQ(r.status, ZipReader::Status::kUnreadable);
  // Not an archive, or garbage where a header should be.
  EXPECT_EQ(ReadZip("PK\x03\x03 not a zip").status, ZipReader::Status::kUnreadable);
  zip = Zip({{"a.txt", "alpha", false}});
  zip.insert(zip.find("PK\x01\x02"), "junk");
  r = ReadZip(zip);
  EXPECT_FILES(r.files, (Want{{"a.txt", "alpha"}}), "");
  EXPECT_EQ(r.status, ZipReader::Status::kUnreadable);
  // Truncated: what arrived is read.
  zip = Zip({{"a.txt", Sheet(100)}});
  r = ReadZip(zip.substr(0, zip.size() / 2));
  ASSERT_EQ(r.files.size(), 1u);
  EXPECT_FALSE(r.files[0].second.empty());
  EXPECT_EQ(r.status, ZipReader::Status::kOk);
}

// The bytes inflated over the whole archive are bounded (DecompressLimits).
TEST(ZipReader, BombStopsAtTheLimit) {
  const std::string zeros(4 << 20, '\0');
  const std::string zip = Zip({{"a.txt", zeros}, {"b.txt", zeros}});
  DecompressLimits limits;
  limits.max_output = 6 << 20;
  limits.max_ratio = 0;
  Read r = ReadZip(zip, 0, limits);
  EXPECT_EQ(r.status, ZipReader::Status::kBomb);
  std::size_t out = 0;
  for (const auto& f : r.files) out += f.second.size();
  EXPECT_LE(out, limits.max_output);
  EXPECT_GE(out, 4u << 20);
  limits.max_output = 256ull << 20;
  limits.max_ratio = 100;  // 4 MiB of zeros deflate ~1000:1
  r = ReadZip(zip, 0, limits);
  EXPECT_EQ(r.status, ZipReader::Status::kBomb);
  // A file skipped unread but inflated to find its end (a descriptor follows it) counts too.
  limits.max_output = 6 << 20;
  limits.max_ratio = 0;
  r = ReadZip(Zip({{"zeros.png", zeros, true, 16}, {"zeros2.png", zeros, true, 16}, {"a.txt", "alpha"}}), 0, limits);
  EXPECT_EQ(r.status, ZipReader::Status::kBomb);
  EXPECT_TRUE(r.files.empty());
}

// Damaged archives (bytes flipped, cut, inserted; random headers) never crash it nor make it
// read more than the limits allow, whatever the chunking (run under ASan/UBSan in CI).
TEST(ZipReader, DamagedArchivesAreHarmless) {
  std::mt19937 rng(11);
  const std::string base = Zip({{"a.csv", Sheet(200)},
                                {"b.xml", Sheet(50), true, 16},
                                {"c.txt", "stored", false},
                                {"d.xml", Sheet(30), true, 24},
                                {"e.xml", Sheet(20), true, 12}});
  DecompressLimits limits;
  limits.max_output = 1 << 20;
  for (int round = 0; round < 400; ++round) {
    std::string zip = base;
    const int edits = 1 + static_cast<int>(rng() % 8);
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = rng() % zip.size();
      switch (rng() % 4) {
        case 0: zip[at] = static_cast<char>(rng()); break;
        case 1: zip.erase(at, 1 + rng() % 40); break;
        case 2: zip.insert(at, std::string(1 + rng() % 40, static_cast<char>(rng()))); break;
        default: zip.replace(at, std::min<std::size_t>(4, zip.size() - at), std::string("PK\x03\x04", 4)); break;
      }
      if (zip.empty()) zip = "PK";
    }
    Files sink;
    ZipReader r;
    r.Reset(limits, &sink);
    for (std::size_t i = 0; i < zip.size();) {
      const std::size_t n = std::min<std::size_t>(1 + rng() % 700, zip.size() - i);
      r.Write(AsBytes(std::string_view(zip).substr(i, n)));
      i += n;
    }
    std::size_t out = 0;
    for (const auto& f : sink.got) out += f.second.size();
    EXPECT_EQ(out, r.total_out()) << round;
    EXPECT_LE(out, limits.max_output) << round;
  }
}

}  // namespace
}  // namespace vigie::app
