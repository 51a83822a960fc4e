#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace assay::events {

/// Label pairs of one series, e.g. `{{"source", "sales"}, {"tier", "gold"}}`. The registry sorts
/// them by key, so callers may pass them in any order; keys must be unique.
using Labels = std::vector<std::pair<std::string, std::string>>;

/// The Prometheus metric types Assay uses.
enum class MetricType : unsigned char { kCounter, kGauge, kHistogram };

/// "counter", "gauge" or "histogram" (the word of a `# TYPE` line).
std::string_view MetricTypeName(MetricType type);

/// A metric family's name, type and help text, declared once as a constant.
struct MetricInfo {
  std::string_view name;
  MetricType type;
  std::string_view help;
};

/// Well-known metric families (CONVENTIONS §6). Every source, stage and sink publishes the first
/// five with the labels given in docs/events-and-metrics.md; summary tables, the dashboard and
/// `/metrics` read these, never private counters.
namespace metric {
inline constexpr MetricInfo kEventsReceivedTotal{
    "events_received_total", MetricType::kCounter,
    "Records a component received from its input (a source: records read)."};
inline constexpr MetricInfo kBytesReceivedTotal{
    "bytes_received_total", MetricType::kCounter,
    "Bytes a component received from its input, before decompression where it applies."};
inline constexpr MetricInfo kEventsSentTotal{
    "events_sent_total", MetricType::kCounter,
    "Records a component passed on, by quality tier (gold, silver, bronze, rejected)."};
inline constexpr MetricInfo kErrorsTotal{
    "errors_total", MetricType::kCounter,
    "Errors by stage and code (a Status code name or a short snake_case reason)."};
inline constexpr MetricInfo kBatchDurationSeconds{
    "batch_duration_seconds", MetricType::kHistogram,
    "Wall time a component spent on one batch, in seconds."};
inline constexpr MetricInfo kEventBusPublishedTotal{"event_bus_published_total",
                                                    MetricType::kCounter,
                                                    "Events the event bus accepted for delivery."};
inline constexpr MetricInfo kEventBusRejectedTotal{
    "event_bus_rejected_total", MetricType::kCounter,
    "Events the event bus did not accept, by reason (full: TryPublish on a full queue; stopped: "
    "published after Stop)."};
inline constexpr MetricInfo kEventBusPublishBlockedTotal{
    "event_bus_publish_blocked_total", MetricType::kCounter,
    "Publish calls that had to wait for room in the event bus queue (backpressure)."};
inline constexpr MetricInfo kEventBusQueueDepth{
    "event_bus_queue_depth", MetricType::kGauge,
    "Events waiting in the event bus queue for the dispatcher."};
}  // namespace metric

/// Every well-known metric family, in documentation order.
inline constexpr std::array<MetricInfo, 9> kWellKnownMetrics = {
    metric::kEventsReceivedTotal,   metric::kBytesReceivedTotal,
    metric::kEventsSentTotal,       metric::kErrorsTotal,
    metric::kBatchDurationSeconds,  metric::kEventBusPublishedTotal,
    metric::kEventBusRejectedTotal, metric::kEventBusPublishBlockedTotal,
    metric::kEventBusQueueDepth,
};

