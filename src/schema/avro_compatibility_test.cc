#include "schema/avro_compatibility.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace assay::schema {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// BACKWARD: the new schema reads what the old one wrote; FORWARD: the old reads the new's data.
std::vector<std::string> Backward(const std::string& old_schema, const std::string& new_schema) {
  return AvroBackwardIncompatibilities(old_schema, new_schema);
}
std::vector<std::string> Forward(const std::string& old_schema, const std::string& new_schema) {
  return AvroBackwardIncompatibilities(new_schema, old_schema);
}

// The errorType of each Confluent-style message.
std::vector<std::string> ErrorTypes(const std::vector<std::string>& messages) {
  std::vector<std::string> types;
  for (const std::string& m : messages) {
    constexpr std::string_view kPrefix = "{errorType:'";
    if (m.rfind(kPrefix, 0) != 0) {
      types.push_back(m);
      continue;
    }
    types.push_back(m.substr(kPrefix.size(), m.find('\'', kPrefix.size()) - kPrefix.size()));
  }
  return types;
}

// The research's base record R1 with `fields`, renamed or moved when asked.
std::string User(const std::string& fields, const std::string& name = "User",
                 const std::string& space = "com.ex", const std::string& extra = "") {
  return R"({"type":"record","name":")" + name + R"(","namespace":")" + space + "\"" + extra +
         R"(,"fields":[)" + fields + "]}";
}

const std::string kId = R"({"name":"id","type":"int"})";
const std::string kName = R"({"name":"name","type":"string"})";

std::string Color(const std::string& symbols, const std::string& extra = "") {
  return R"({"name":"color","type":{"type":"enum","name":"Color","symbols":[)" + symbols + "]" +
         extra + "}}";
}

struct PairCase {
  std::string name;  // the row of docs/schema-registry.md
  std::string old_schema;
  std::string new_schema;
  std::string backward;  // errorType expected, or "" when compatible
  std::string forward;
  bool full;  // FULL is BACKWARD and FORWARD
};

