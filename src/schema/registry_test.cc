#include "schema/registry.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <numeric>
#include <set>
#include <thread>

#include "events/event_bus.h"
#include "events/state_store.h"

// The tests name only the fields that matter ({.level = ...}); the others keep their defaults on
// purpose, which GCC's -Wmissing-field-initializers would flag.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace assay::schema {
namespace {

// An Avro record User with `id:int` and the extra fields given (Avro rules are Apache Avro's,
// whatever the policy, which keeps these tests about the registry, not the checker).
std::string User(const std::string& extra_fields = "") {
  return R"({"type":"record","name":"User","namespace":"com.ex","fields":[)"
         R"({"name":"id","type":"int"})" +
         extra_fields + "]}";
}
const std::string kV1 = User();
// BACKWARD-compatible with kV1: a new field with a default.
const std::string kV2 = User(R"(,{"name":"email","type":["null","string"],"default":null})");
// Not BACKWARD-compatible with kV1 or kV2: a new field without a default.
const std::string kNoDefault = User(R"(,{"name":"age","type":"int"})");
const std::string kJson = R"({"type":"object","properties":{"a":{"type":"string"}}})";

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("assay_registry_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    // The registry shares the state store's file; open both, as the binary does.
    auto state = events::StateStore::Open(dir_);
    ASSERT_TRUE(state.ok()) << state.status().ToString();
    state_ = std::move(state).value();
    bus_.Subscribe("schema.*", [this](const events::Event& e) { events_.push_back(e); });
    Reopen();
  }
  void TearDown() override {
    registry_.reset();
    state_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A new registry on the same directory: what a restart sees.
  void Reopen(RegistryOptions options = {}) {
    registry_.reset();
    auto registry = SchemaRegistry::Open(dir_, options, &bus_);
    ASSERT_TRUE(registry.ok()) << registry.status().ToString();
    registry_ = std::move(registry).value();
  }

  Registration MustRegister(const std::string& subject, const std::string& text,
                            SchemaFormat format = SchemaFormat::kAvro) {
    auto r = registry_->Register(subject, format, text);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : Registration{};
  }

  template <typename T>
  int Code(const RegistryResult<T>& r) {
    return r.ok() ? 0 : r.error().error_code;
  }

  // Topics of the events delivered so far.
  std::vector<std::string> Topics() {
    bus_.Flush();
    std::vector<std::string> out;
    for (const auto& e : events_) out.push_back(e.topic);
    return out;
  }

  std::filesystem::path dir_;
  std::vector<events::Event> events_;  // written by the dispatcher, read after Flush
  events::EventBus bus_;               // after events_: it stops (and delivers) first
  std::unique_ptr<events::StateStore> state_;
  std::unique_ptr<SchemaRegistry> registry_;
};

TEST(VersionRef, ParsesLatestMinusOneAndPositiveIntegers) {
  EXPECT_TRUE(VersionRef::Parse("latest")->latest());
  EXPECT_TRUE(VersionRef::Parse("-1")->latest());
  EXPECT_EQ(VersionRef::Parse("7")->number, 7);
  EXPECT_EQ(VersionRef::Parse("2147483647")->number, 2147483647);
  for (const char* bad : {"0", "-2", "abc", "", "1.5", "2147483648", "LATEST", " 1", "1x"}) {
    auto r = VersionRef::Parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().error_code, 42202) << bad;
    EXPECT_EQ(r.error().http_status, 422);
  }
}

TEST(RegistrySubject, ControlCharactersAndEmptyNamesAre42208) {
  EXPECT_FALSE(ValidateSubject("orders-value").has_value());
  EXPECT_FALSE(ValidateSubject("a/b c%2F").has_value());
  EXPECT_EQ(ValidateSubject("")->error_code, 42208);
  EXPECT_EQ(ValidateSubject("a\nb")->error_code, 42208);
  EXPECT_EQ(ValidateSubject("a\xff")->error_code, 42208);
}

