#include "events/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace assay::events {
namespace {

TEST(Metrics, SameNameAndLabelsIsTheSameSeries) {
  MetricsRegistry registry;
  Counter& a = registry.GetCounter("events_sent_total", {{"tier", "gold"}, {"source", "s"}});
  Counter& b = registry.GetCounter("events_sent_total", {{"source", "s"}, {"tier", "gold"}});
  Counter& c = registry.GetCounter("events_sent_total", {{"source", "s"}, {"tier", "silver"}});
  EXPECT_EQ(&a, &b);  // label order does not matter
  EXPECT_NE(&a, &c);
  a.Add(2);
  b.Add();
  EXPECT_EQ(c.value(), 0u);
  EXPECT_EQ(a.value(), 3u);
}

TEST(Metrics, ReferencesStayValidAsTheRegistryGrows) {
  MetricsRegistry registry;
  Counter& first = registry.GetCounter("x_total", {{"i", "0"}});
  first.Add(5);
  for (int i = 1; i < 1000; ++i) registry.GetCounter("x_total", {{"i", std::to_string(i)}});
  for (int i = 0; i < 100; ++i) registry.GetGauge("g" + std::to_string(i));
  first.Add(1);
  EXPECT_EQ(registry.GetCounter("x_total", {{"i", "0"}}).value(), 6u);
}

TEST(Metrics, ConcurrentUpdatesSumCorrectly) {
  MetricsRegistry registry;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&registry, t] {
      // Each thread looks the series up itself, as components do, racing the registration.
      Counter& counter = registry.GetCounter(metric::kEventsReceivedTotal, {{"source", "s"}});
      Gauge& gauge = registry.GetGauge("inflight", {{"source", "s"}});
      Histogram& histogram = registry.GetHistogram(metric::kBatchDurationSeconds);
      Counter& own = registry.GetCounter("per_thread_total", {{"t", std::to_string(t)}});
      for (int i = 0; i < kPerThread; ++i) {
        counter.Add();
        own.Add(2);
        gauge.Add(1.0);
        gauge.Sub(0.5);
        histogram.Observe(i % 2 == 0 ? 0.002 : 3.0);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  EXPECT_EQ(registry.GetCounter(metric::kEventsReceivedTotal, {{"source", "s"}}).value(),
            std::uint64_t{kThreads} * kPerThread);
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(registry.GetCounter("per_thread_total", {{"t", std::to_string(t)}}).value(),
              2u * kPerThread);
  }
  EXPECT_DOUBLE_EQ(registry.GetGauge("inflight", {{"source", "s"}}).value(),
                   0.5 * kThreads * kPerThread);
  const HistogramData h = registry.GetHistogram(metric::kBatchDurationSeconds).Data();
  EXPECT_EQ(h.count, std::uint64_t{kThreads} * kPerThread);
  // 0.002 falls in the 0.0025 bucket (index 1), 3.0 in the 5 bucket (index 11).
  EXPECT_EQ(h.counts[0], 0u);
  EXPECT_EQ(h.counts[1], h.count / 2);
  EXPECT_EQ(h.counts[10], h.count / 2);
  EXPECT_EQ(h.counts[11], h.count);
  EXPECT_NEAR(h.sum, (0.002 + 3.0) * kThreads * kPerThread / 2, 1e-3);
}

TEST(Metrics, HistogramBucketsAreLessOrEqual) {
  const std::vector<double> bounds = {1, 2};
  Histogram histogram(bounds);
  histogram.Observe(1.0);  // on the bound: counts in le="1"
  histogram.Observe(1.5);
  histogram.Observe(7);
  histogram.Observe(std::numeric_limits<double>::quiet_NaN());  // ignored
  const HistogramData data = histogram.Data();
  EXPECT_EQ(data.counts, (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(data.count, 3u);
  EXPECT_DOUBLE_EQ(data.sum, 9.5);
}

TEST(Metrics, PrometheusTextGolden) {
  MetricsRegistry registry;
  registry.GetCounter(metric::kEventsSentTotal, {{"tier", "gold"}, {"source", "sales"}}).Add(42);
  registry.GetCounter(metric::kEventsSentTotal, {{"tier", "bronze"}, {"source", "sales"}}).Add(3);
  registry.GetCounter(metric::kErrorsTotal, {{"stage", "source"}, {"code", "DataLoss"}}).Add();
  registry.GetGauge("queue_depth", {}, "Items waiting.\nSecond line with a \\.").Set(2.5);
  const std::vector<double> bounds = {0.1, 1};
  Histogram& h = registry.GetHistogram("batch_duration_seconds", {{"stage", "sink"}}, bounds);
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(0.75);
  h.Observe(4);
  registry.GetCounter("bare_total").Add(1000000);

  EXPECT_EQ(registry.RenderPrometheus(),
            "# TYPE bare_total counter\n"
            "bare_total 1000000\n"
            "# HELP batch_duration_seconds Wall time a component spent on one batch, in "
            "seconds.\n"
            "# TYPE batch_duration_seconds histogram\n"
            "batch_duration_seconds_bucket{stage=\"sink\",le=\"0.1\"} 1\n"
            "batch_duration_seconds_bucket{stage=\"sink\",le=\"1\"} 3\n"
            "batch_duration_seconds_bucket{stage=\"sink\",le=\"+Inf\"} 4\n"
            "batch_duration_seconds_sum{stage=\"sink\"} 5.3\n"
            "batch_duration_seconds_count{stage=\"sink\"} 4\n"
            "# HELP errors_total Errors by stage and code (a Status code name or a short "
            "snake_case reason).\n"
            "# TYPE errors_total counter\n"
            "errors_total{code=\"DataLoss\",stage=\"source\"} 1\n"
            "# HELP events_sent_total Records a component passed on, by quality tier (gold, "
            "silver, bronze, rejected).\n"
            "# TYPE events_sent_total counter\n"
            "events_sent_total{source=\"sales\",tier=\"bronze\"} 3\n"
            "events_sent_total{source=\"sales\",tier=\"gold\"} 42\n"
            "# HELP queue_depth Items waiting.\\nSecond line with a \\\\.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 2.5\n");
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  MetricsRegistry registry;
  registry.GetCounter("errors_total", {{"stage", "say \"hi\"\\\nbye"}, {"code", "x"}}).Add();
  EXPECT_NE(registry.RenderPrometheus().find(
                "errors_total{code=\"x\",stage=\"say \\\"hi\\\"\\\\\\nbye\"} 1\n"),
            std::string::npos)
      << registry.RenderPrometheus();
}

TEST(Metrics, SampleValues) {
  EXPECT_EQ(FormatMetricValue(0), "0");
  EXPECT_EQ(FormatMetricValue(-3), "-3");
  EXPECT_EQ(FormatMetricValue(0.0025), "0.0025");
  EXPECT_EQ(FormatMetricValue(1e300), "1e+300");
  EXPECT_EQ(FormatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(FormatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(FormatMetricValue(std::nan("")), "NaN");
}

TEST(Metrics, SnapshotIsSortedWithValues) {
  MetricsRegistry registry;
  registry.GetGauge("b_gauge", {{"k", "2"}}).Set(-1);
  registry.GetGauge("b_gauge", {{"k", "1"}}).Set(4);
  registry.GetCounter("a_total").Add(9);
  registry.GetHistogram("c_seconds").Observe(0.3);
  const std::vector<FamilySnapshot> snapshot = registry.Snapshot();
  ASSERT_EQ(snapshot.size(), 3u);
  EXPECT_EQ(snapshot[0].name, "a_total");
  EXPECT_EQ(snapshot[0].type, MetricType::kCounter);
  EXPECT_EQ(snapshot[0].series[0].value, 9);
  EXPECT_EQ(snapshot[1].name, "b_gauge");
  ASSERT_EQ(snapshot[1].series.size(), 2u);
  EXPECT_EQ(snapshot[1].series[0].labels, (Labels{{"k", "1"}}));
  EXPECT_EQ(snapshot[1].series[0].value, 4);
  EXPECT_EQ(snapshot[1].series[1].value, -1);
  EXPECT_EQ(snapshot[2].type, MetricType::kHistogram);
  EXPECT_EQ(snapshot[2].series[0].histogram.bounds.size(), kDefaultLatencyBuckets.size());
  EXPECT_EQ(snapshot[2].series[0].histogram.count, 1u);
}

TEST(Metrics, HistogramFamilyKeepsItsFirstBounds) {
  MetricsRegistry registry;
  const std::vector<double> first = {1, 2, 3};
  const std::vector<double> other = {10};
  registry.GetHistogram("h_seconds", {{"a", "1"}}, first);
  Histogram& second = registry.GetHistogram("h_seconds", {{"a", "2"}}, other);
  EXPECT_EQ(second.bounds(), first);
}

TEST(Metrics, MisuseGetsADetachedSeriesThatIsNotExported) {
  MetricsRegistry registry;
  registry.GetCounter("used_total").Add();
  // Wrong type for an existing name, a counter without _total, a bad name, a bad label, a
  // duplicate label, `le` on a histogram, a well-known name as another type, unsorted bounds.
  registry.GetGauge("used_total").Set(5);
  registry.GetCounter("no_suffix").Add();
  registry.GetCounter("9starts_with_digit_total").Add();
  registry.GetCounter("ok_total", {{"__reserved", "x"}}).Add();
  registry.GetCounter("ok_total", {{"a", "1"}, {"a", "2"}}).Add();
  registry.GetHistogram("h_seconds", {{"le", "1"}}).Observe(1);
  registry.GetGauge(metric::kEventsReceivedTotal.name).Set(1);
  const std::vector<double> unsorted = {2, 1};
  registry.GetHistogram("h2_seconds", {}, unsorted).Observe(1);
  // Detached series still work for their caller (no crash, stable reference).
  Counter& detached = registry.GetCounter("no_suffix");
  detached.Add(3);
  EXPECT_EQ(detached.value(), 3u);
  EXPECT_EQ(registry.RenderPrometheus(), "# TYPE used_total counter\nused_total 1\n");
}

}  // namespace
}  // namespace assay::events