std::vector<PairCase> Cases() {
  const std::string r1 = User(kId + "," + kName);
  const std::string nullable_name = R"({"name":"name","type":["null","string"],"default":null})";
  const std::string list = R"({"type":"record","name":"LinkedList","fields":[
      {"name":"value","type":"int"},{"name":"next","type":["null","LinkedList"],"default":null})";
  return {
      // The research's pairs A1-A29.
      {"A1_AddFieldWithoutDefault", r1,
       User(kId + "," + kName + R"(,{"name":"email","type":"string"})"),
       "READER_FIELD_MISSING_DEFAULT_VALUE", "", false},
      {"A2_AddNullableFieldWithNullDefault", r1,
       User(kId + "," + kName + R"(,{"name":"email","type":["null","string"],"default":null})"), "",
       "", true},
      {"A3_AddFieldWithDefault", r1,
       User(kId + "," + kName + R"(,{"name":"n","type":"int","default":0})"), "", "", true},
      {"A4_RemoveFieldWithoutDefault", r1, User(kId), "", "READER_FIELD_MISSING_DEFAULT_VALUE",
       false},
      {"A5_RemoveFieldWithDefault", User(kId + R"(,{"name":"name","type":"string","default":""})"),
       User(kId), "", "", true},
      {"A6_IntToLong", r1, User(R"({"name":"id","type":"long"},)" + kName), "", "TYPE_MISMATCH",
       false},
      {"A7_LongToInt", User(R"({"name":"id","type":"long"},)" + kName), r1, "TYPE_MISMATCH", "",
       false},
      {"A8_IntToFloat", r1, User(R"({"name":"id","type":"float"},)" + kName), "", "TYPE_MISMATCH",
       false},
      {"A8_IntToDouble", r1, User(R"({"name":"id","type":"double"},)" + kName), "", "TYPE_MISMATCH",
       false},
      {"A9_LongToDouble", User(R"({"name":"id","type":"long"},)" + kName),
       User(R"({"name":"id","type":"double"},)" + kName), "", "TYPE_MISMATCH", false},
      {"A10_StringToBytes", r1, User(kId + R"(,{"name":"name","type":"bytes"})"), "", "", true},
      {"A10_BytesToString", User(kId + R"(,{"name":"name","type":"bytes"})"), r1, "", "", true},
      {"A11_StringToNullableString", r1, User(kId + "," + nullable_name), "", "TYPE_MISMATCH",
       false},
      {"A12_NullableStringToString", User(kId + "," + nullable_name), r1, "TYPE_MISMATCH", "",
       false},
      {"A13_UnionAddsBranch", User(kId + "," + nullable_name),
       User(kId + R"(,{"name":"name","type":["null","string","int"],"default":null})"), "",
       "MISSING_UNION_BRANCH", false},
      {"A14_EnumAddsSymbol", User(kId + "," + kName + "," + Color(R"("RED","GREEN")")),
       User(kId + "," + kName + "," + Color(R"("RED","GREEN","BLUE")")), "", "MISSING_ENUM_SYMBOLS",
       false},
      {"A15_EnumAddsSymbolOldHasDefault",
       User(kId + "," + kName + "," + Color(R"("RED","GREEN")", R"(,"default":"RED")")),
       User(kId + "," + kName + "," + Color(R"("RED","GREEN","BLUE")", R"(,"default":"RED")")), "",
       "", true},
      {"A16_EnumRemovesSymbol", User(kId + "," + kName + "," + Color(R"("RED","GREEN","BLUE")")),
       User(kId + "," + kName + "," + Color(R"("RED","GREEN")")), "MISSING_ENUM_SYMBOLS", "",
       false},
      {"A17_EnumRemovesSymbolNewHasDefault",
       User(kId + "," + kName + "," + Color(R"("RED","GREEN","BLUE")")),
       User(kId + "," + kName + "," + Color(R"("RED","GREEN")", R"(,"default":"RED")")), "", "",
       true},
      {"A18_RecordRenamed", r1, User(kId + "," + kName, "Person"), "NAME_MISMATCH", "NAME_MISMATCH",
       false},
      {"A19_RecordRenamedWithAlias", r1,
       User(kId + "," + kName, "Person", "com.ex", R"(,"aliases":["com.ex.User"])"), "",
       "NAME_MISMATCH", false},
      {"A20_NamespaceChanged", r1, User(kId + "," + kName, "User", "org.ex"), "", "", true},
      {"A21_FieldRenamedWithAlias", r1,
       User(kId + R"(,{"name":"fullName","type":"string","aliases":["name"]})"), "",
       "READER_FIELD_MISSING_DEFAULT_VALUE", false},
      {"A22_FieldRenamedWithoutAlias", r1, User(kId + R"(,{"name":"fullName","type":"string"})"),
       "READER_FIELD_MISSING_DEFAULT_VALUE", "READER_FIELD_MISSING_DEFAULT_VALUE", false},
      {"A23_FixedSizeChanged",
       User(kId + "," + kName +
            R"(,{"name":"hash","type":{"type":"fixed","name":"Md5","size":16}})"),
       User(kId + "," + kName +
            R"(,{"name":"hash","type":{"type":"fixed","name":"Md5","size":8}})"),
       "FIXED_SIZE_MISMATCH", "FIXED_SIZE_MISMATCH", false},
      {"A24_ArrayItemsIntToLong",
       User(kId + "," + kName + R"(,{"name":"xs","type":{"type":"array","items":"int"}})"),
       User(kId + "," + kName + R"(,{"name":"xs","type":{"type":"array","items":"long"}})"), "",
       "TYPE_MISMATCH", false},
      {"A25_MapValuesStringToBytes",
       User(kId + "," + kName + R"(,{"name":"m","type":{"type":"map","values":"string"}})"),
       User(kId + "," + kName + R"(,{"name":"m","type":{"type":"map","values":"bytes"}})"), "", "",
       true},
      {"A26_IntToString", r1, User(R"({"name":"id","type":"string"},)" + kName), "TYPE_MISMATCH",
       "TYPE_MISMATCH", false},
      {"A27_DocAdded", r1,
       User(R"({"name":"id","type":"int","doc":"the key"},)" + kName, "User", "com.ex",
            R"(,"doc":"a user")"),
       "", "", true},
      {"A27_FieldsReordered", r1, User(kName + "," + kId), "", "", true},
      {"A28_LogicalTypeAdded", r1,
       User(R"({"name":"id","type":{"type":"int","logicalType":"date"}},)" + kName), "", "", true},
      {"A29_TopLevelStringToInt", R"("string")", R"("int")", "TYPE_MISMATCH", "TYPE_MISMATCH",
       false},

      // Further rules, so that every rule and every incompatibility type has a row.
      {"LongToFloat", R"("long")", R"("float")", "", "TYPE_MISMATCH", false},
      {"FloatToDouble", R"("float")", R"("double")", "", "TYPE_MISMATCH", false},
      {"BooleanToInt", R"("boolean")", R"("int")", "TYPE_MISMATCH", "TYPE_MISMATCH", false},
      {"NullToNullableInt", R"("null")", R"(["null","int"])", "", "TYPE_MISMATCH", false},
      {"FieldIntToUnionWithoutInt", r1,
       User(R"({"name":"id","type":["null","string"],"default":null},)" + kName),
       "MISSING_UNION_BRANCH", "TYPE_MISMATCH", false},
      {"UnionRemovesBranch",
       User(kId + R"(,{"name":"name","type":["null","string","int"],"default":null})"),
       User(kId + "," + nullable_name), "MISSING_UNION_BRANCH", "", false},
      {"UnionBranchRecordRenamed", R"(["null",{"type":"record","name":"A","fields":[]}])",
       R"(["null",{"type":"record","name":"B","fields":[]}])", "MISSING_UNION_BRANCH",
       "MISSING_UNION_BRANCH", false},
      {"EnumRenamed", R"({"type":"enum","name":"E","symbols":["A"]})",
       R"({"type":"enum","name":"F","symbols":["A"]})", "NAME_MISMATCH", "NAME_MISMATCH", false},
      {"EnumRenamedWithAlias", R"({"type":"enum","name":"E","symbols":["A"]})",
       R"({"type":"enum","name":"F","aliases":["E"],"symbols":["A"]})", "", "NAME_MISMATCH", false},
      {"FixedRenamed", R"({"type":"fixed","name":"a.F","size":4})",
       R"({"type":"fixed","name":"a.G","size":4})", "NAME_MISMATCH", "NAME_MISMATCH", false},
      {"EnumToString", R"({"type":"enum","name":"E","symbols":["A"]})", R"("string")",
       "TYPE_MISMATCH", "TYPE_MISMATCH", false},
      {"FixedToBytes", R"({"type":"fixed","name":"F","size":4})", R"("bytes")", "TYPE_MISMATCH",
       "TYPE_MISMATCH", false},
      {"ArrayToMap", R"({"type":"array","items":"int"})", R"({"type":"map","values":"int"})",
       "TYPE_MISMATCH", "TYPE_MISMATCH", false},
      {"NestedRecordAddsFieldWithoutDefault",
       User(kId + R"(,{"name":"addr","type":{"type":"record","name":"Addr","fields":[
           {"name":"city","type":"string"}]}})"),
       User(kId + R"(,{"name":"addr","type":{"type":"record","name":"Addr","fields":[
           {"name":"city","type":"string"},{"name":"zip","type":"string"}]}})"),
       "READER_FIELD_MISSING_DEFAULT_VALUE", "", false},
      {"RecursiveListUnchanged", list + "]}", list + "]}", "", "", true},
      {"RecursiveListAddsFieldWithoutDefault", list + "]}",
       list + R"(,{"name":"label","type":"string"}]})", "READER_FIELD_MISSING_DEFAULT_VALUE", "",
       false},
      {"RecursiveListAddsFieldWithDefault", list + "]}",
       list + R"(,{"name":"label","type":"string","default":""}]})", "", "", true},
      {"AddEnumFieldWithEnumDefaultOnly", r1,
       User(kId + "," + kName +
            R"(,{"name":"c","type":{"type":"enum","name":"C","symbols":["A"],"default":"A"}})"),
       "TYPE_MISMATCH", "", false},
  };
}

