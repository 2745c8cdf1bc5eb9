#pragma once
// Where alerts go. Write() is called by the tracker (one thread at a time per sink is NOT
// assumed: every sink here is internally synchronized) and must not block on the network.
#include <cstdio>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "alert/alert.h"

namespace vigie::alert {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual void Write(const Alert& a) = 0;
  virtual void Reopen() {}  // log rotation (SIGHUP)
  virtual void Flush() {}
};

// JSON lines appended to a file; "-" is stdout. Each line is flushed (alerts are rare and an
// alert that sits in a buffer when the process dies is an alert lost).
class FileSink : public AlertSink {
 public:
  // Throws StartupError if the file cannot be opened.
  explicit FileSink(std::string path);
  void Write(const Alert& a) override;
  void Reopen() override;  // close + reopen the same path (after logrotate moved it away)
  void Flush() override;

 private:
  struct Closer {
    void operator()(std::FILE* f) const;
  };
  std::string path_;
  std::mutex mu_;
  std::unique_ptr<std::FILE, Closer> file_;
  bool is_stdout_ = false;
};

// Fan-out to several sinks, which it owns.
class MultiSink : public AlertSink {
 public:
  void Add(std::unique_ptr<AlertSink> s) { sinks_.push_back(std::move(s)); }
  void Write(const Alert& a) override {
    for (auto& s : sinks_) s->Write(a);
  }
  void Reopen() override {
    for (auto& s : sinks_) s->Reopen();
  }
  void Flush() override {
    for (auto& s : sinks_) s->Flush();
  }
  std::size_t size() const { return sinks_.size(); }

 private:
  std::vector<std::unique_ptr<AlertSink>> sinks_;
};

// Keeps alerts in memory (tests, tools).
class MemorySink : public AlertSink {
 public:
  void Write(const Alert& a) override {
    std::lock_guard lock(mu_);
    alerts_.push_back(a);
  }
  std::vector<Alert> alerts() const {
    std::lock_guard lock(mu_);
    return alerts_;
  }
  void Clear() {
    std::lock_guard lock(mu_);
    alerts_.clear();
  }

 private:
  mutable std::mutex mu_;
  std::vector<Alert> alerts_;
};

}  // namespace vigie::alert
