#include <cerrno>
#include <cstring>

#include "alert/alert_json.h"
#include "alert/sink.h"
#include "core/error.h"

namespace vigie::alert {

void FileSink::Closer::operator()(std::FILE* f) const {
  if (f != nullptr && f != stdout) std::fclose(f);
}

FileSink::FileSink(std::string path) : path_(std::move(path)) {
  if (path_ == "-") {
    is_stdout_ = true;
    file_.reset(stdout);
    return;
  }
  file_.reset(std::fopen(path_.c_str(), "a"));
  if (!file_) throw StartupError("cannot open alert file " + path_ + ": " + std::strerror(errno));
}

void FileSink::Write(const Alert& a) {
  std::string line = ToJson(a);
  line.push_back('\n');
  std::lock_guard lock(mu_);
  if (!file_) return;
  std::fwrite(line.data(), 1, line.size(), file_.get());
  std::fflush(file_.get());
}

void FileSink::Reopen() {
  if (is_stdout_) return;
  std::lock_guard lock(mu_);
  file_.reset();
  file_.reset(std::fopen(path_.c_str(), "a"));
  if (!file_) std::fprintf(stderr, "vigie: cannot reopen alert file %s: %s\n", path_.c_str(), std::strerror(errno));
}

void FileSink::Flush() {
  std::lock_guard lock(mu_);
  if (file_) std::fflush(file_.get());
}

}  // namespace vigie::alert