class AvroPair : public ::testing::TestWithParam<PairCase> {};

TEST_P(AvroPair, VerdictsForEachLevel) {
  const PairCase& c = GetParam();
  const std::vector<std::string> backward = Backward(c.old_schema, c.new_schema);
  const std::vector<std::string> forward = Forward(c.old_schema, c.new_schema);
  if (c.backward.empty()) {
    EXPECT_THAT(backward, IsEmpty()) << "BACKWARD";
  } else {
    EXPECT_THAT(ErrorTypes(backward), Contains(c.backward)) << "BACKWARD";
  }
  if (c.forward.empty()) {
    EXPECT_THAT(forward, IsEmpty()) << "FORWARD";
  } else {
    EXPECT_THAT(ErrorTypes(forward), Contains(c.forward)) << "FORWARD";
  }
  EXPECT_EQ(c.full, c.backward.empty() && c.forward.empty()) << "the row contradicts itself";
  EXPECT_EQ(c.full, backward.empty() && forward.empty()) << "FULL";
}

INSTANTIATE_TEST_SUITE_P(Rules, AvroPair, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<PairCase>& info) {
                           return info.param.name;
                         });

// ---------------------------------------------------------------------------------------------
// Messages: Confluent's text, Avro's additionalInfo and JSON-pointer locations.

