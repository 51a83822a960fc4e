#include "schema/compatibility.h"

#include <gtest/gtest.h>

namespace assay::schema {
namespace {

using Level = CompatibilityLevel;

// A closed object with one string property `a`: optional, required with a default, required.
constexpr const char* kOptional =
    R"({"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false})";
constexpr const char* kRequiredWithDefault =
    R"({"type":"object","properties":{"a":{"type":"string","default":"x"}},"required":["a"],)"
    R"("additionalProperties":false})";
constexpr const char* kRequired =
    R"({"type":"object","properties":{"a":{"type":"string"}},"required":["a"],)"
    R"("additionalProperties":false})";

std::vector<PreviousVersion> Versions(std::initializer_list<const char*> texts,
                                      SchemaFormat format = SchemaFormat::kJson) {
  std::vector<PreviousVersion> out;
  int version = 0;
  for (const char* text : texts) out.push_back({++version, format, text});
  return out;
}

TEST(CompatibilityLevelNames, RoundTripAndParseCaseInsensitively) {
  for (Level level : {Level::kNone, Level::kBackward, Level::kBackwardTransitive, Level::kForward,
                      Level::kForwardTransitive, Level::kFull, Level::kFullTransitive}) {
    EXPECT_EQ(CompatibilityLevelFromName(CompatibilityLevelName(level)), level);
  }
  EXPECT_EQ(CompatibilityLevelFromName("full_transitive"), Level::kFullTransitive);
  EXPECT_EQ(CompatibilityLevelFromName("Backward"), Level::kBackward);
  EXPECT_EQ(CompatibilityLevelFromName("SIDEWAYS"), std::nullopt);
  EXPECT_EQ(CompatibilityLevelFromName(""), std::nullopt);
  EXPECT_EQ(CompatibilityPolicyFromName("lenient"), CompatibilityPolicy::kLenient);
  EXPECT_EQ(CompatibilityPolicyFromName("CONFLUENT"), CompatibilityPolicy::kConfluent);
  EXPECT_EQ(CompatibilityPolicyFromName("loose"), std::nullopt);
  EXPECT_EQ(SchemaFormatFromName("JSON"), SchemaFormat::kJson);
  EXPECT_EQ(SchemaFormatFromName("AVRO"), SchemaFormat::kAvro);
  EXPECT_EQ(SchemaFormatFromName("PROTOBUF"), std::nullopt);
}

TEST(CheckCompatibility, FirstVersionAndNoneAreAlwaysCompatible) {
  EXPECT_TRUE(CheckCompatibility(SchemaFormat::kJson, kRequired, {}, Level::kFullTransitive,
                                 CompatibilityPolicy::kConfluent)
                  .compatible);
  EXPECT_TRUE(CheckCompatibility(SchemaFormat::kJson, R"({"type":"integer"})",
                                 Versions({R"({"type":"string"})"}), Level::kNone,
                                 CompatibilityPolicy::kConfluent)
                  .compatible);
}

// A default bridges v1 -> v2 -> v3 one step at a time, but v3 cannot read what v1 wrote.
TEST(CheckCompatibility, TransitiveLevelsCheckEveryEarlierVersion) {
  const auto previous = Versions({kOptional, kRequiredWithDefault});
  CompatibilityVerdict latest = CheckCompatibility(
      SchemaFormat::kJson, kRequired, previous, Level::kBackward, CompatibilityPolicy::kConfluent);
  EXPECT_TRUE(latest.compatible);
  CompatibilityVerdict all =
      CheckCompatibility(SchemaFormat::kJson, kRequired, previous, Level::kBackwardTransitive,
                         CompatibilityPolicy::kConfluent);
  ASSERT_FALSE(all.compatible);
  ASSERT_GE(all.messages.size(), 3u);
  EXPECT_NE(all.messages[0].find("REQUIRED_ATTRIBUTE_ADDED"), std::string::npos) << all.messages[0];
  EXPECT_EQ(all.messages[all.messages.size() - 2], "{oldSchemaVersion: 1}");
  EXPECT_EQ(all.messages.back(), std::string("{oldSchema: '") + kOptional + "'}");
}

