#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace assay::pipeline {

/// A progress bar on stderr for runs on a terminal: the current source, percent of its input
/// bytes, and throughput. Redraws from its own thread four times a second.
class Progress {
 public:
  Progress();
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void StartSource(const std::string& name, uint64_t total_bytes);
  /// Bytes of the current file done; the bar adds finished files itself.
  void Advance(uint64_t file_bytes_done);
  void FinishSource();

 private:
  void Loop();
  void Draw(bool final);

  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::string name_;
  uint64_t total_ = 0;
  uint64_t finished_files_bytes_ = 0;
  uint64_t current_ = 0;
  uint64_t last_file_done_ = 0;
  std::chrono::steady_clock::time_point start_;
  bool active_ = false;
  std::thread thread_;
};

}  // namespace assay::pipeline
