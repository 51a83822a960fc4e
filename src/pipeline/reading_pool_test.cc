#include "pipeline/reading_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace assay::pipeline {
namespace {

// A reader of `total` one-row batches, asking for a barrier after every `every`-th.
struct CountingReader {
  explicit CountingReader(size_t n, size_t barrier_every = 0) : total(n), every(barrier_every) {}

  size_t total;
  size_t every;  // 0: never
  size_t read = 0;
  std::mutex mu;  // reader_of is read by the workers outside the pool's lock
  std::map<const Batch*, std::pair<std::thread::id, size_t>> reader_of;  // thread, sequence

  std::thread::id ReaderOf(const Batch* batch) {
    std::lock_guard lock(mu);
    return reader_of.at(batch).first;
  }
  size_t SequenceOf(const Batch* batch) {
    std::lock_guard lock(mu);
    return reader_of.at(batch).second;
  }

  ReadingPool::Read Fn() {
    return [this]() -> Result<ReadingPool::Pulled> {
      ReadingPool::Pulled p;
      if (read == total) return p;
      p.batch = std::make_unique<Batch>();
      p.batch->AppendRow({}, "row");
      {
        std::lock_guard lock(mu);
        reader_of[p.batch.get()] = {std::this_thread::get_id(), read + 1};
      }
      ++read;
      p.barrier_after = every > 0 && read % every == 0;
      return p;
    };
  }
};

const ReadingPool::Barrier kNoBarrier = [] { return Status::Ok(); };

TEST(ReadingPool, EveryBatchIsProcessedOnceByTheThreadThatReadIt) {
  CountingReader reader(500);
  std::mutex mu;
  std::set<std::thread::id> threads_used;
  std::atomic<size_t> processed{0};
  std::atomic<size_t> misplaced{0};
  std::atomic<size_t> max_worker{0};
  ReadingPool pool(3, [&](size_t worker, Batch& batch) {
    {
      std::lock_guard lock(mu);
      threads_used.insert(std::this_thread::get_id());
    }
    if (reader.ReaderOf(&batch) != std::this_thread::get_id()) ++misplaced;
    size_t seen = max_worker.load();
    while (worker > seen && !max_worker.compare_exchange_weak(seen, worker)) {
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));  // let the threads interleave
    ++processed;
    return Status::Ok();
  });
  const std::thread::id caller = std::this_thread::get_id();
  ASSERT_TRUE(pool.Run(reader.Fn(), kNoBarrier).ok());
  EXPECT_EQ(processed.load(), 500u);
  EXPECT_EQ(misplaced.load(), 0u);
  EXPECT_LT(max_worker.load(), 3u);
  EXPECT_TRUE(threads_used.count(caller));
  EXPECT_GT(threads_used.size(), 1u);  // the pool's threads took a share
}

// A barrier runs after the batch that asked for it and every batch read before it are
// processed, before any later read, with nothing in flight.
TEST(ReadingPool, BarrierRunsWithEveryEarlierBatchProcessedAndNothingInFlight) {
  CountingReader reader(300, /*barrier_every=*/40);
  std::atomic<size_t> processed{0};
  std::atomic<int> in_work{0};
  std::vector<std::pair<size_t, size_t>> barriers;  // (read, processed) when each ran
  ReadingPool pool(2, [&](size_t, Batch&) {
    ++in_work;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    ++processed;
    --in_work;
    return Status::Ok();
  });
  const ReadingPool::Barrier barrier = [&] {
    EXPECT_EQ(in_work.load(), 0);
    barriers.emplace_back(reader.read, processed.load());
    return Status::Ok();
  };
  ASSERT_TRUE(pool.Run(reader.Fn(), barrier).ok());
  EXPECT_EQ(processed.load(), 300u);
  ASSERT_EQ(barriers.size(), 7u);  // after 40, 80, ..., 280
  for (size_t i = 0; i < barriers.size(); ++i) {
    EXPECT_EQ(barriers[i].first, 40 * (i + 1));
    EXPECT_EQ(barriers[i].second, 40 * (i + 1));
  }
}

// Regression: a thread that waited for a barrier another thread then ran kept waiting for
// nothing to be in flight, which the other thread's next batch prevented: after the first
// commit point one thread did all the work.
TEST(ReadingPool, EveryThreadKeepsWorkingAfterABarrier) {
  CountingReader reader(400, /*barrier_every=*/10);
  std::mutex mu;
  std::set<std::thread::id> late_threads;  // threads that processed a batch of the second half
  ReadingPool pool(2, [&](size_t, Batch& batch) {
    std::this_thread::sleep_for(std::chrono::microseconds(300));
    if (reader.SequenceOf(&batch) > 200) {
      std::lock_guard lock(mu);
      late_threads.insert(std::this_thread::get_id());
    }
    return Status::Ok();
  });
  ASSERT_TRUE(pool.Run(reader.Fn(), kNoBarrier).ok());
  EXPECT_EQ(late_threads.size(), 2u);
}