TEST_F(RegistryTest, RegisterAssignsGlobalIdsAndPerSubjectVersions) {
  Registration a = MustRegister("s1", kV1);
  EXPECT_EQ(a.id, 1);
  EXPECT_EQ(a.version, 1);
  EXPECT_TRUE(a.created);
  Registration b = MustRegister("s1", kV2);
  EXPECT_EQ(b.id, 2);
  EXPECT_EQ(b.version, 2);
  // The same schema under another subject keeps its global id, with that subject's numbering.
  Registration c = MustRegister("s2", kV2);
  EXPECT_EQ(c.id, 2);
  EXPECT_EQ(c.version, 1);
  // Whitespace does not make a new schema (canonical form), but the text is kept as sent.
  Registration d = MustRegister("s3", " " + kV1 + "\n");
  EXPECT_EQ(d.id, 1);
  auto by_id = registry_->GetSchemaById(1);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->text, kV1);
  EXPECT_EQ(by_id->format, SchemaFormat::kAvro);
}

TEST_F(RegistryTest, RegisteringALiveSchemaAgainReturnsItsIdWithoutANewVersion) {
  MustRegister("s", kV1);
  MustRegister("s", kV2);
  Registration again = MustRegister("s", kV1);  // not the latest: still no version 3
  EXPECT_EQ(again.id, 1);
  EXPECT_EQ(again.version, 1);
  EXPECT_FALSE(again.created);
  EXPECT_EQ(*registry_->ListVersions("s", {}), (std::vector<int>{1, 2}));
}

TEST_F(RegistryTest, InvalidSchemasAre42201) {
  EXPECT_EQ(Code(registry_->Register("s", SchemaFormat::kAvro, "")), 42201);
  EXPECT_EQ(Code(registry_->Register("s", SchemaFormat::kAvro, "  \n")), 42201);
  EXPECT_EQ(Code(registry_->Register("s", SchemaFormat::kAvro, "{not json")), 42201);
  EXPECT_EQ(Code(registry_->Register("s", SchemaFormat::kJson, "[1,")), 42201);
  EXPECT_EQ(Code(registry_->Lookup("s", SchemaFormat::kAvro, "{", false)), 42201);
  EXPECT_EQ(Code(registry_->TestCompatibility("s", std::nullopt, SchemaFormat::kAvro, "{")), 42201);
  EXPECT_EQ(Code(registry_->ListSubjects({})), 0);
  EXPECT_TRUE(registry_->ListSubjects({})->empty());
}

TEST_F(RegistryTest, SchemasAboveTheSizeLimitAre42209) {
  Reopen(RegistryOptions{.max_schema_bytes = 64});
  auto r = registry_->Register("s", SchemaFormat::kAvro, kV2);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error_code, 42209);
  EXPECT_EQ(r.error().http_status, 422);
}

TEST_F(RegistryTest, IncompatibleSchemaIs409AndNothingIsStored) {
  MustRegister("s", kV1);
  auto r = registry_->Register("s", SchemaFormat::kAvro, kNoDefault);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().error_code, 409);
  EXPECT_EQ(r.error().http_status, 409);
  EXPECT_NE(r.error().message.find("incompatible with an earlier schema for subject \"s\""),
            std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("READER_FIELD_MISSING_DEFAULT_VALUE"), std::string::npos)
      << r.error().message;
  EXPECT_EQ(*registry_->ListVersions("s", {}), (std::vector<int>{1}));
  // The refused schema got no id: the next new schema takes id 2.
  EXPECT_EQ(MustRegister("s", kV2).id, 2);
  EXPECT_EQ(Code(registry_->GetSchemaById(3)), 40403);
}

TEST_F(RegistryTest, OtherFormatThanThePreviousVersionIsIncompatibleUnlessNone) {
  MustRegister("s", kV1);
  EXPECT_EQ(Code(registry_->Register("s", SchemaFormat::kJson, kJson)), 409);
  ASSERT_TRUE(registry_->SetSubjectConfig("s", {.level = CompatibilityLevel::kNone}).ok());
  Registration json = MustRegister("s", kJson, SchemaFormat::kJson);
  EXPECT_EQ(json.version, 2);
  EXPECT_EQ(registry_->GetVersion("s", {}, false)->format, SchemaFormat::kJson);
}