/// Default histogram bucket upper bounds for latencies, in seconds (1 ms to 60 s). The
/// Prometheus client defaults stop at 10 s; a large batch or a slow sink commit takes longer.
inline constexpr std::array<double, 15> kDefaultLatencyBuckets = {
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

/// A monotonically increasing count. Updates are one relaxed atomic add: look the counter up
/// once, keep the reference, and call Add on the hot path.
class Counter {
 public:
  /// Adds `n` (default 1).
  void Add(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  /// The current value.
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A value that goes up and down (a queue depth, a lag). Lock-free.
class Gauge {
 public:
  /// Replaces the value.
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  /// Adds `delta` (may be negative).
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  /// Subtracts `delta`.
  void Sub(double delta) { value_.fetch_sub(delta, std::memory_order_relaxed); }
  /// The current value.
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

/// A point-in-time copy of a histogram. `counts` are cumulative, one per bound plus a last one
/// for +Inf, which always equals `count`.
struct HistogramData {
  std::vector<double> bounds;
  std::vector<std::uint64_t> counts;
  double sum = 0;
  std::uint64_t count = 0;
};

/// Observations counted into fixed buckets (Prometheus histogram). Lock-free: one bucket
/// increment and one add to the sum per observation.
class Histogram {
 public:
  /// `bounds`: sorted, strictly increasing, finite upper bounds; +Inf is implicit.
  explicit Histogram(std::span<const double> bounds);

  /// Records one observation (seconds, for latency histograms). A NaN is ignored.
  void Observe(double v);

  /// The bucket upper bounds, without +Inf.
  const std::vector<double>& bounds() const { return bounds_; }
  /// A consistent-enough copy: `count` is derived from the buckets so `_count` always equals the
  /// `+Inf` bucket, as Prometheus requires; `sum` may trail by in-flight observations.
  HistogramData Data() const;

 private:
  std::vector<double> bounds_;
  // Per-bucket (not cumulative) counts; the last slot is the +Inf bucket.
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

/// One series of a family in a Snapshot.
struct SeriesSnapshot {
  Labels labels;  ///< sorted by key
  /// Counter and gauge value (a counter's uint64 converted); 0 for histograms.
  double value = 0;
  /// Set for histograms only.
  HistogramData histogram;
};

/// One metric family in a Snapshot.
struct FamilySnapshot {
  std::string name;
  MetricType type = MetricType::kCounter;
  std::string help;
  std::vector<SeriesSnapshot> series;  ///< sorted by labels
};

/// Counters, gauges and histograms with labels (the Prometheus data model), owned by one
/// registry per process (the pipeline creates it and hands it to components and to `/metrics`).
///
/// Get* look a series up, creating it on first use, under a mutex; the returned reference stays
/// valid for the registry's lifetime, so components look up once and update lock-free after.
/// Names must match `[a-zA-Z_:][a-zA-Z0-9_:]*` and counters must end in `_total`; label names
/// `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__` (and not `le` on a histogram). Asking for a
/// name with another type than it was registered with, or breaking these rules, is a programmer
/// error: it is logged and the call gets a detached series that is never exported, so telemetry
/// can never take the pipeline down.
class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  /// The counter `name{labels}`. `help` is used if the family has none yet; for a well-known name
  /// the help of kWellKnownMetrics is used.
  Counter& GetCounter(std::string_view name, Labels labels = {}, std::string_view help = {});
  /// Same, from a declared MetricInfo.
  Counter& GetCounter(const MetricInfo& info, Labels labels = {});

  /// The gauge `name{labels}`.
  Gauge& GetGauge(std::string_view name, Labels labels = {}, std::string_view help = {});
  /// Same, from a declared MetricInfo.
  Gauge& GetGauge(const MetricInfo& info, Labels labels = {});

  /// The histogram `name{labels}`. The first call for a family fixes its bucket bounds; a later
  /// call with other bounds gets the family's bounds (and a logged warning).
  Histogram& GetHistogram(std::string_view name, Labels labels = {},
                          std::span<const double> bounds = kDefaultLatencyBuckets,
                          std::string_view help = {});
  /// Same, from a declared MetricInfo.
  Histogram& GetHistogram(const MetricInfo& info, Labels labels = {},
                          std::span<const double> bounds = kDefaultLatencyBuckets);

  /// Every family and series with its current value, sorted by name then labels. For the
  /// dashboard, the metrics history in the state store and the Elasticsearch metrics index.
  std::vector<FamilySnapshot> Snapshot() const;

  /// The Prometheus text exposition format 0.0.4 (Content-Type
  /// `text/plain; version=0.0.4; charset=utf-8`): `# HELP` and `# TYPE` per family, one line per
  /// series; histograms as `_bucket{le=...}`, `_sum` and `_count`.
  std::string RenderPrometheus() const;

 private:
  struct Series;
  struct Family;

  // Finds or creates the series; nullptr when the request is invalid (see class comment).
  Series* Find(std::string_view name, MetricType type, Labels& labels, std::string_view help,
               std::span<const double> bounds);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
  // Series handed out for invalid requests: kept alive (references must stay valid) but never
  // exported.
  std::vector<std::unique_ptr<Series>> detached_;
};

/// The label value escaping of the exposition format: `\` → `\\`, `"` → `\"`, newline → `\n`.
std::string EscapeLabelValue(std::string_view value);

/// A sample value in the exposition format: shortest round-trip decimal, `+Inf`, `-Inf`, `NaN`.
std::string FormatMetricValue(double value);

}  // namespace assay::events