const std::string kR1 = User(kId + "," + kName);

TEST(AvroCompatibilityMessage, MissingDefaultIsConfluentsText) {
  EXPECT_THAT(Backward(kR1, User(kId + "," + kName + R"(,{"name":"email","type":"string"})")),
              ElementsAre("{errorType:'READER_FIELD_MISSING_DEFAULT_VALUE', description:'The "
                          "field 'email' at path '/fields/2' in the new schema has no default "
                          "value and is missing in the old schema', additionalInfo:'email'}"));
}

TEST(AvroCompatibilityMessage, TypeMismatchNamesJavaTypes) {
  EXPECT_THAT(Backward(User(R"({"name":"id","type":"long"},)" + kName), kR1),
              ElementsAre("{errorType:'TYPE_MISMATCH', description:'The type (path "
                          "'/fields/0/type') of a field in the new schema does not match with the "
                          "old schema', additionalInfo:'reader type: INT not compatible with "
                          "writer type: LONG'}"));
}

TEST(AvroCompatibilityMessage, NameMismatch) {
  EXPECT_THAT(Backward(kR1, User(kId + "," + kName, "Person")),
              ElementsAre("{errorType:'NAME_MISMATCH', description:'The name of the schema has "
                          "changed (path '/name')', additionalInfo:'expected: com.ex.User'}"));
}

TEST(AvroCompatibilityMessage, FixedSizeMismatch) {
  const std::string f16 = R"({"type":"fixed","name":"Md5","size":16})";
  const std::string f8 = R"({"type":"fixed","name":"Md5","size":8})";
  EXPECT_THAT(Backward(f16, f8),
              ElementsAre("{errorType:'FIXED_SIZE_MISMATCH', description:'The size of FIXED type "
                          "field at path '/size' in the new schema does not match with the old "
                          "schema', additionalInfo:'expected: 16, found: 8'}"));
}

TEST(AvroCompatibilityMessage, MissingEnumSymbolsAreSorted) {
  const std::string old_enum = R"({"type":"enum","name":"E","symbols":["A","D","C","B"]})";
  const std::string new_enum = R"({"type":"enum","name":"E","symbols":["A"]})";
  EXPECT_THAT(Backward(old_enum, new_enum),
              ElementsAre("{errorType:'MISSING_ENUM_SYMBOLS', description:'The new schema is "
                          "missing enum symbols '[B, C, D]' at path '/symbols' in the old "
                          "schema', additionalInfo:'[B, C, D]'}"));
}

TEST(AvroCompatibilityMessage, MissingUnionBranchInWriterUnionNamesTheBranch) {
  const std::string two = User(kId + R"(,{"name":"name","type":["null","string"]})");
  const std::string three = User(kId + R"(,{"name":"name","type":["null","string","int"]})");
  EXPECT_THAT(Backward(three, two),
              ElementsAre("{errorType:'MISSING_UNION_BRANCH', description:'The new schema is "
                          "missing a type inside a union field at path '/fields/1/type/2' in the "
                          "old schema', additionalInfo:'reader union lacking writer type: INT'}"));
}

TEST(AvroCompatibilityMessage, MissingUnionBranchForAWriterType) {
  EXPECT_THAT(Backward(R"("int")", R"(["null","string"])"),
              ElementsAre(HasSubstr("additionalInfo:'reader union lacking writer type: INT'")));
}

TEST(AvroCompatibilityMessage, WriterUnionBranchesAreCheckedFromAFreshRoot) {
  // Java compares each writer-union branch from a new root, so the path is "/" (A11 FORWARD).
  const std::vector<std::string> found =
      Forward(kR1, User(kId + R"(,{"name":"name","type":["null","string"],"default":null})"));
  EXPECT_THAT(found,
              ElementsAre(AllOf(HasSubstr("errorType:'TYPE_MISMATCH'"), HasSubstr("(path '/')"),
                                HasSubstr("reader type: STRING not compatible with writer "
                                          "type: NULL"))));
}

