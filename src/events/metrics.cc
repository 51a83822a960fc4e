#include "events/metrics.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace assay::events {

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
  }
  return "untyped";
}

namespace {

bool IsValidMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

bool IsValidLabelName(std::string_view name) {
  if (name.empty() || name.starts_with("__")) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (!alpha && !(digit && i > 0)) return false;
  }
  return true;
}

bool IsValidBounds(std::span<const double> bounds) {
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) return false;
    if (i > 0 && !(bounds[i - 1] < bounds[i])) return false;
  }
  return true;
}

const MetricInfo* FindWellKnown(std::string_view name) {
  for (const MetricInfo& info : kWellKnownMetrics) {
    if (info.name == name) return &info;
  }
  return nullptr;
}

// HELP text escaping of the exposition format: only backslash and newline.
std::string EscapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (const char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// `{a="1",b="2"}` plus an optional trailing `le`; empty when there are no labels at all.
void AppendLabels(std::string& out, const Labels& labels, std::string_view le = {}) {
  if (labels.empty() && le.empty()) return;
  out += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += key;
    out += "=\"";
    out += EscapeLabelValue(value);
    out += '"';
  }
  if (!le.empty()) {
    if (!first) out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void AppendSample(std::string& out, std::string_view name, std::string_view suffix,
                  const Labels& labels, std::string_view le, double value) {
  out += name;
  out += suffix;
  AppendLabels(out, labels, le);
  out += ' ';
  out += FormatMetricValue(value);
  out += '\n';
}

}  // namespace

std::string EscapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Whole numbers print as integers ("1000000", not the shorter "1e+06") up to 2^53, where
  // doubles stop being exact integers.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  return std::string(buf, result.ptr);
}

Histogram::Histogram(std::span<const double> bounds)
    : bounds_(bounds.begin(), bounds.end()),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds.size() + 1)) {}

void Histogram::Observe(double v) {
  if (std::isnan(v)) return;
  // Prometheus buckets are `le` (less than or equal): the first bound >= v.
  const size_t index = std::lower_bound(bounds_.begin(), bounds_.end(), v) - bounds_.begin();
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

HistogramData Histogram::Data() const {
  HistogramData data;
  data.bounds = bounds_;
  data.counts.resize(bounds_.size() + 1);
  std::uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    data.counts[i] = cumulative;
  }
  data.count = cumulative;
  data.sum = sum_.load(std::memory_order_relaxed);
  return data;
}

struct MetricsRegistry::Series {
  Counter counter;
  Gauge gauge;
  std::unique_ptr<Histogram> histogram;
};

struct MetricsRegistry::Family {
  std::string name;
  MetricType type = MetricType::kCounter;
  std::string help;
  std::vector<double> bounds;
  std::map<Labels, std::unique_ptr<Series>> series;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

MetricsRegistry::Series* MetricsRegistry::Find(std::string_view name, MetricType type,
                                               Labels& labels, std::string_view help,
                                               std::span<const double> bounds) {
  std::sort(labels.begin(), labels.end());
  std::string problem;
  const MetricInfo* well_known = FindWellKnown(name);
  if (!IsValidMetricName(name)) {
    problem = "invalid metric name";
  } else if (type == MetricType::kCounter && !name.ends_with("_total")) {
    problem = "counter names must end in _total";
  } else if (well_known != nullptr && well_known->type != type) {
    problem = "well-known metric requested as another type";
  } else if (type == MetricType::kHistogram && !IsValidBounds(bounds)) {
    problem = "histogram bounds must be finite and strictly increasing";
  }
  for (size_t i = 0; problem.empty() && i < labels.size(); ++i) {
    if (!IsValidLabelName(labels[i].first)) {
      problem = "invalid label name '" + labels[i].first + "'";
    } else if (type == MetricType::kHistogram && labels[i].first == "le") {
      problem = "label 'le' is reserved on histograms";
    } else if (i > 0 && labels[i - 1].first == labels[i].first) {
      problem = "duplicate label '" + labels[i].first + "'";
    }
  }
  if (!problem.empty()) {
    spdlog::error("metrics: {} for '{}' ({}); updates to it are not exported", problem, name,
                  MetricTypeName(type));
    return nullptr;
  }

  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->name = std::string(name);
    family->type = type;
    family->help = std::string(well_known != nullptr ? well_known->help : help);
    family->bounds.assign(bounds.begin(), bounds.end());
    it = families_.emplace(family->name, std::move(family)).first;
  }
  Family& family = *it->second;
  if (family.type != type) {
    spdlog::error("metrics: '{}' is a {}, requested as a {}; updates to it are not exported", name,
                  MetricTypeName(family.type), MetricTypeName(type));
    return nullptr;
  }
  if (family.help.empty() && !help.empty()) family.help = std::string(help);
  if (type == MetricType::kHistogram &&
      !std::equal(bounds.begin(), bounds.end(), family.bounds.begin(), family.bounds.end())) {
    spdlog::warn("metrics: histogram '{}' requested with other bucket bounds; using the first",
                 name);
  }
  auto [series_it, inserted] = family.series.try_emplace(std::move(labels));
  if (inserted) {
    series_it->second = std::make_unique<Series>();
    if (type == MetricType::kHistogram) {
      series_it->second->histogram = std::make_unique<Histogram>(family.bounds);
    }
  }
  return series_it->second.get();
}

