#pragma once

#include <array>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace assay::events {

/// Well-known topics. Topics are dotted strings, `<area>.<what happened>`; subscribers match them
/// exactly, by prefix (`source.*`) or all (`*`). Components publish only these, so the dashboard,
/// the state store and docs/events-and-metrics.md can rely on the list; a new topic is added here
/// first.
namespace topic {
inline constexpr std::string_view kRunStarted = "run.started";
inline constexpr std::string_view kRunFinished = "run.finished";
inline constexpr std::string_view kSourceStarted = "source.started";
inline constexpr std::string_view kSourceFinished = "source.finished";
inline constexpr std::string_view kSourceFailed = "source.failed";
inline constexpr std::string_view kBatchProcessed = "batch.processed";
inline constexpr std::string_view kSinkCommitted = "sink.committed";
inline constexpr std::string_view kSinkFailed = "sink.failed";
inline constexpr std::string_view kSchemaDetected = "schema.detected";
inline constexpr std::string_view kSchemaRegistered = "schema.registered";
inline constexpr std::string_view kSchemaEvolved = "schema.evolved";
inline constexpr std::string_view kSchemaIncompatible = "schema.incompatible";
inline constexpr std::string_view kSchemaDeleted = "schema.deleted";
inline constexpr std::string_view kQualityBatchGraded = "quality.batch_graded";
inline constexpr std::string_view kQualityAlert = "quality.alert";
}  // namespace topic

/// Every well-known topic, in documentation order (for the dashboard's filter list).
inline constexpr std::array<std::string_view, 15> kWellKnownTopics = {
    topic::kRunStarted,       topic::kRunFinished,        topic::kSourceStarted,
    topic::kSourceFinished,   topic::kSourceFailed,       topic::kBatchProcessed,
    topic::kSinkCommitted,    topic::kSinkFailed,         topic::kSchemaDetected,
    topic::kSchemaRegistered, topic::kSchemaEvolved,      topic::kSchemaIncompatible,
    topic::kSchemaDeleted,    topic::kQualityBatchGraded, topic::kQualityAlert,
};

/// True if `pattern` is `*`, an exact topic, or a prefix pattern `<prefix>.*`. A `*` anywhere
/// else, or an empty pattern, is invalid.
bool IsValidTopicPattern(std::string_view pattern);

/// True if `topic` matches `pattern`: `*` matches everything; `source.*` matches every topic that
/// starts with `source.` (not `source` itself, not `sources.x`); anything else matches exactly.
bool TopicMatches(std::string_view pattern, std::string_view topic);

/// How much attention an event needs; the dashboard colours and filters by it.
enum class Severity : unsigned char { kInfo, kWarning, kError };

/// "info", "warning" or "error".
std::string_view SeverityName(Severity severity);

/// The inverse of SeverityName; nullopt for any other text.
std::optional<Severity> ParseSeverity(std::string_view name);

/// One attribute value. Order matters for std::variant: a `const char*` must never become a bool,
/// so Event::Set has explicit overloads rather than accepting any convertible type.
using AttributeValue = std::variant<std::int64_t, double, std::string, bool>;

/// A key and its typed value.
struct Attribute {
  std::string key;
  AttributeValue value;

  friend bool operator==(const Attribute&, const Attribute&) = default;
};

/// Microseconds since the Unix epoch (UTC) from the wall clock.
std::int64_t NowMicros();

/// `2024-05-01T12:00:00.123456Z` for a time in microseconds since the Unix epoch.
std::string FormatTimestampMicros(std::int64_t micros);

/// A typed event on the bus. A plain value: copyable, and cheap to move. Events are small
/// notifications about batches, runs and schemas, never per-record data.
struct Event {
  /// Assigned by EventBus when it accepts the event (1, 2, ...: the delivery order); 0 until
  /// then. The dashboard uses it as the SSE event id, so a reconnecting client can resume.
  std::uint64_t sequence = 0;
  /// A dotted topic, usually one of `topic::k*`.
  std::string topic;
  /// When it happened, microseconds since the Unix epoch (UTC).
  std::int64_t timestamp_us = 0;
  Severity severity = Severity::kInfo;
  /// The source (dataset) it concerns, if any.
  std::optional<std::string> source;
  /// One short human-readable line.
  std::string message;
  /// A small list of typed attributes, keys unique, in insertion order.
  std::vector<Attribute> attributes;

  /// An event on `topic` stamped with the current wall-clock time.
  static Event Make(std::string_view topic, std::string message = {},
                    Severity severity = Severity::kInfo);

  /// Sets the source name; returns *this for chaining.
  Event& WithSource(std::string source_name);
  /// Sets the severity; returns *this for chaining.
  Event& WithSeverity(Severity level);

  /// Sets attribute `key` (replacing an earlier value of that key); returns *this for chaining.
  /// Any integer type is stored as int64 (an unsigned value above INT64_MAX wraps).
  template <typename T>
  requires std::integral<T> &&(!std::same_as<T, bool>)Event& Set(std::string key, T value) {
    return SetValue(std::move(key), AttributeValue(static_cast<std::int64_t>(value)));
  }
  Event& Set(std::string key, bool value) {
    return SetValue(std::move(key), AttributeValue(value));
  }
  Event& Set(std::string key, double value) {
    return SetValue(std::move(key), AttributeValue(value));
  }
  Event& Set(std::string key, std::string value) {
    return SetValue(std::move(key), AttributeValue(std::move(value)));
  }
  Event& Set(std::string key, std::string_view value) {
    return SetValue(std::move(key), AttributeValue(std::string(value)));
  }
  Event& Set(std::string key, const char* value) {
    return SetValue(std::move(key), AttributeValue(std::string(value)));
  }

  /// The value of attribute `key`, or nullptr. Valid until the event is modified.
  const AttributeValue* Find(std::string_view key) const;

  /// One JSON object on one line:
  /// `{"seq":1,"topic":"...","timestamp_us":...,"time":"...Z","severity":"info",
  ///   "source":"...","message":"...","attributes":{"rows":10}}`.
  /// `seq` is present once the bus has assigned it, `source` when set. Strings are escaped per
  /// RFC 8259; invalid UTF-8 is replaced by U+FFFD rather than failing; a NaN or infinite double
  /// becomes null.
  std::string ToJson() const;

  friend bool operator==(const Event&, const Event&) = default;

 private:
  Event& SetValue(std::string key, AttributeValue value);
};

}  // namespace assay::events