TEST(ReadingPool, TheFirstWorkErrorStopsReadingAndIsReturned) {
  CountingReader reader(1000);
  std::atomic<size_t> calls{0};
  std::atomic<int> in_work{0};
  ReadingPool pool(2, [&](size_t, Batch&) {
    ++in_work;
    const size_t n = ++calls;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
    --in_work;
    return n == 10 ? DataLoss("broken batch") : Status::Ok();
  });
  Status st = pool.Run(reader.Fn(), kNoBarrier);
  EXPECT_EQ(st.code(), StatusCode::kDataLoss);
  EXPECT_EQ(st.message(), "broken batch");
  EXPECT_EQ(in_work.load(), 0);  // returns with nothing in flight
  EXPECT_LT(reader.read, 20u);   // at most one more read per thread after the error
  // The pool runs again after a failed run.
  CountingReader again(50);
  calls = 100;
  EXPECT_TRUE(pool.Run(again.Fn(), kNoBarrier).ok());
  EXPECT_EQ(again.read, 50u);
}

TEST(ReadingPool, ReadAndBarrierErrorsAreReturned) {
  ReadingPool pool(2, [](size_t, Batch&) { return Status::Ok(); });
  size_t reads = 0;
  const ReadingPool::Read failing = [&]() -> Result<ReadingPool::Pulled> {
    if (++reads == 5) return Unavailable("disk went away");
    ReadingPool::Pulled p;
    p.batch = std::make_unique<Batch>();
    return p;
  };
  EXPECT_EQ(pool.Run(failing, kNoBarrier).code(), StatusCode::kUnavailable);
  EXPECT_EQ(reads, 5u);

  CountingReader reader(100, /*barrier_every=*/10);
  size_t barriers = 0;
  const ReadingPool::Barrier refusing = [&] {
    return ++barriers == 2 ? Internal("commit failed") : Status::Ok();
  };
  Status st = pool.Run(reader.Fn(), refusing);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(barriers, 2u);
  EXPECT_EQ(reader.read, 20u);  // nothing is read after the failed barrier
}

// A thread whose batches are done when the input runs out closes its worker's output at once,
// while another thread is still on its last batch.
TEST(ReadingPool, DrainedRunsOnEachThreadOnceItsOwnBatchesAreDone) {
  CountingReader reader(2);
  std::mutex mu;
  std::condition_variable changed;
  std::map<size_t, size_t> processed;  // by worker
  std::map<size_t, size_t> drained;    // by worker: its batches processed when drained ran
  std::map<size_t, std::thread::id> thread_of;
  ReadingPool pool(2, [&](size_t worker, Batch& batch) {
    std::unique_lock lock(mu);
    thread_of[worker] = std::this_thread::get_id();
    if (reader.SequenceOf(&batch) == 1) {
      // The other thread reads batch 2 and the end meanwhile: its drained must not wait for
      // this batch.
      EXPECT_TRUE(
          changed.wait_for(lock, std::chrono::seconds(20), [&] { return !drained.empty(); }));
    }
    ++processed[worker];
    return Status::Ok();
  });
  const ReadingPool::Drained on_drained = [&](size_t worker) {
    std::lock_guard lock(mu);
    EXPECT_EQ(thread_of.count(worker) ? thread_of[worker] : std::this_thread::get_id(),
              std::this_thread::get_id());
    EXPECT_EQ(drained.count(worker), 0u) << "twice for worker " << worker;
    drained[worker] = processed[worker];
    changed.notify_all();
    return Status::Ok();
  };
  ASSERT_TRUE(pool.Run(reader.Fn(), kNoBarrier, on_drained).ok());
  ASSERT_EQ(drained.size(), 2u);
  for (const auto& [worker, done] : drained) EXPECT_EQ(done, processed[worker]);
}

TEST(ReadingPool, DrainedDoesNotRunAfterAFailureAndItsErrorFailsTheRun) {
  std::atomic<size_t> calls{0};
  ReadingPool pool(
      2, [&](size_t, Batch&) { return ++calls == 5 ? DataLoss("broken batch") : Status::Ok(); });
  std::atomic<size_t> drained{0};
  const ReadingPool::Drained counting = [&](size_t) {
    ++drained;
    return Status::Ok();
  };
  CountingReader reader(100);
  EXPECT_EQ(pool.Run(reader.Fn(), kNoBarrier, counting).code(), StatusCode::kDataLoss);
  EXPECT_EQ(drained.load(), 0u);

  CountingReader again(10);
  const ReadingPool::Drained refusing = [](size_t worker) {
    return worker == 0 ? Internal("cannot close the output") : Status::Ok();
  };
  Status st = pool.Run(again.Fn(), kNoBarrier, refusing);
  EXPECT_EQ(st.code(), StatusCode::kInternal);
  EXPECT_EQ(again.read, 10u);
}

// One thread means the caller's: it reads and processes everything, as worker 0.
TEST(ReadingPool, OneThreadRunsEverythingOnTheCaller) {
  const std::thread::id caller = std::this_thread::get_id();
  size_t calls = 0;
  ReadingPool pool(1, [&](size_t worker, Batch&) {
    EXPECT_EQ(worker, 0u);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    ++calls;
    return Status::Ok();
  });
  EXPECT_EQ(pool.threads(), 1u);
  CountingReader reader(25, /*barrier_every=*/5);
  size_t barriers = 0;
  ASSERT_TRUE(pool.Run(reader.Fn(),
                       [&] {
                         ++barriers;
                         return Status::Ok();
                       })
                  .ok());
  EXPECT_EQ(calls, 25u);
  EXPECT_EQ(barriers, 5u);  // the one after the last batch too: it precedes the read of the end
}

}  // namespace
}  // namespace assay::pipeline
