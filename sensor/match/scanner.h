#pragma once
// PII scanner public API (implementation: sensor/match/). Contract for the application layer:
//   - PiiEngine: the compiled signature set (Hyperscan streaming database + detectors),
//     immutable, shared by every worker; swapped whole on reload.
//   - Scanner: one per worker thread (owns the Hyperscan scratch and per-thread counters).
//   - ScanStream: one scanned unit (an HTTP body, an e-mail part, one direction of a raw
//     stream). Feed bytes in any chunking; Finish() returns the unit's findings. Bytes are
//     never retained beyond a small tail needed for validating matches that span chunks, and
//     feeds smaller than coalesce_bytes / 2, which wait in a per-worker staging buffer until it
//     fills (or Gap()/Finish()) to be scanned together.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/bytes.h"
#include "match/findings.h"
#include "metrics/counters.h"

namespace vigie::match {

struct PiiEngineOptions {
  std::string secret = "vigie-default-secret-change-me";  // keyed-hash secret (per installation)
  std::uint32_t max_excerpts = 3;          // masked excerpts kept per unit
  std::uint32_t record_window_bytes = 512; // PII of 2+ types within this window form one record
  std::uint32_t keyword_window_bytes = 300;
  // Run Hyperscan only around the patterns' declared anchors (anchor_finder.h). Off: every byte
  // goes through Hyperscan (the reference the gate is tested against). The gate pays off only
  // with a vector anchor finder (AVX-512 VBMI or AVX2); on other CPUs it stays off unless
  // gate_without_vector_finder (tests: the scalar finder must give the same findings).
  bool gate_patterns = true;
  bool gate_without_vector_finder = false;
  // Gated groups whose regexes all have an exact C++ matcher (native_finder.h: the default
  // IBAN, e-mail and address regexes) run it from the anchors instead of Hyperscan. Off: tests
  // compare the two.
  bool native_patterns = true;
  // Feeds shorter than half of this are copied into a staging buffer of this many bytes and
  // scanned together when it fills (or at Gap()/Finish()): each scan call costs ~200 ns beyond
  // its bytes (the finders' block edges, the ring copy, per-group bookkeeping), paid once per
  // TCP segment otherwise. The buffers come from a per-Scanner pool (kStageBuffers of them); when
  // all are held, the one held longest is scanned and taken over. 0: every Feed is scanned as it
  // comes (tests of the scanner's own chunk handling). Findings are the same either way.
  std::uint32_t coalesce_bytes = 16384;
  // CSV exports (csv_columns.h): a unit whose first line is a header naming detectors' columns
  // (`columns:` in the signatures) has the fields of those columns validated whole, and a field
  // that passes is one finding whose bytes the candidate finders skip. Off: every unit is scanned
  // as text (the reference the tests compare with).
  bool csv_columns = true;
  // Off: every candidate is counted as rejected without its validator, keywords or grouping:
  // what the candidate finders alone cost (bench_match BM_*FindOnly). Always on in the sensor.
  bool validate = true;
};

class PiiEngine;

// Loads and compiles a signature file (YAML). Throws StartupError naming the file, line and
// pattern on any error.
std::shared_ptr<const PiiEngine> LoadPiiEngine(const std::string& path, const PiiEngineOptions& options);

class Scanner {
 public:
  static constexpr std::size_t kStageBuffers = 64;  // staging pool (coalesce_bytes each)
  Scanner(std::shared_ptr<const PiiEngine> engine, metrics::CounterSet& metrics);
  ~Scanner();
  Scanner(const Scanner&) = delete;
  Scanner& operator=(const Scanner&) = delete;
  // Swap in a newly compiled engine (SIGHUP). Streams opened before keep the old one.
  void Reload(std::shared_ptr<const PiiEngine> engine);
  struct Impl;
  Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

class ScanStream {
 public:
  explicit ScanStream(Scanner& scanner);
  ~ScanStream();
  ScanStream(ScanStream&&) noexcept;
  ScanStream& operator=(ScanStream&&) noexcept;
  void Feed(ByteView data);
  // Bytes were lost here: matches cannot span the hole.
  void Gap();
  // The bytes fed next are a new part of the unit (a MIME part, an archive's file, a body
  // after its request target): read from their start as a unit is (its CSV header, its markup,
  // its keywords; nothing spans the boundary), their findings added to the unit's.
  void NextPart();
  // Ends the unit and returns its findings; the stream may then be fed again as a new unit.
  ScanSummary Finish();
  std::uint64_t bytes_fed() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace vigie::match