Counter& MetricsRegistry::GetCounter(std::string_view name, Labels labels, std::string_view help) {
  if (Series* series = Find(name, MetricType::kCounter, labels, help, {})) return series->counter;
  std::lock_guard lock(mu_);
  return detached_.emplace_back(std::make_unique<Series>())->counter;
}

Counter& MetricsRegistry::GetCounter(const MetricInfo& info, Labels labels) {
  return GetCounter(info.name, std::move(labels), info.help);
}

Gauge& MetricsRegistry::GetGauge(std::string_view name, Labels labels, std::string_view help) {
  if (Series* series = Find(name, MetricType::kGauge, labels, help, {})) return series->gauge;
  std::lock_guard lock(mu_);
  return detached_.emplace_back(std::make_unique<Series>())->gauge;
}

Gauge& MetricsRegistry::GetGauge(const MetricInfo& info, Labels labels) {
  return GetGauge(info.name, std::move(labels), info.help);
}

Histogram& MetricsRegistry::GetHistogram(std::string_view name, Labels labels,
                                         std::span<const double> bounds, std::string_view help) {
  if (Series* series = Find(name, MetricType::kHistogram, labels, help, bounds)) {
    return *series->histogram;
  }
  std::lock_guard lock(mu_);
  auto& series = detached_.emplace_back(std::make_unique<Series>());
  series->histogram = std::make_unique<Histogram>(
      IsValidBounds(bounds) ? bounds : std::span<const double>(kDefaultLatencyBuckets));
  return *series->histogram;
}

Histogram& MetricsRegistry::GetHistogram(const MetricInfo& info, Labels labels,
                                         std::span<const double> bounds) {
  return GetHistogram(info.name, std::move(labels), bounds, info.help);
}

std::vector<FamilySnapshot> MetricsRegistry::Snapshot() const {
  std::lock_guard lock(mu_);
  std::vector<FamilySnapshot> out;
  out.reserve(families_.size());
  for (const auto& [name, family] : families_) {
    FamilySnapshot& snap = out.emplace_back();
    snap.name = name;
    snap.type = family->type;
    snap.help = family->help;
    snap.series.reserve(family->series.size());
    for (const auto& [labels, series] : family->series) {
      SeriesSnapshot& s = snap.series.emplace_back();
      s.labels = labels;
      switch (family->type) {
        case MetricType::kCounter: s.value = static_cast<double>(series->counter.value()); break;
        case MetricType::kGauge: s.value = series->gauge.value(); break;
        case MetricType::kHistogram: s.histogram = series->histogram->Data(); break;
      }
    }
  }
  return out;
}

std::string MetricsRegistry::RenderPrometheus() const {
  std::string out;
  for (const FamilySnapshot& family : Snapshot()) {
    if (!family.help.empty()) {
      out += "# HELP ";
      out += family.name;
      out += ' ';
      out += EscapeHelp(family.help);
      out += '\n';
    }
    out += "# TYPE ";
    out += family.name;
    out += ' ';
    out += MetricTypeName(family.type);
    out += '\n';
    for (const SeriesSnapshot& series : family.series) {
      if (family.type != MetricType::kHistogram) {
        AppendSample(out, family.name, "", series.labels, {}, series.value);
        continue;
      }
      const HistogramData& h = series.histogram;
      for (size_t i = 0; i < h.bounds.size(); ++i) {
        AppendSample(out, family.name, "_bucket", series.labels, FormatMetricValue(h.bounds[i]),
                     static_cast<double>(h.counts[i]));
      }
      AppendSample(out, family.name, "_bucket", series.labels, "+Inf",
                   static_cast<double>(h.count));
      AppendSample(out, family.name, "_sum", series.labels, {}, h.sum);
      AppendSample(out, family.name, "_count", series.labels, {}, static_cast<double>(h.count));
    }
  }
  return out;
}

}  // namespace assay::events
