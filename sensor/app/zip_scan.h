#pragma once
// The scan of a body or MIME part that may be a ZIP archive (an .xlsx, .docx, .ods export, a
// .zip of CSV files): its first bytes decide. "PK\3\4": the files inside are read
// (app/decompress/zip_reader.h) and each is scanned as a part of the unit
// (match::ScanStream::NextPart: a CSV file's header types its columns, the XML of a sheet is
// read from its start); anything else is scanned as it is. Used by the HTTP body pipeline and
// the SMTP session for bodies and parts alike.
#include <array>
#include <cstdint>

#include "app/decompress/zip_reader.h"
#include "match/scanner.h"
#include "metrics/counters.h"

namespace vigie::app {

// vigie_archive_files_total{result="read"|"skipped"} and vigie_archives_total{outcome}: the same
// cells for HTTP and SMTP in a worker's set.
class ZipMetrics {
 public:
  explicit ZipMetrics(metrics::CounterSet& set);
  void Count(const ZipReader& archive);  // one archive, once it ended
 private:
  metrics::Cell* read_;
  metrics::Cell* skipped_;
  std::array<metrics::Cell*, 4> outcomes_{};  // by ZipReader::Status
};

class ZipScan final : private ZipSink {
 public:
  // A body or part starts; its bytes go to `scan` (null: nothing is scanned). An archive is
  // counted in `metrics` when it ends (null: not counted).
  void Begin(match::ScanStream* scan, const DecompressLimits& limits, ZipMetrics* metrics);
  void NextPart();  // another part starts: Begin with the same scan, limits and metrics
  void Feed(ByteView data);
  void Gap();  // bytes were lost (an archive is not followed past it)
  void End();  // the body or part ends
  // After End(): the body or part was an archive, and how its reading went.
  bool archive() const { return mode_ == Mode::kZip; }
  const ZipReader& reader() const { return zip_; }

 private:
  enum class Mode : std::uint8_t { kSniff, kPlain, kZip };
  void Start(bool zip);      // the body or part is (not) an archive
  void Pass(ByteView data);  // to the archive's reader, or to the scan
  void Decide();             // on the first bytes held (4, or fewer at the end), then passes them
  void Count();   // the archive ended (once)
  void OnFile(std::string_view name) override;
  void OnFileData(ByteView data) override;

  match::ScanStream* scan_ = nullptr;
  DecompressLimits limits_;
  ZipMetrics* metrics_ = nullptr;
  bool counted_ = false;
  Mode mode_ = Mode::kSniff;
  std::uint8_t head_[4] = {};
  std::size_t held_ = 0;
  ZipReader zip_;
};

}  // namespace vigie::app