TEST_F(RegistryTest, LevelComesFromSubjectThenGlobalThenDefaults) {
  // Defaults from the config file: NONE accepts anything.
  Reopen(RegistryOptions{.defaults = {.level = CompatibilityLevel::kNone}});
  MustRegister("s", kV1);
  MustRegister("s", kNoDefault);
  EXPECT_EQ(registry_->GetGlobalConfig()->level, CompatibilityLevel::kNone);
  // A stored global config beats the defaults.
  ASSERT_TRUE(registry_->SetGlobalConfig({.level = CompatibilityLevel::kBackward}).ok());
  EXPECT_EQ(Code(registry_->Register("t", SchemaFormat::kAvro, kV1)), 0);
  EXPECT_EQ(Code(registry_->Register("t", SchemaFormat::kAvro, kNoDefault)), 409);
  // A subject config beats the global one.
  ASSERT_TRUE(registry_->SetSubjectConfig("t", {.level = CompatibilityLevel::kForward}).ok());
  EXPECT_EQ(Code(registry_->Register("t", SchemaFormat::kAvro, kNoDefault)), 0);
  // Deleting the global config goes back to the defaults.
  auto previous = registry_->DeleteGlobalConfig();
  ASSERT_TRUE(previous.ok());
  EXPECT_EQ(previous->level, CompatibilityLevel::kBackward);
  EXPECT_EQ(registry_->GetGlobalConfig()->level, CompatibilityLevel::kNone);
}

TEST_F(RegistryTest, TransitiveLevelsCheckEveryLiveVersion) {
  ASSERT_TRUE(registry_->SetSubjectConfig("s", {.level = CompatibilityLevel::kNone}).ok());
  MustRegister("s", kV2);                                                    // v1: email
  MustRegister("s", User(R"(,{"name":"n","type":"string","default":""})"));  // v2: no email
  // v3 reads v2 (its email has a default) but not v1 (a string cannot read v1's null email).
  const std::string v3 = User(R"(,{"name":"email","type":"string","default":"x"})");
  ASSERT_TRUE(registry_->SetSubjectConfig("s", {.level = CompatibilityLevel::kBackward}).ok());
  auto one = registry_->TestCompatibility("s", VersionRef{}, SchemaFormat::kAvro, v3);
  ASSERT_TRUE(one.ok());
  EXPECT_TRUE(one->compatible);  // v2 had no email: the default covers it
  ASSERT_TRUE(
      registry_->SetSubjectConfig("s", {.level = CompatibilityLevel::kBackwardTransitive}).ok());
  auto all = registry_->TestCompatibility("s", std::nullopt, SchemaFormat::kAvro, v3);
  ASSERT_TRUE(all.ok());
  EXPECT_FALSE(all->compatible);  // v1's email is a union with null: string cannot read it
  // Against one version, a transitive level checks that version only.
  auto latest = registry_->TestCompatibility("s", VersionRef{}, SchemaFormat::kAvro, v3);
  EXPECT_TRUE(latest->compatible);
  auto first = registry_->TestCompatibility("s", VersionRef{1}, SchemaFormat::kAvro, v3);
  EXPECT_FALSE(first->compatible);
  EXPECT_EQ(Code(registry_->Register("s", SchemaFormat::kAvro, v3)), 409);
}

TEST_F(RegistryTest, TestCompatibilityEdgeCases) {
  // No versions: anything is compatible with `latest`; a numbered version is 40401.
  auto none = registry_->TestCompatibility("nope", VersionRef{}, SchemaFormat::kAvro, kV1);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->compatible);
  EXPECT_EQ(Code(registry_->TestCompatibility("nope", VersionRef{1}, SchemaFormat::kAvro, kV1)),
            40401);
  MustRegister("s", kV1);
  EXPECT_EQ(Code(registry_->TestCompatibility("s", VersionRef{5}, SchemaFormat::kAvro, kV1)),
            40402);
  auto bad = registry_->TestCompatibility("s", VersionRef{1}, SchemaFormat::kAvro, kNoDefault);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->compatible);
  EXPECT_FALSE(bad->messages.empty());
  // Nothing was registered by testing.
  EXPECT_EQ(*registry_->ListVersions("s", {}), (std::vector<int>{1}));
}

