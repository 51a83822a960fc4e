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

/// Runs a function over batches on `threads` threads: the caller's own and threads - 1 of the
/// pool's, fed through a bounded queue. When the queue is full the caller runs the batch it
/// submits itself (caller-runs), so the reading thread takes a share of the work instead of
/// waiting, the batch it just read is processed while still in its cache, and one thread means
/// one thread in all. Memory stays bounded by (queue capacity + threads) batches. Each call
/// gets its worker's index (the caller's is threads - 1), so per-worker state (scratch buffers,
/// sink instances) needs no locking.
class WorkerPool {
 public:
  using Work = std::function<Status(size_t worker, Batch& batch)>;

  WorkerPool(size_t threads, size_t queue_capacity, Work work);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues a batch, or runs it on the calling thread when the queue is full. After an error,
  /// batches are dropped (the error is reported by Drain and the caller stops reading).
  void Submit(std::unique_ptr<Batch> batch);

  /// Runs queued batches on the calling thread until the queue is empty, then waits until every
  /// submitted batch is done; returns the first error since the last Drain.
  Status Drain();

  /// The first error so far, without waiting.
  bool failed() const;

  /// Threads doing the work, the caller's included.
  size_t threads() const { return threads_.size() + 1; }

 private:
  void Loop(size_t worker);

  Work work_;
  size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable not_empty_;
  std::condition_variable idle_;
  std::deque<std::unique_ptr<Batch>> queue_;
  size_t in_flight_ = 0;
  bool stop_ = false;
  Status error_;
  std::vector<std::thread> threads_;
};

}  // namespace assay::pipeline
