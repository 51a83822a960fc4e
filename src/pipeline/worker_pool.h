#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/batch.h"
#include "core/status.h"

namespace assay::pipeline {

/// Runs a function over batches on N threads, fed through a bounded queue (backpressure on the
/// reader: memory stays bounded by queue size × batch size). Each call gets its worker's index,
/// so per-worker state (scratch buffers, sink instances) needs no locking.
class WorkerPool {
 public:
  using Work = std::function<Status(size_t worker, Batch& batch)>;

  WorkerPool(size_t threads, size_t queue_capacity, Work work);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues a batch; blocks while the queue is full. After an error, batches are dropped (the
  /// error is reported by Drain and the caller stops reading).
  void Submit(std::unique_ptr<Batch> batch);

  /// Waits until every submitted batch is done; returns the first error since the last Drain.
  Status Drain();

  /// The first error so far, without waiting.
  bool failed() const;

  size_t threads() const { return threads_.size(); }

 private:
  void Loop(size_t worker);

  Work work_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::condition_variable idle_;
  std::deque<std::unique_ptr<Batch>> queue_;
  size_t in_flight_ = 0;
  bool stop_ = false;
  Status error_;
  std::vector<std::thread> threads_;
};

}  // namespace assay::pipeline
