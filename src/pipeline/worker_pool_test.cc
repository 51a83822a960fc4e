#include "pipeline/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>

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

}  // namespace
}  // namespace assay::pipeline