TEST(AvroCompatibilityMessage, NestedPaths) {
  EXPECT_THAT(Forward(User(kId + R"(,{"name":"xs","type":{"type":"array","items":"int"}})"),
                      User(kId + R"(,{"name":"xs","type":{"type":"array","items":"long"}})")),
              ElementsAre(HasSubstr("(path '/fields/1/type/items')")));
  EXPECT_THAT(Forward(User(kId + R"(,{"name":"m","type":{"type":"map","values":"int"}})"),
                      User(kId + R"(,{"name":"m","type":{"type":"map","values":"string"}})")),
              ElementsAre(HasSubstr("(path '/fields/1/type/values')")));
  EXPECT_THAT(Backward(User(kId + R"(,{"name":"a","type":{"type":"record","name":"A","fields":[
                            {"name":"x","type":"int"}]}})"),
                       User(kId + R"(,{"name":"a","type":{"type":"record","name":"A","fields":[
                            {"name":"x","type":"int"},{"name":"y","type":"int"}]}})")),
              ElementsAre(HasSubstr("at path '/fields/1/type/fields/1'")));
}

TEST(AvroCompatibilityMessage, EveryIncompatibilityIsReported) {
  // Three independent problems, in reader-field order.
  const std::string old_schema = User(R"({"name":"id","type":"long"},{"name":"b","type":"int"})");
  const std::string new_schema =
      User(R"({"name":"id","type":"int"},{"name":"b","type":"string"},{"name":"c","type":"int"})");
  EXPECT_THAT(ErrorTypes(Backward(old_schema, new_schema)),
              ElementsAre("TYPE_MISMATCH", "TYPE_MISMATCH", "READER_FIELD_MISSING_DEFAULT_VALUE"));
}

TEST(AvroCompatibilityMessage, EnumDefaultOnlyFieldIsComparedWithTheWriterRecord) {
  // Java: a new field without a default whose enum type has a default is compared with the
  // writer record itself, a TYPE_MISMATCH at the field's type.
  EXPECT_THAT(Backward(kR1, User(kId + "," + kName +
                                 R"(,{"name":"c","type":{"type":"enum","name":"C",
                                     "symbols":["A"],"default":"A"}})")),
              ElementsAre(AllOf(HasSubstr("(path '/fields/2/type')"),
                                HasSubstr("reader type: ENUM not compatible with writer type: "
                                          "RECORD"))));
}

TEST(AvroCompatibilityMessage, NamedTypeMetTwiceReportsItsFirstLocation) {
  // Results are memoized per pair of named types, as in Java: both fields share one finding.
  const std::string old_schema = User(R"({"name":"a","type":{"type":"enum","name":"E",
      "symbols":["X","Y"]}},{"name":"b","type":"E"})");
  const std::string new_schema = User(R"({"name":"a","type":{"type":"enum","name":"E",
      "symbols":["X"]}},{"name":"b","type":"E"})");
  const std::vector<std::string> found = Backward(old_schema, new_schema);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_THAT(found, Each(HasSubstr("at path '/fields/0/type/symbols'")));
}

TEST(AvroCompatibilityMessage, FieldMatchingTwoWriterFieldsIsAnError) {
  const std::string old_schema = User(R"({"name":"a","type":"int"},{"name":"b","type":"int"})");
  const std::string new_schema = User(R"({"name":"a","type":"int","aliases":["b"]})");
  EXPECT_THAT(Backward(old_schema, new_schema),
              ElementsAre(StartsWith("Unexpected exception during compatibility check: Reader "
                                     "record field a matches multiple fields")));
}

TEST(AvroCompatibilityMessage, InvalidSchemaIsNeverCompatible) {
  EXPECT_THAT(Backward(kR1, "{not json"), ElementsAre(StartsWith("Invalid schema: ")));
  EXPECT_THAT(Backward(R"({"type":"enum","name":"E","symbols":[]})", kR1),
              ElementsAre(StartsWith("Invalid schema: ")));
}

// ---------------------------------------------------------------------------------------------
// Name matching, aliases, recursion.

