#pragma once
// The scan of a body or MIME part that may be a ZIP archive (an .xlsx, .docx, .ods export, a
// .zip of CSV files): its first bytes decide. "PK\3\4": the files inside are read
// (app/decompress/zip_reader.h) and each is scanned as a part of the unit
// (match::ScanStream::NextPart: a CSV file's header types its columns, the XML of a sheet is
// read from its start); anything else is scanned as it is. Used by the HTTP body pipeline and
// the SMTP session for bodies and parts alike.
#include <cstdint>

#include "app/decompress/zip_reader.h"
#include "match/scanner.h"

namespace vigie::app {

class ZipScan final : private ZipSink {
 public:
  // A body or part starts; its bytes go to `scan` (null: nothing is scanned).
  void Begin(match::ScanStream* scan, const DecompressLimits& limits);
  void Feed(ByteView data);
  void Gap();  // bytes were lost (an archive is not followed past it)
  void End();  // the body or part ends
  // After End(): the body or part was an archive, and how its reading went.
  bool archive() const { return mode_ == Mode::kZip; }
  const ZipReader& reader() const { return zip_; }

 private:
  enum class Mode : std::uint8_t { kSniff, kPlain, kZip };
  void Decide();  // with the first bytes held (4, or fewer at the end)
  void OnFile(std::string_view name) override;
  void OnFileData(ByteView data) override;

  match::ScanStream* scan_ = nullptr;
  DecompressLimits limits_;
  Mode mode_ = Mode::kSniff;
  std::uint8_t head_[4] = {};
  std::size_t held_ = 0;
  ZipReader zip_;
};

}  // namespace vigie::app