TEST_F(RegistryTest, LookupFindsTheVersionHoldingTheSchema) {
  MustRegister("s", kV1);
  MustRegister("s", kV2);
  auto found = registry_->Lookup("s", SchemaFormat::kAvro, "\n" + kV2, false);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(found->version, 2);
  EXPECT_EQ(found->id, 2);
  EXPECT_EQ(found->subject, "s");
  EXPECT_EQ(found->text, kV2);
  EXPECT_EQ(Code(registry_->Lookup("other", SchemaFormat::kAvro, kV1, false)), 40401);
  EXPECT_EQ(Code(registry_->Lookup("s", SchemaFormat::kAvro, kNoDefault, false)), 40403);
  ASSERT_TRUE(registry_->DeleteVersion("s", VersionRef{2}, false).ok());
  EXPECT_EQ(Code(registry_->Lookup("s", SchemaFormat::kAvro, kV2, false)), 40403);
  EXPECT_EQ(registry_->Lookup("s", SchemaFormat::kAvro, kV2, true)->version, 2);
}

TEST_F(RegistryTest, GetVersionLatestNumberedAndDeleted) {
  MustRegister("s", kV1);
  MustRegister("s", kV2);
  EXPECT_EQ(registry_->GetVersion("s", {}, false)->version, 2);
  EXPECT_EQ(registry_->GetVersion("s", VersionRef{1}, false)->text, kV1);
  EXPECT_EQ(Code(registry_->GetVersion("s", VersionRef{3}, false)), 40402);
  EXPECT_EQ(Code(registry_->GetVersion("x", {}, false)), 40401);
  ASSERT_TRUE(registry_->DeleteVersion("s", VersionRef{2}, false).ok());
  EXPECT_EQ(registry_->GetVersion("s", {}, false)->version, 1);  // latest live
  EXPECT_EQ(Code(registry_->GetVersion("s", VersionRef{2}, false)), 40402);
  auto deleted = registry_->GetVersion("s", VersionRef{2}, true);
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted->deleted);
  EXPECT_EQ(registry_->GetVersion("s", {}, true)->version, 2);
}

TEST_F(RegistryTest, NewVersionNumbersCountSoftDeletedVersions) {
  MustRegister("s", kV1);
  MustRegister("s", kV2);
  ASSERT_EQ(*registry_->DeleteVersion("s", VersionRef{2}, false), 2);
  Registration three = MustRegister("s", User(R"(,{"name":"x","type":"int","default":0})"));
  EXPECT_EQ(three.version, 3);
  // Re-registering the soft-deleted schema gives it a new version and drops the deleted one.
  Registration again = MustRegister("s", kV2);
  EXPECT_EQ(again.version, 4);
  EXPECT_EQ(again.id, 2);
  ListFilter all{.deleted = true};
  EXPECT_EQ(*registry_->ListVersions("s", all), (std::vector<int>{1, 3, 4}));
  // A permanently deleted latest version no longer counts.
  ASSERT_TRUE(registry_->DeleteVersion("s", VersionRef{4}, false).ok());
  ASSERT_TRUE(registry_->DeleteVersion("s", VersionRef{4}, true).ok());
  EXPECT_EQ(MustRegister("s", kV2).version, 4);
}

