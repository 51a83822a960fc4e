#include "pipeline/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace assay::pipeline {
namespace {

std::unique_ptr<Batch> BatchOf(size_t rows) {
  auto b = std::make_unique<Batch>();
  for (size_t i = 0; i < rows; ++i) b->AppendRow({}, "");
  return b;
}

TEST(WorkerPool, DrainWaitsForEverySubmittedBatch) {
  std::atomic<size_t> rows{0};
  std::atomic<size_t> max_worker{0};
  WorkerPool pool(3, 2, [&](size_t worker, Batch& batch) {
    rows += batch.num_rows();
    size_t seen = max_worker.load();
    while (worker > seen && !max_worker.compare_exchange_weak(seen, worker)) {
    }
    return Status::Ok();
  });
  for (size_t i = 1; i <= 200; ++i) pool.Submit(BatchOf(i % 7));
  ASSERT_TRUE(pool.Drain().ok());
  size_t expected = 0;
  for (size_t i = 1; i <= 200; ++i) expected += i % 7;
  EXPECT_EQ(rows.load(), expected);
  EXPECT_LT(max_worker.load(), 3u);
}

TEST(WorkerPool, FirstErrorIsReportedOnceAndLaterBatchesAreDropped) {
  std::atomic<int> calls{0};
  WorkerPool pool(1, 4, [&](size_t, Batch&) {
    ++calls;
    return calls.load() == 2 ? DataLoss("broken") : Status::Ok();
  });
  for (int i = 0; i < 10; ++i) pool.Submit(BatchOf(1));
  Status st = pool.Drain();
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_LT(calls.load(), 10);
  EXPECT_TRUE(pool.Drain().ok());  // reported once
  pool.Submit(BatchOf(1));
  EXPECT_TRUE(pool.Drain().ok());
}

// One thread means the caller's: every batch runs inline, as worker 0, on the calling thread.
TEST(WorkerPool, OneThreadRunsEverythingOnTheCaller) {
  const std::thread::id caller = std::this_thread::get_id();
  size_t calls = 0;
  WorkerPool pool(1, 4, [&](size_t worker, Batch&) {
    EXPECT_EQ(worker, 0u);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    ++calls;
    return Status::Ok();
  });
  EXPECT_EQ(pool.threads(), 1u);
  for (int i = 0; i < 5; ++i) pool.Submit(BatchOf(1));
  EXPECT_EQ(calls, 5u);  // done before Drain: nothing was queued
  EXPECT_TRUE(pool.Drain().ok());
}

// With the pool's threads busy and the queue full, the caller does the work itself (as the
// last worker index) rather than wait.
TEST(WorkerPool, CallerRunsWhenTheQueueIsFull) {
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<size_t> caller_runs{0};
  const std::thread::id caller = std::this_thread::get_id();
  WorkerPool pool(2, 1, [&](size_t worker, Batch&) {
    if (std::this_thread::get_id() == caller) {
      EXPECT_EQ(worker, 1u);
      ++caller_runs;
      return Status::Ok();
    }
    EXPECT_EQ(worker, 0u);
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return release; });
    return Status::Ok();
  });
  // The pool thread blocks on its first batch, one more fills the queue: the rest run here.
  for (int i = 0; i < 6; ++i) pool.Submit(BatchOf(1));
  EXPECT_GE(caller_runs.load(), 4u);
  {
    std::lock_guard lock(mu);
    release = true;
  }
  cv.notify_all();
  EXPECT_TRUE(pool.Drain().ok());
}

// Drain does not wait idle for a busy pool thread to reach the queue: the caller runs what is
// queued (as its own worker index) and then waits only for the batch in progress.
TEST(WorkerPool, DrainRunsQueuedBatchesOnTheCaller) {
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  bool release = false;
  std::atomic<size_t> caller_runs{0};
  const std::thread::id caller = std::this_thread::get_id();
  WorkerPool pool(2, 4, [&](size_t worker, Batch&) {
    if (std::this_thread::get_id() == caller) {
      EXPECT_EQ(worker, 1u);
      ++caller_runs;
      return Status::Ok();
    }
    std::unique_lock lock(mu);
    started = true;
    cv.notify_all();
    cv.wait(lock, [&] { return release; });
    return Status::Ok();
  });
  pool.Submit(BatchOf(1));
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return started; });  // the pool thread holds the first batch
  }
  for (int i = 0; i < 4; ++i) pool.Submit(BatchOf(1));  // queued: the queue has room
  EXPECT_EQ(caller_runs.load(), 0u);
  std::thread releaser([&] {
    // Released once the caller has run all four (or after 5 s, so that a Drain that only
    // waits fails the expectation below instead of hanging).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (caller_runs.load() < 4 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    std::lock_guard lock(mu);
    release = true;
    cv.notify_all();
  });
  EXPECT_TRUE(pool.Drain().ok());
  releaser.join();
  EXPECT_EQ(caller_runs.load(), 4u);
}

}  // namespace
}  // namespace assay::pipeline
