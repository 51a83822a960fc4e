#include "pipeline/progress.h"

#include <fmt/format.h>

#include <cstdio>

namespace assay::pipeline {

Progress::Progress() : thread_([this] { Loop(); }) {}

Progress::~Progress() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void Progress::StartSource(const std::string& name, uint64_t total_bytes) {
  std::lock_guard lock(mu_);
  name_ = name;
  total_ = total_bytes;
  finished_files_bytes_ = current_ = last_file_done_ = 0;
  start_ = std::chrono::steady_clock::now();
  active_ = true;
}

void Progress::Advance(uint64_t file_bytes_done) {
  std::lock_guard lock(mu_);
  // A smaller value than before means a new file started.
  if (file_bytes_done < last_file_done_) finished_files_bytes_ += last_file_done_;
  last_file_done_ = file_bytes_done;
  current_ = finished_files_bytes_ + file_bytes_done;
}

void Progress::FinishSource() {
  std::lock_guard lock(mu_);
  current_ = total_;
  Draw(true);
  active_ = false;
}

void Progress::Loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(250));
    if (!stop_ && active_) Draw(false);
  }
}

void Progress::Draw(bool final) {
  constexpr int kWidth = 30;
  double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(current_) / total_) : 1.0;
  int filled = static_cast<int>(fraction * kWidth);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double mbps = seconds > 0 ? current_ / seconds / 1e6 : 0;
  std::string bar(filled, '#');
  bar.append(kWidth - filled, '.');
  std::fprintf(stderr, "\r\033[K%-24.24s [%s] %5.1f%%  %.1f MB/s%s", name_.c_str(), bar.c_str(),
               fraction * 100, mbps, final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace assay::pipeline