TEST_F(RegistryTest, ListingsFilterDeleted) {
  MustRegister("b", kV1);
  MustRegister("a", kV1);
  MustRegister("a", kV2);
  MustRegister("c", kV1);
  ASSERT_TRUE(registry_->DeleteSubject("c", false).ok());
  ASSERT_TRUE(registry_->DeleteVersion("a", VersionRef{1}, false).ok());
  EXPECT_EQ(*registry_->ListSubjects({}), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*registry_->ListSubjects({.deleted = true}), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(*registry_->ListSubjects({.deleted_only = true}), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(*registry_->ListSubjects({.subject_prefix = "b"}), (std::vector<std::string>{"b"}));
  EXPECT_EQ(*registry_->ListVersions("a", {}), (std::vector<int>{2}));
  EXPECT_EQ(*registry_->ListVersions("a", {.deleted = true}), (std::vector<int>{1, 2}));
  EXPECT_EQ(*registry_->ListVersions("a", {.deleted_only = true}), (std::vector<int>{1}));
  EXPECT_EQ(Code(registry_->ListVersions("c", {})), 40401);  // only soft-deleted versions
  EXPECT_EQ(*registry_->ListVersions("c", {.deleted = true}), (std::vector<int>{1}));
  EXPECT_EQ(Code(registry_->ListVersions("zzz", {.deleted = true})), 40401);
}

TEST_F(RegistryTest, SubjectDeleteRules) {
  EXPECT_EQ(Code(registry_->DeleteSubject("s", false)), 40401);
  MustRegister("s", kV1);
  MustRegister("s", kV2);
  ASSERT_TRUE(registry_->SetSubjectConfig("s", {.level = CompatibilityLevel::kFull}).ok());
  EXPECT_EQ(Code(registry_->DeleteSubject("s", true)), 40405);  // soft delete first
  EXPECT_EQ(*registry_->DeleteSubject("s", false), (std::vector<int>{1, 2}));
  EXPECT_EQ(Code(registry_->DeleteSubject("s", false)), 40404);  // already soft-deleted
  // A soft delete takes the subject's config with it.
  EXPECT_EQ(Code(registry_->GetSubjectConfig("s", false)), 40408);
  // Soft-deleted schemas stay resolvable by id.
  EXPECT_TRUE(registry_->GetSchemaById(1).ok());
  EXPECT_EQ(*registry_->DeleteSubject("s", true), (std::vector<int>{1, 2}));
  EXPECT_EQ(Code(registry_->DeleteSubject("s", true)), 40401);
  EXPECT_EQ(Code(registry_->GetSchemaById(1)), 40403);
  EXPECT_EQ(Code(registry_->ListVersions("s", {.deleted = true})), 40401);
  // Ids are never reused: the same schema comes back under its old id, a new one gets id 3.
  EXPECT_EQ(MustRegister("s", kV1).id, 1);
  EXPECT_EQ(MustRegister("s", kV1).version, 1);
  EXPECT_EQ(MustRegister("t", User(R"(,{"name":"q","type":"int","default":1})")).id, 3);
}

TEST_F(RegistryTest, VersionDeleteRules) {
  EXPECT_EQ(Code(registry_->DeleteVersion("s", VersionRef{1}, false)), 40401);
  MustRegister("s", kV1);
  MustRegister("s", kV2);
  ASSERT_TRUE(registry_->SetSubjectConfig("s", {.level = CompatibilityLevel::kFull}).ok());
  EXPECT_EQ(Code(registry_->DeleteVersion("s", VersionRef{9}, false)), 40402);
  EXPECT_EQ(Code(registry_->DeleteVersion("s", VersionRef{2}, true)), 40407);
  EXPECT_EQ(*registry_->DeleteVersion("s", VersionRef{}, false), 2);  // latest
  EXPECT_EQ(Code(registry_->DeleteVersion("s", VersionRef{2}, false)), 40406);
  EXPECT_EQ(registry_->GetSubjectConfig("s", false)->level, CompatibilityLevel::kFull);
  // The last live version takes the config with it.
  EXPECT_EQ(*registry_->DeleteVersion("s", VersionRef{1}, false), 1);
  EXPECT_EQ(Code(registry_->GetSubjectConfig("s", false)), 40408);
  EXPECT_EQ(*registry_->DeleteVersion("s", VersionRef{2}, true), 2);
  EXPECT_EQ(Code(registry_->DeleteVersion("s", VersionRef{2}, true)), 40402);
  EXPECT_EQ(*registry_->ListVersions("s", {.deleted = true}), (std::vector<int>{1}));
}

TEST_F(RegistryTest, SchemaIdsResolveToTheirVersions) {
  MustRegister("s", kV1);
  MustRegister("t", kV1);
  MustRegister("t", kV2);
  auto versions = registry_->VersionsOfSchema(1, false);
  ASSERT_TRUE(versions.ok());
  ASSERT_EQ(versions->size(), 2u);
  EXPECT_EQ((*versions)[0].subject, "s");
  EXPECT_EQ((*versions)[1].subject, "t");
  EXPECT_EQ((*versions)[1].version, 1);
  EXPECT_EQ(Code(registry_->VersionsOfSchema(99, false)), 40403);
  EXPECT_EQ(Code(registry_->GetSchemaById(99)), 40403);
  ASSERT_TRUE(registry_->DeleteSubject("s", false).ok());
  EXPECT_EQ(registry_->VersionsOfSchema(1, false)->size(), 1u);
  EXPECT_EQ(registry_->VersionsOfSchema(1, true)->size(), 2u);
}

TEST_F(RegistryTest, ConfigScopes) {
  EXPECT_EQ(registry_->GetGlobalConfig()->level, CompatibilityLevel::kBackward);
  EXPECT_EQ(registry_->GetGlobalConfig()->policy, CompatibilityPolicy::kConfluent);
  EXPECT_EQ(Code(registry_->GetSubjectConfig("s", false)), 40408);
  EXPECT_EQ(registry_->GetSubjectConfig("s", true)->level, CompatibilityLevel::kBackward);
  EXPECT_EQ(Code(registry_->DeleteSubjectConfig("s")), 40401);
  // A subject needs no versions to have a config (the npm client sets it right after its
  // first registration, but may do so before).
  auto set = registry_->SetSubjectConfig("s", {.level = CompatibilityLevel::kFullTransitive});
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->level, CompatibilityLevel::kFullTransitive);
  // Fields a PUT leaves out keep their value; the policy is inherited until set.
  ASSERT_TRUE(registry_->SetGlobalConfig({.policy = CompatibilityPolicy::kLenient}).ok());
  EXPECT_EQ(registry_->GetGlobalConfig()->level, CompatibilityLevel::kBackward);
  auto own = registry_->GetSubjectConfig("s", false);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(own->level, CompatibilityLevel::kFullTransitive);
  EXPECT_EQ(own->policy, CompatibilityPolicy::kLenient);
  ASSERT_TRUE(registry_->SetSubjectConfig("s", {.policy = CompatibilityPolicy::kConfluent}).ok());
  EXPECT_EQ(registry_->GetSubjectConfig("s", false)->level, CompatibilityLevel::kFullTransitive);
  EXPECT_EQ(registry_->GetSubjectConfig("s", false)->policy, CompatibilityPolicy::kConfluent);
  auto removed = registry_->DeleteSubjectConfig("s");
  ASSERT_TRUE(removed.ok());
  EXPECT_EQ(removed->level, CompatibilityLevel::kFullTransitive);
  EXPECT_EQ(Code(registry_->GetSubjectConfig("s", false)), 40408);
  EXPECT_EQ(Code(registry_->SetSubjectConfig("a\tb", {.level = CompatibilityLevel::kNone})), 42208);
}

TEST_F(RegistryTest, EverythingSurvivesARestart) {
  MustRegister("s", kV1);
  MustRegister("s", kV2);
  MustRegister("json", kJson, SchemaFormat::kJson);
  ASSERT_TRUE(registry_->DeleteVersion("s", VersionRef{1}, false).ok());
  ASSERT_TRUE(registry_->SetGlobalConfig({.level = CompatibilityLevel::kForward}).ok());
  ASSERT_TRUE(registry_
                  ->SetSubjectConfig("json", {.level = CompatibilityLevel::kNone,
                                              .policy = CompatibilityPolicy::kLenient})
                  .ok());
  // Close everything, the state store too, and open again.
  registry_.reset();
  state_.reset();
  auto state = events::StateStore::Open(dir_);
  ASSERT_TRUE(state.ok());
  state_ = std::move(state).value();
  Reopen();

  EXPECT_EQ(*registry_->ListSubjects({}), (std::vector<std::string>{"json", "s"}));
  EXPECT_EQ(*registry_->ListVersions("s", {}), (std::vector<int>{2}));
  EXPECT_EQ(*registry_->ListVersions("s", {.deleted = true}), (std::vector<int>{1, 2}));
  auto latest = registry_->GetVersion("s", {}, false);
  ASSERT_TRUE(latest.ok());
  EXPECT_EQ(latest->id, 2);
  EXPECT_EQ(latest->text, kV2);
  auto json = registry_->GetSchemaById(3);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->format, SchemaFormat::kJson);
  EXPECT_EQ(json->text, kJson);
  EXPECT_EQ(registry_->GetGlobalConfig()->level, CompatibilityLevel::kForward);
  auto json_config = registry_->GetSubjectConfig("json", false);
  ASSERT_TRUE(json_config.ok());
  EXPECT_EQ(json_config->level, CompatibilityLevel::kNone);
  EXPECT_EQ(json_config->policy, CompatibilityPolicy::kLenient);
  // Ids and versions continue where they were.
  Registration next = MustRegister("s", User(R"(,{"name":"z","type":"int","default":0})"));
  EXPECT_EQ(next.id, 4);
  EXPECT_EQ(next.version, 3);
}

