#include "events/event.h"

#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/value_parse.h"

namespace assay::events {

bool IsValidTopicPattern(std::string_view pattern) {
  if (pattern == "*") return true;
  if (pattern.empty()) return false;
  const size_t star = pattern.find('*');
  if (star == std::string_view::npos) return true;
  // Only a trailing ".*" after a non-empty prefix: "source.*".
  return star == pattern.size() - 1 && pattern.size() >= 3 && pattern[star - 1] == '.';
}

bool TopicMatches(std::string_view pattern, std::string_view topic) {
  if (pattern == "*") return true;
  if (pattern.size() >= 2 && pattern.ends_with(".*")) {
    // Keep the dot in the prefix so "source.*" does not match "sources.x" or "source".
    const std::string_view prefix = pattern.substr(0, pattern.size() - 1);
    return topic.size() > prefix.size() && topic.starts_with(prefix);
  }
  return pattern == topic;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "info";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (name == "info") return Severity::kInfo;
  if (name == "warning") return Severity::kWarning;
  if (name == "error") return Severity::kError;
  return std::nullopt;
}

std::int64_t NowMicros() { return WallClockMicros(); }

std::string FormatTimestampMicros(std::int64_t micros) {
  char buf[kMaxTimestampChars];
  return std::string(buf, FormatTimestampChars(micros, buf, /*always_fraction=*/true));
}

Event Event::Make(std::string_view topic, std::string message, Severity severity) {
  Event event;
  event.topic = std::string(topic);
  event.timestamp_us = NowMicros();
  event.severity = severity;
  event.message = std::move(message);
  return event;
}

Event& Event::WithSource(std::string source_name) {
  source = std::move(source_name);
  return *this;
}

Event& Event::WithSeverity(Severity level) {
  severity = level;
  return *this;
}

Event& Event::SetValue(std::string key, AttributeValue value) {
  for (Attribute& attribute : attributes) {
    if (attribute.key == key) {
      attribute.value = std::move(value);
      return *this;
    }
  }
  attributes.push_back(Attribute{std::move(key), std::move(value)});
  return *this;
}

const AttributeValue* Event::Find(std::string_view key) const {
  for (const Attribute& attribute : attributes) {
    if (attribute.key == key) return &attribute.value;
  }
  return nullptr;
}

std::string Event::ToJson() const {
  // ordered_json keeps the documented field order, which makes logs and golden tests readable.
  nlohmann::ordered_json json;
  if (sequence != 0) json["seq"] = sequence;
  json["topic"] = topic;
  json["timestamp_us"] = timestamp_us;
  json["time"] = FormatTimestampMicros(timestamp_us);
  json["severity"] = SeverityName(severity);
  if (source) json["source"] = *source;
  json["message"] = message;
  nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
  for (const Attribute& attribute : attributes) {
    std::visit([&](const auto& v) { attrs[attribute.key] = v; }, attribute.value);
  }
  json["attributes"] = std::move(attrs);
  // Messages may quote raw input bytes; replacing invalid UTF-8 beats throwing from a logger.
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace assay::events
