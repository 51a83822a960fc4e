#include "pipeline/worker_pool.h"

namespace assay::pipeline {

WorkerPool::WorkerPool(size_t threads, size_t queue_capacity, Work work)
    : work_(std::move(work)), capacity_(queue_capacity < 1 ? 1 : queue_capacity) {
  for (size_t i = 0; i + 1 < threads; ++i) threads_.emplace_back([this, i] { Loop(i); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  not_empty_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::Submit(std::unique_ptr<Batch> batch) {
  {
    std::lock_guard lock(mu_);
    if (stop_ || !error_.ok()) return;
    if (!threads_.empty() && queue_.size() < capacity_) {
      queue_.push_back(std::move(batch));
      ++in_flight_;
      not_empty_.notify_one();
      return;
    }
  }
  Status status = work_(threads_.size(), *batch);
  batch.reset();
  if (!status.ok()) {
    std::lock_guard lock(mu_);
    if (error_.ok()) error_ = std::move(status);
  }
}

Status WorkerPool::Drain() {
  std::unique_lock lock(mu_);
  // The caller works off the queue too instead of waiting for the pool threads to reach it:
  // at a commit the queue holds up to 2 batches per pool thread, and one thread alone took the
  // end of each run (bench CSV 1M, 2 threads: the last ~25 ms ran on one core).
  while (!queue_.empty()) {
    std::unique_ptr<Batch> batch = std::move(queue_.front());
    queue_.pop_front();
    if (error_.ok()) {
      lock.unlock();
      Status status = work_(threads_.size(), *batch);
      batch.reset();
      lock.lock();
      if (!status.ok() && error_.ok()) error_ = std::move(status);
    }
    if (--in_flight_ == 0) idle_.notify_all();
  }
  idle_.wait(lock, [&] { return in_flight_ == 0; });
  Status error = std::move(error_);
  error_ = Status::Ok();
  return error;
}

bool WorkerPool::failed() const {
  std::lock_guard lock(mu_);
  return !error_.ok();
}

void WorkerPool::Loop(size_t worker) {
  while (true) {
    std::unique_ptr<Batch> batch;
    {
      std::unique_lock lock(mu_);
      not_empty_.wait(lock, [&] { return !queue_.empty() || stop_; });
      if (queue_.empty()) return;  // stopping
      batch = std::move(queue_.front());
      queue_.pop_front();
      if (!error_.ok()) {  // a batch after a failure would only be thrown away later
        if (--in_flight_ == 0) idle_.notify_all();
        continue;
      }
    }
    Status status = work_(worker, *batch);
    batch.reset();  // free its buffers before taking the next one
    std::lock_guard lock(mu_);
    if (!status.ok() && error_.ok()) error_ = std::move(status);
    if (--in_flight_ == 0) idle_.notify_all();
  }
}

}  // namespace assay::pipeline
