#include "pipeline/reading_pool.h"

namespace assay::pipeline {

ReadingPool::ReadingPool(size_t threads, Work work) : work_(std::move(work)) {
  for (size_t i = 0; i + 1 < threads; ++i) threads_.emplace_back([this, i] { Loop(i); });
}

ReadingPool::~ReadingPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  job_.notify_all();
  for (std::thread& t : threads_) t.join();
}

Status ReadingPool::Run(const Read& read, const Barrier& barrier, const Drained& drained) {
  {
    std::lock_guard lock(mu_);
    read_ = &read;
    barrier_ = &barrier;
    drained_ = drained ? &drained : nullptr;
    barrier_pending_ = false;
    finished_ = false;
    error_ = Status::Ok();
    participants_ = threads_.size();
    ++generation_;
  }
  job_.notify_all();
  Participate(threads_.size());
  std::unique_lock lock(mu_);
  // `read` and `barrier` are the caller's: no pool thread may still hold them on return.
  left_.wait(lock, [&] { return participants_ == 0; });
  read_ = nullptr;
  barrier_ = nullptr;
  drained_ = nullptr;
  return std::move(error_);
}

void ReadingPool::Loop(size_t worker) {
  uint64_t seen = 0;
  while (true) {
    {
      std::unique_lock lock(mu_);
      job_.wait(lock, [&] { return stop_ || generation_ != seen; });
      if (stop_) return;
      seen = generation_;
    }
    Participate(worker);
    std::lock_guard lock(mu_);
    if (--participants_ == 0) left_.notify_all();
  }
}

void ReadingPool::Participate(size_t worker) {
  std::unique_lock lock(mu_);
  while (!finished_) {
    if (barrier_pending_) {
      // Also wake when another thread has run the barrier: by the time this one holds the lock
      // again, that thread may be working on its next batch, so in_flight_ need not be 0.
      idle_.wait(lock, [&] { return in_flight_ == 0 || !barrier_pending_ || finished_; });
      if (finished_ || !barrier_pending_) continue;
      barrier_pending_ = false;
      if (Status st = (*barrier_)(); !st.ok()) Finish(std::move(st));
      idle_.notify_all();
      continue;
    }
    Result<Pulled> pulled = (*read_)();
    if (!pulled.ok()) {
      Finish(pulled.status());
      break;
    }
    if (pulled->batch == nullptr) {
      Finish(Status::Ok());
      break;
    }
    barrier_pending_ = pulled->barrier_after;
    ++in_flight_;
    lock.unlock();
    Status st = work_(worker, *pulled->batch);
    pulled->batch.reset();  // free its buffers before reading the next one
    lock.lock();
    --in_flight_;
    if (!st.ok()) Finish(std::move(st));
    if (in_flight_ == 0) idle_.notify_all();
  }
  // error_ is still Ok only if the input ran out; this thread's batches are all processed.
  if (drained_ != nullptr && error_.ok()) {
    ++in_flight_;  // the run is not over until this is done
    lock.unlock();
    Status st = (*drained_)(worker);
    lock.lock();
    --in_flight_;
    if (!st.ok()) Finish(std::move(st));
    if (in_flight_ == 0) idle_.notify_all();
  }
  // The run ends with nothing in flight: a thread still working finishes its batch first.
  idle_.wait(lock, [&] { return in_flight_ == 0; });
}

void ReadingPool::Finish(Status status) {
  if (error_.ok() && !status.ok()) error_ = std::move(status);
  finished_ = true;
  idle_.notify_all();
}

}  // namespace assay::pipeline