TEST_F(RegistryTest, PublishesSchemaEvents) {
  MustRegister("s", kV1);
  MustRegister("s", kV1);  // nothing new: no event
  MustRegister("s", kV2);
  EXPECT_FALSE(registry_->Register("s", SchemaFormat::kAvro, kNoDefault).ok());
  ASSERT_TRUE(registry_->DeleteVersion("s", VersionRef{2}, false).ok());
  ASSERT_TRUE(registry_->DeleteSubject("s", false).ok());
  EXPECT_EQ(Topics(),
            (std::vector<std::string>{"schema.registered", "schema.evolved", "schema.incompatible",
                                      "schema.deleted", "schema.deleted"}));
  const events::Event& evolved = events_[1];
  EXPECT_EQ(std::get<std::string>(*evolved.Find("subject")), "s");
  EXPECT_EQ(std::get<int64_t>(*evolved.Find("version")), 2);
  EXPECT_EQ(std::get<int64_t>(*evolved.Find("id")), 2);
  EXPECT_EQ(events_[2].severity, events::Severity::kError);
  EXPECT_EQ(std::get<std::string>(*events_[2].Find("compatibility")), "BACKWARD");
  // After the subject was soft-deleted, its next version is a first live version again.
  MustRegister("s", kNoDefault);
  EXPECT_EQ(Topics().back(), "schema.registered");
}

