#include "events/event.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

namespace assay::events {
namespace {

TEST(TopicPattern, ExactPrefixAndStar) {
  EXPECT_TRUE(TopicMatches("*", "source.started"));
  EXPECT_TRUE(TopicMatches("source.started", "source.started"));
  EXPECT_FALSE(TopicMatches("source.started", "source.finished"));
  EXPECT_TRUE(TopicMatches("source.*", "source.started"));
  EXPECT_TRUE(TopicMatches("schema.*", "schema.registry.updated"));
  EXPECT_FALSE(TopicMatches("source.*", "source"));
  EXPECT_FALSE(TopicMatches("source.*", "sources.started"));
  EXPECT_FALSE(TopicMatches("source.*", "sink.committed"));
}

TEST(TopicPattern, OnlyTrailingDotStarIsAWildcard) {
  for (const char* ok : {"*", "run.started", "source.*", "a.b.*", "custom"}) {
    EXPECT_TRUE(IsValidTopicPattern(ok)) << ok;
  }
  for (const char* bad : {"", ".*", "source*", "*.started", "so*urce.x", "source.**", "*.*"}) {
    EXPECT_FALSE(IsValidTopicPattern(bad)) << bad;
  }
}

TEST(Severity, NamesRoundTrip) {
  for (Severity s : {Severity::kInfo, Severity::kWarning, Severity::kError}) {
    EXPECT_EQ(ParseSeverity(SeverityName(s)), s);
  }
  EXPECT_EQ(SeverityName(Severity::kWarning), "warning");
  EXPECT_FALSE(ParseSeverity("fatal"));
}

TEST(Timestamp, FormatsUtcWithMicroseconds) {
  EXPECT_EQ(FormatTimestampMicros(0), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(FormatTimestampMicros(-1), "1969-12-31T23:59:59.999999Z");
  // 2024-02-29T13:45:07.000123Z (a leap day).
  EXPECT_EQ(FormatTimestampMicros(1709214307000123), "2024-02-29T13:45:07.000123Z");
}

TEST(Event, MakeStampsTheCurrentTime) {
  const std::int64_t before = NowMicros();
  const Event event = Event::Make(topic::kRunStarted, "hello");
  EXPECT_GE(event.timestamp_us, before);
  EXPECT_LE(event.timestamp_us, NowMicros());
  EXPECT_EQ(event.topic, "run.started");
  EXPECT_EQ(event.severity, Severity::kInfo);
  EXPECT_FALSE(event.source);
}

TEST(Event, AttributesAreTypedAndKeysUnique) {
  Event event;
  const size_t rows = 42;
  event.Set("rows", rows)
      .Set("ratio", 0.5)
      .Set("name", "gold")  // a string literal must stay a string, not become a bool
      .Set("ok", true)
      .Set("owned", std::string("x"))
      .Set("rows", -3);
  ASSERT_EQ(event.attributes.size(), 5u);
  EXPECT_EQ(std::get<std::int64_t>(*event.Find("rows")), -3);
  EXPECT_EQ(std::get<double>(*event.Find("ratio")), 0.5);
  EXPECT_EQ(std::get<std::string>(*event.Find("name")), "gold");
  EXPECT_EQ(std::get<bool>(*event.Find("ok")), true);
  EXPECT_EQ(event.Find("missing"), nullptr);
}

TEST(Event, ToJsonGolden) {
  Event event;
  event.sequence = 7;
  event.topic = std::string(topic::kBatchProcessed);
  event.timestamp_us = 1709214307000123;
  event.severity = Severity::kWarning;
  event.WithSource("sales");
  event.message = "3 rows rejected";
  event.Set("rows", 100).Set("score", 0.875).Set("tier", "gold").Set("final", false);
  EXPECT_EQ(event.ToJson(),
            R"({"seq":7,"topic":"batch.processed","timestamp_us":1709214307000123,)"
            R"("time":"2024-02-29T13:45:07.000123Z","severity":"warning","source":"sales",)"
            R"("message":"3 rows rejected","attributes":{"rows":100,"score":0.875,)"
            R"("tier":"gold","final":false}})");
}

TEST(Event, ToJsonOmitsUnassignedSequenceAndSource) {
  Event event;
  event.topic = "run.started";
  EXPECT_EQ(event.ToJson(),
            R"({"topic":"run.started","timestamp_us":0,"time":"1970-01-01T00:00:00.000000Z",)"
            R"("severity":"info","message":"","attributes":{}})");
}

TEST(Event, ToJsonEscapesStrings) {
  Event event;
  event.topic = "source.failed";
  event.message = "bad \"quote\" back\\slash\nnew\ttab\x01 caf\xc3\xa9";
  event.Set("path\"key", "C:\\data\n");
  const std::string json = event.ToJson();
  EXPECT_NE(json.find(R"("message":"bad \"quote\" back\\slash\nnew\ttab\u0001 café")"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("path\"key":"C:\\data\n")"), std::string::npos) << json;
  EXPECT_EQ(json.find('\n'), std::string::npos);  // one line, for NDJSON logs and SSE
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["message"], event.message);
  EXPECT_EQ(parsed["attributes"]["path\"key"], "C:\\data\n");
}

TEST(Event, ToJsonReplacesInvalidUtf8AndNonFiniteNumbers) {
  Event event;
  event.topic = "source.failed";
  event.message = "raw \xff\xfe bytes";
  event.Set("nan", std::numeric_limits<double>::quiet_NaN());
  const std::string json = event.ToJson();
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["message"], "raw \xEF\xBF\xBD\xEF\xBF\xBD bytes");
  EXPECT_TRUE(parsed["attributes"]["nan"].is_null());
}

}  // namespace
}  // namespace assay::events