TEST(AvroCompatibilityNames, ReaderAliasMustBeTheWritersFullName) {
  const std::string writer = R"({"type":"fixed","name":"a.F","size":4})";
  EXPECT_THAT(Backward(writer, R"({"type":"fixed","name":"b.G","aliases":["a.F"],"size":4})"),
              IsEmpty());
  // An unqualified alias is in the reader's namespace: b.F is not a.F.
  EXPECT_THAT(
      ErrorTypes(Backward(writer, R"({"type":"fixed","name":"b.G","aliases":["F"],"size":4})")),
      ElementsAre("NAME_MISMATCH"));
  // Unqualified names are compared: only the namespace differs.
  EXPECT_THAT(Backward(writer, R"({"type":"fixed","name":"b.F","size":4})"), IsEmpty());
}

TEST(AvroCompatibilityNames, WriterAliasesDoNotCount) {
  EXPECT_THAT(ErrorTypes(Backward(R"({"type":"enum","name":"E","aliases":["F"],"symbols":["A"]})",
                                  R"({"type":"enum","name":"F","symbols":["A"]})")),
              ElementsAre("NAME_MISMATCH"));
}

TEST(AvroCompatibilityRecursion, MutuallyRecursiveTypesTerminate) {
  const std::string tree = R"({"type":"record","name":"Tree","fields":[
      {"name":"children","type":{"type":"array","items":{"type":"record","name":"Node","fields":[
          {"name":"tree","type":"Tree"},{"name":"weight","type":"int"}]}}}]})";
  const std::string wider = R"({"type":"record","name":"Tree","fields":[
      {"name":"children","type":{"type":"array","items":{"type":"record","name":"Node","fields":[
          {"name":"tree","type":"Tree"},{"name":"weight","type":"long"}]}}}]})";
  EXPECT_THAT(Backward(tree, tree), IsEmpty());
  EXPECT_THAT(Backward(tree, wider), IsEmpty());
  EXPECT_THAT(ErrorTypes(Forward(tree, wider)), ElementsAre("TYPE_MISMATCH"));
}

TEST(AvroCompatibilityRecursion, RecursiveReaderAgainstFlatWriter) {
  const std::string flat = R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"}]})";
  const std::string recursive = R"({"type":"record","name":"L","fields":[
      {"name":"v","type":"int"},{"name":"next","type":["null","L"],"default":null}]})";
  EXPECT_THAT(Backward(flat, recursive), IsEmpty());
  EXPECT_THAT(Forward(flat, recursive), IsEmpty());
}

// ---------------------------------------------------------------------------------------------
// The transitive example of the research, pair by pair (the dispatcher chains the pairs).

TEST(AvroCompatibilityTransitive, ReAddedFieldWithAnotherType) {
  const std::string v1 = R"({"type":"record","name":"T","fields":[{"name":"a","type":"int"}]})";
  const std::string v2 = R"({"type":"record","name":"T","fields":[]})";
  const std::string v3 = R"({"type":"record","name":"T","fields":[{"name":"a","type":"string"}]})";
  const std::string v3_default =
      R"({"type":"record","name":"T","fields":[{"name":"a","type":"string","default":""}]})";
  EXPECT_THAT(Backward(v1, v2), IsEmpty());
  EXPECT_THAT(ErrorTypes(Backward(v2, v3)), ElementsAre("READER_FIELD_MISSING_DEFAULT_VALUE"));
  EXPECT_THAT(Backward(v2, v3_default), IsEmpty());  // BACKWARD accepts v3 after v2
  // BACKWARD_TRANSITIVE also checks v3 against v1: string cannot read int.
  EXPECT_THAT(ErrorTypes(Backward(v1, v3_default)), ElementsAre("TYPE_MISMATCH"));
}

// ---------------------------------------------------------------------------------------------
// Robustness and size.

TEST(AvroCompatibilityRobustness, DeepNesting) {
  auto nested = [](const char* leaf) {
    std::string text;
    for (int i = 0; i < 450; ++i) text += R"({"type":"array","items":)";
    return text + "\"" + leaf + "\"" + std::string(450, '}');
  };
  EXPECT_THAT(Backward(nested("int"), nested("long")), IsEmpty());
  EXPECT_THAT(ErrorTypes(Forward(nested("int"), nested("long"))), ElementsAre("TYPE_MISMATCH"));
}