TEST_F(RegistryTest, ConcurrentRegistrationsGetDistinctIdsAndVersions) {
  ASSERT_TRUE(registry_->SetGlobalConfig({.level = CompatibilityLevel::kNone}).ok());
  constexpr int kThreads = 4;
  constexpr int kPerThread = 10;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  std::vector<std::vector<Registration>> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string field = R"(,{"name":"f)" + std::to_string(t) + "_" + std::to_string(i) +
                            R"(","type":"int","default":0})";
        auto r = registry_->Register(i % 2 == 0 ? "even" : "odd", SchemaFormat::kAvro, User(field));
        if (r.ok()) results[t].push_back(*r);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<int64_t> ids;
  for (const auto& list : results) {
    EXPECT_EQ(list.size(), static_cast<size_t>(kPerThread));
    for (const Registration& r : list) ids.insert(r.id);
  }
  EXPECT_EQ(ids.size(), static_cast<size_t>(kThreads * kPerThread));
  // Versions 1..20 of each subject, none lost or doubled.
  std::vector<int> expected(kThreads * kPerThread / 2);
  std::iota(expected.begin(), expected.end(), 1);
  EXPECT_EQ(*registry_->ListVersions("even", {}), expected);
  EXPECT_EQ(*registry_->ListVersions("odd", {}), expected);
}

}  // namespace
}  // namespace assay::schema