// Making `a` optional: the new schema reads old data (BACKWARD), the old one cannot read new
// data that lacks `a` (FORWARD), so FULL fails too.
TEST(CheckCompatibility, ForwardAndFullSwapAndCombineTheDirections) {
  const auto previous = Versions({kRequired});
  auto check = [&](Level level) {
    return CheckCompatibility(SchemaFormat::kJson, kOptional, previous, level,
                              CompatibilityPolicy::kConfluent)
        .compatible;
  };
  EXPECT_TRUE(check(Level::kBackward));
  EXPECT_FALSE(check(Level::kForward));
  EXPECT_FALSE(check(Level::kFull));
  EXPECT_FALSE(check(Level::kForwardTransitive));
  EXPECT_FALSE(check(Level::kFullTransitive));
}

TEST(CheckCompatibility, AnotherFormatIsIncompatibleUnlessNone) {
  const auto previous =
      Versions({R"({"type":"record","name":"R","fields":[]})"}, SchemaFormat::kAvro);
  CompatibilityVerdict v = CheckCompatibility(SchemaFormat::kJson, kOptional, previous,
                                              Level::kBackward, CompatibilityPolicy::kConfluent);
  ASSERT_FALSE(v.compatible);
  EXPECT_EQ(v.messages[0], "Incompatible because of different schema type");
  EXPECT_TRUE(CheckCompatibility(SchemaFormat::kJson, kOptional, previous, Level::kNone,
                                 CompatibilityPolicy::kConfluent)
                  .compatible);
}

// The one rule the policies disagree on: an optional property added to an open model.
TEST(CheckCompatibility, LenientPolicyAcceptsAnOptionalPropertyOnAnOpenModel) {
  const auto previous = Versions({R"({"type":"object","properties":{"a":{"type":"string"}}})"});
  const char* added =
      R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}}})";
  EXPECT_FALSE(CheckCompatibility(SchemaFormat::kJson, added, previous, Level::kBackward,
                                  CompatibilityPolicy::kConfluent)
                   .compatible);
  EXPECT_TRUE(CheckCompatibility(SchemaFormat::kJson, added, previous, Level::kBackward,
                                 CompatibilityPolicy::kLenient)
                  .compatible);
}

TEST(CheckCompatibility, AvroGoesThroughSchemaResolution) {
  const char* v1 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"int"}]})";
  const char* v2 =
      R"({"type":"record","name":"User","fields":[{"name":"id","type":"long"}]})";  // promoted
  EXPECT_TRUE(CheckCompatibility(SchemaFormat::kAvro, v2, Versions({v1}, SchemaFormat::kAvro),
                                 Level::kBackward, CompatibilityPolicy::kConfluent)
                  .compatible);
  EXPECT_FALSE(CheckCompatibility(SchemaFormat::kAvro, v2, Versions({v1}, SchemaFormat::kAvro),
                                  Level::kForward, CompatibilityPolicy::kConfluent)
                   .compatible);
}

// FORWARD runs the reader/writer check the other way round; its messages still call the
// candidate "new" and the registered version "old".
TEST(CheckCompatibility, ForwardMessagesNameTheNewAndOldSchemasRightWayRound) {
  const char* v1 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"int"},)"
                   R"({"name":"name","type":"string"}]})";
  const char* v2 = R"({"type":"record","name":"User","fields":[{"name":"id","type":"int"}]})";
  CompatibilityVerdict v =
      CheckCompatibility(SchemaFormat::kAvro, v2, Versions({v1}, SchemaFormat::kAvro),
                         Level::kForward, CompatibilityPolicy::kConfluent);
  ASSERT_FALSE(v.compatible);
  EXPECT_NE(v.messages[0].find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos);
  EXPECT_NE(v.messages[0].find("in the old schema has no default value and is missing in the "
                               "new schema"),
            std::string::npos)
      << v.messages[0];
}

TEST(CanonicalSchema, DispatchesOnTheFormat) {
  EXPECT_TRUE(CanonicalSchema(SchemaFormat::kJson, R"({ "type" : "string" })").ok());
  EXPECT_FALSE(CanonicalSchema(SchemaFormat::kJson, "{").ok());
  EXPECT_TRUE(CanonicalSchema(SchemaFormat::kAvro, R"("string")").ok());
  EXPECT_FALSE(CanonicalSchema(SchemaFormat::kAvro, R"({"type":"nope"})").ok());
}

}  // namespace
}  // namespace assay::schema