// A ring of `length` records, each holding the next: R0 -> R1 -> ... -> R0.
std::string Ring(int length) {
  std::string text;
  for (int i = 0; i < length; ++i) {
    text += R"({"type":"record","name":"R)" + std::to_string(i) +
            R"(","fields":[{"name":"next","type":)";
  }
  text += R"("R0")";
  for (int i = 0; i < length; ++i) text += "}]}";
  return text;
}

TEST(AvroCompatibilityRobustness, RingsOfCoprimeLengthsStopAtTheDepthBound) {
  // Comparing rings of 120 and 119 records visits 14280 distinct pairs before one repeats: far
  // deeper than a stack should go. The check gives up with one message instead.
  EXPECT_THAT(Backward(Ring(120), Ring(120)), IsEmpty());
  EXPECT_THAT(Backward(Ring(119), Ring(120)),
              ElementsAre(StartsWith("Unexpected exception during compatibility check: schemas "
                                     "nest more than")));
}

TEST(AvroCompatibilityRobustness, LongRecursionWithAFindingAtEveryLevelIsFast) {
  // Rings of 31 and 29 records: 899 nested comparisons, each a NAME_MISMATCH (R0 reads R1, ...).
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> found = Backward(Ring(29), Ring(31));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(found.size(), 100u);  // at most 100 messages
  EXPECT_THAT(ErrorTypes(found), Each(std::string("NAME_MISMATCH")));
}

TEST(AvroCompatibilityRobustness, SharedTypesDoNotMultiplyFindings) {
  // T0 has two fields of type T1, T1 two of T2, ..., T29 two of enum E: Java's list would repeat
  // E's finding 2^30 times. The check stays linear and lists at most 100.
  auto chain = [](const char* symbols) {
    std::string text;
    for (int i = 0; i < 30; ++i) {
      text += R"({"type":"record","name":"T)" + std::to_string(i) +
              R"(","fields":[{"name":"a","type":)";
    }
    text += R"({"type":"enum","name":"E","symbols":[)" + std::string(symbols) +
            R"(]}},{"name":"b","type":"E"}]})";
    for (int i = 29; i > 0; --i)
      text += R"(},{"name":"b","type":"T)" + std::to_string(i) + R"("}]})";
    return text;
  };
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> found = Backward(chain(R"("A","B")"), chain(R"("A")"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_EQ(found.size(), 100u);
  EXPECT_THAT(ErrorTypes(found), Each(std::string("MISSING_ENUM_SYMBOLS")));
}

TEST(AvroCompatibilityRobustness, TenThousandSymbolEnum) {
  std::string all;
  std::string half;
  for (int i = 0; i < 10000; ++i) {
    const std::string symbol = "\"S" + std::to_string(i) + "\"";
    all += (i ? "," : "") + symbol;
    if (i < 5000) half += (i ? "," : "") + symbol;
  }
  const std::string big = R"({"type":"enum","name":"Big","symbols":[)" + all + "]}";
  const std::string small = R"({"type":"enum","name":"Big","symbols":[)" + half + "]}";
  EXPECT_THAT(Backward(small, big), IsEmpty());
  const std::vector<std::string> found = Backward(big, small);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_THAT(found[0], HasSubstr("'[S5000, S5001, "));
}

TEST(AvroCompatibilityRobustness, TenThousandFields) {
  std::string fields;
  for (int i = 0; i < 10000; ++i) {
    fields +=
        (i ? "," : "") + std::string(R"({"name":"f)") + std::to_string(i) + R"(","type":"int"})";
  }
  const std::string wide = R"({"type":"record","name":"W","fields":[)" + fields + "]}";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(Backward(wide, wide), IsEmpty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(AvroCompatibilityCanonical, IdenticalSchemasShareAKey) {
  Result<std::string> a = CanonicalAvroSchema(kR1);
  Result<std::string> b = CanonicalAvroSchema(R"({ "namespace" : "com.ex", "name" : "User",
      "type" : "record", "fields" : [ { "type" : "int", "name" : "id" },
                                      { "name" : "name", "type" : { "type" : "string" } } ] })");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(*a, R"({"name":"com.ex.User","type":"record","fields":[{"name":"id","type":"int"},)"
                R"({"name":"name","type":"string"}]})");
}

}  // namespace
}  // namespace assay::schema
