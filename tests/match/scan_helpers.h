#pragma once
// Test-only helpers over whole scans (GoogleTest assertions; test_util.h stays free of them for
// bench_match).
#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "test_util.h"

namespace vigie::match::testing {

// Scans `text` fed in pieces ending at `cuts` (ascending), with a Gap() at offset gap_at if given.
inline ScanSummary ScanChunked(Scanner& scanner, const std::string& text, const std::vector<std::size_t>& cuts,
                               std::size_t gap_at = std::string::npos) {
  ScanStream s(scanner);
  std::size_t pos = 0;
  bool gapped = false;
  auto feed = [&](std::size_t to) {
    if (!gapped && pos <= gap_at && gap_at < to) {
      gapped = true;
      s.Feed(AsBytes(std::string_view(text).substr(pos, gap_at - pos)));
      s.Gap();
      pos = gap_at;
    }
    s.Feed(AsBytes(std::string_view(text).substr(pos, to - pos)));
    pos = to;
  };
  for (std::size_t c : cuts) feed(c);
  feed(text.size());
  return s.Finish();
}

// Two scans of the same text give the same findings.
inline void ExpectSame(const ScanSummary& a, const ScanSummary& b, const std::string& what) {
  EXPECT_EQ(a.matches, b.matches) << what;
  EXPECT_EQ(a.rejected, b.rejected) << what;
  EXPECT_EQ(a.records, b.records) << what;
  EXPECT_EQ(a.excerpts, b.excerpts) << what;
  EXPECT_EQ(a.bytes_scanned, b.bytes_scanned) << what;
}

}  // namespace vigie::match::testing
