#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "core/status.h"

namespace assay::pipeline {

/// Runs a read-then-process loop on `threads` threads, the caller's included: each thread takes
/// the next batch from `read` under a lock and processes it itself. A batch is framed, decoded,
/// graded and written by one core while its bytes are in that core's cache, and no batch's
/// memory moves between threads. (A reading thread that handed batches to a WorkerPool cost
/// 7.8% more CPU at 2 threads than at 1 on bench CSV 10M, mostly in the first touches of each
/// batch on the other core; WorkerPool stays for sources whose reads wait on a server.)
///
/// `read` may ask for a barrier after the batch it returns: before the next read, every batch
/// read so far is processed, and `barrier` runs with nothing in flight (commit points). Reads
/// and barriers are serialised; each thread's calls to `work` get its worker index (the
/// caller's is threads - 1), so per-worker state needs no locking.
class ReadingPool {
 public:
  struct Pulled {
    std::unique_ptr<Batch> batch;  ///< null: the input is exhausted
    bool barrier_after = false;
  };
  using Read = std::function<Result<Pulled>()>;
  using Barrier = std::function<Status()>;
  using Work = std::function<Status(size_t worker, Batch& batch)>;
  using Drained = std::function<Status(size_t worker)>;

  ReadingPool(size_t threads, Work work);
  ~ReadingPool();
  ReadingPool(const ReadingPool&) = delete;
  ReadingPool& operator=(const ReadingPool&) = delete;

  /// Reads and processes until `read` returns no batch or `read`, `barrier` or `work` fails;
  /// the first error is returned, and the other threads stop before their next read. Returns
  /// once nothing is in flight and no thread uses `read`, `barrier` or `drained` any more. One
  /// Run at a time.
  ///
  /// `drained` (optional) runs on each thread once `read` has returned no batch and that
  /// thread's own batches are processed, while other threads may still be on their last one:
  /// a worker can close its output then instead of idling until the slowest thread is done.
  /// It does not run on a thread that saw the run fail, and its error fails the run.
  Status Run(const Read& read, const Barrier& barrier, const Drained& drained = {});

  /// Threads doing the work, the caller's included.
  size_t threads() const { return threads_.size() + 1; }

 private:
  void Loop(size_t worker);
  void Participate(size_t worker);
  void Finish(Status status);  // with mu_ held

  Work work_;
  std::mutex mu_;
  std::condition_variable job_;   ///< a Run started, or the pool is stopping
  std::condition_variable idle_;  ///< in_flight_ fell to 0, a barrier ran, or the run finished
  std::condition_variable left_;  ///< a pool thread left the run
  const Read* read_ = nullptr;
  const Barrier* barrier_ = nullptr;
  const Drained* drained_ = nullptr;  ///< null: none
  uint64_t generation_ = 0;           ///< counts Runs, so a pool thread joins each once
  size_t participants_ = 0;           ///< pool threads still in the current Run
  size_t in_flight_ = 0;
  bool barrier_pending_ = false;
  bool finished_ = false;
  bool stop_ = false;
  Status error_;
  std::vector<std::thread> threads_;
};

}  // namespace assay::pipeline
