#include "schema/avro_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <random>
#include <string>

#include "schema/avro_compatibility.h"

namespace assay::schema {
namespace {

using ::testing::HasSubstr;

Result<AvroSchema> Parse(std::string_view text) { return AvroSchema::Parse(text); }

std::string Pcf(std::string_view text) {
  Result<AvroSchema> s = Parse(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? s->ParsingCanonicalForm() : "";
}

std::string Key(std::string_view text) {
  Result<std::string> key = CanonicalAvroSchema(text);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  return key.ok() ? *key : "";
}

// ---------------------------------------------------------------------------------------------
// Valid schemas and the model they give.

TEST(AvroSchema, PrimitivesInBothForms) {
  for (std::string_view name :
       {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}) {
    Result<AvroSchema> plain = Parse("\"" + std::string(name) + "\"");
    ASSERT_TRUE(plain.ok()) << name << ": " << plain.status().ToString();
    EXPECT_EQ(AvroTypeName(plain->root().type), name);
    Result<AvroSchema> object = Parse(R"({"type":")" + std::string(name) + "\"}");
    ASSERT_TRUE(object.ok()) << name;
    EXPECT_EQ(object->root().type, plain->root().type);
  }
}

TEST(AvroSchema, RecordModel) {
  Result<AvroSchema> s = Parse(R"({"type":"record","name":"User","namespace":"com.ex",
      "aliases":["Person","org.old.User"],"doc":"a user",
      "fields":[{"name":"id","type":"long","order":"descending","aliases":["uid"]},
                {"name":"tags","type":{"type":"array","items":"string"},"default":[]},
                {"name":"attrs","type":{"type":"map","values":"int"},"default":{"a":1}},
                {"name":"email","type":["null","string"],"default":null}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const AvroNode& root = s->root();
  EXPECT_EQ(root.type, AvroType::kRecord);
  EXPECT_EQ(root.name, "User");
  EXPECT_EQ(root.space, "com.ex");
  EXPECT_EQ(root.full_name, "com.ex.User");
  EXPECT_EQ(root.aliases, (std::vector<std::string>{"com.ex.Person", "org.old.User"}));
  EXPECT_EQ(root.doc, "a user");
  ASSERT_EQ(root.fields.size(), 4u);
  EXPECT_EQ(root.fields[0].order, "descending");
  EXPECT_EQ(root.fields[0].aliases, std::vector<std::string>{"uid"});
  EXPECT_FALSE(root.fields[0].default_value.has_value());
  EXPECT_EQ(root.fields[1].type->type, AvroType::kArray);
  EXPECT_EQ(root.fields[1].type->items->type, AvroType::kString);
  EXPECT_EQ(root.fields[2].type->values->type, AvroType::kInt);
  EXPECT_EQ(root.fields[3].type->type, AvroType::kUnion);
  ASSERT_TRUE(root.fields[3].default_value.has_value());
  EXPECT_TRUE(root.fields[3].default_value->is_null());  // a null default is a default
  EXPECT_EQ(root.FindField("email"), &root.fields[3]);
  EXPECT_EQ(root.FindField("uid"), nullptr);  // aliases are not names
}

TEST(AvroSchema, ErrorIsARecord) {
  Result<AvroSchema> s = Parse(R"({"type":"error","name":"Oops","fields":[]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().type, AvroType::kRecord);
  EXPECT_TRUE(s->root().is_error);
}

TEST(AvroSchema, EnumAndFixedModel) {
  Result<AvroSchema> s = Parse(R"({"type":"record","name":"R","fields":[
      {"name":"c","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"],"default":"RED"}},
      {"name":"h","type":{"type":"fixed","name":"Md5","size":16}}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const AvroNode& color = *s->root().fields[0].type;
  EXPECT_EQ(color.symbols, (std::vector<std::string>{"RED", "GREEN"}));
  EXPECT_EQ(color.enum_default, "RED");
  EXPECT_EQ(s->root().fields[1].type->size, 16);
}

TEST(AvroSchema, LogicalTypeIsKeptAsAProperty) {
  Result<AvroSchema> s =
      Parse(R"({"type":"bytes","logicalType":"decimal","precision":9,"scale":2})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().LogicalType(), "decimal");
  EXPECT_EQ(s->root().properties["precision"], 9);
}

TEST(AvroSchema, NestedTypesInheritTheEnclosingNamespace) {
  Result<AvroSchema> s = Parse(R"({"type":"record","name":"Outer","namespace":"a.b","fields":[
      {"name":"in","type":{"type":"record","name":"Inner","fields":[]}},
      {"name":"same","type":"Inner"},
      {"name":"full","type":"a.b.Inner"},
      {"name":"other","type":{"type":"enum","name":"E","namespace":"x.y","symbols":["A"]}},
      {"name":"other_ref","type":"x.y.E"},
      {"name":"dotted","type":{"type":"fixed","name":"p.q.F","namespace":"ignored","size":1}},
      {"name":"dotted_ref","type":"p.q.F"}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const AvroNode& root = s->root();
  EXPECT_EQ(root.fields[0].type->full_name, "a.b.Inner");
  EXPECT_EQ(root.fields[1].type, root.fields[0].type);  // one node per named type
  EXPECT_EQ(root.fields[2].type, root.fields[0].type);
  EXPECT_EQ(root.fields[3].type->full_name, "x.y.E");
  EXPECT_EQ(root.fields[4].type, root.fields[3].type);
  EXPECT_EQ(root.fields[5].type->full_name, "p.q.F");  // a dotted name wins over "namespace"
  EXPECT_EQ(root.fields[6].type, root.fields[5].type);
}

TEST(AvroSchema, UnqualifiedReferenceFallsBackToTheNullNamespace) {
  Result<AvroSchema> s = Parse(R"({"type":"record","name":"R","fields":[
      {"name":"a","type":{"type":"fixed","name":"F","size":4}},
      {"name":"b","type":{"type":"record","name":"In","namespace":"n","fields":[
          {"name":"f","type":"F"}]}}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().fields[1].type->fields[0].type, s->root().fields[0].type);
}

TEST(AvroSchema, EmptyNamespaceMeansTheNullNamespace) {
  Result<AvroSchema> s = Parse(R"({"type":"record","name":"R","namespace":"a","fields":[
      {"name":"x","type":{"type":"enum","name":"E","namespace":"","symbols":["A"]}}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().fields[0].type->full_name, "E");
}

TEST(AvroSchema, RecursiveRecordIsACycle) {
  Result<AvroSchema> s = Parse(R"({"type":"record","name":"LinkedList","fields":[
      {"name":"value","type":"int"},
      {"name":"next","type":["null","LinkedList"],"default":null}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().fields[1].type->branches[1], &s->root());
}

TEST(AvroSchema, ObjectFormReferenceToANamedType) {
  Result<AvroSchema> s = Parse(R"({"type":"record","name":"Node","fields":[
      {"name":"children","type":{"type":"array","items":{"type":"Node"}}}]})");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().fields[0].type->items, &s->root());
}

TEST(AvroSchema, DefaultsThatMatch) {
  // Each of these is valid: the default's JSON matches the type (for a union, the first branch).
  for (std::string_view field : {
           R"({"name":"f","type":"int","default":-2147483648})",
           R"({"name":"f","type":"long","default":9223372036854775807})",
           R"({"name":"f","type":"float","default":1})",
           R"({"name":"f","type":"double","default":1.5})",
           R"({"name":"f","type":"boolean","default":false})",
           R"({"name":"f","type":"bytes","default":"\u00ff"})",
           R"({"name":"f","type":"string","default":""})",
           R"({"name":"f","type":"null","default":null})",
           R"({"name":"f","type":["string","null"],"default":"x"})",
           R"({"name":"f","type":{"type":"fixed","name":"F","size":2},"default":"ab"})",
           R"({"name":"f","type":{"type":"enum","name":"E","symbols":["A","B"]},"default":"B"})",
           R"({"name":"f","type":{"type":"array","items":"int"},"default":[1,2]})",
           R"({"name":"f","type":{"type":"map","values":"long"},"default":{"a":1}})",
           R"({"name":"f","type":{"type":"record","name":"P","fields":[{"name":"x","type":"int"},
               {"name":"y","type":"int","default":0}]},"default":{"x":1}})",
       }) {
    const std::string schema =
        R"({"type":"record","name":"R","fields":[)" + std::string(field) + "]}";
    Result<AvroSchema> s = Parse(schema);
    EXPECT_TRUE(s.ok()) << field << ": " << s.status().ToString();
  }
}

// ---------------------------------------------------------------------------------------------
// Validity rules: one invalid schema per rule; the message names the JSON path (or line and
// column for JSON syntax).

struct InvalidCase {
  const char* rule;
  const char* schema;
  const char* where;  // a substring of the message: the path of the offending node
};

class AvroInvalidSchema : public ::testing::TestWithParam<InvalidCase> {};

TEST_P(AvroInvalidSchema, IsRejectedWithItsPath) {
  const InvalidCase& c = GetParam();
  Result<AvroSchema> s = Parse(c.schema);
  ASSERT_FALSE(s.ok()) << c.rule << " accepted: " << c.schema;
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr(c.where)) << c.rule;
  // The registry entry point rejects it the same way.
  Result<std::string> key = CanonicalAvroSchema(c.schema);
  ASSERT_FALSE(key.ok());
  EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
}

constexpr InvalidCase kInvalidCases[] = {
    {"JsonSyntaxError", "{\"type\": \"record\",\n \"name\": }", "line 2, column"},
    {"JsonTrailingGarbage", "\"int\" x", "line 1, column"},
    {"JsonNumberOutOfRange", R"({"type":"fixed","name":"F","size":1e999})", "invalid JSON"},
    {"EmptyText", "", "line 1, column 1"},
    {"NotASchema", "42", "at /:"},
    {"ObjectWithoutType", R"({"name":"x"})", "at /: missing \"type\""},
    {"TypeNotAString", R"({"type":{"type":"int"}})", "at /type:"},
    {"UndefinedName", R"({"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]})",
     "at /fields/0/type: undefined type name \"Missing\""},
    {"UndefinedNameInNamespace",
     R"({"type":"record","name":"R","namespace":"n","fields":[{"name":"a","type":"Missing"}]})",
     "undefined type name \"n.Missing\""},
    {"ForwardReference", R"({"type":"record","name":"R","fields":[{"name":"a","type":"E"},
        {"name":"b","type":{"type":"enum","name":"E","symbols":["A"]}}]})",
     "at /fields/0/type"},
    {"UndefinedObjectReference", R"({"type":"array","items":{"type":"Nope"}})", "at /items/type"},
    {"ComplexTypeNameAsString", R"({"type":"array","items":"record"})", "at /items:"},
    {"RedefinedName", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":{"type":"fixed","name":"F","size":1}},
        {"name":"b","type":{"type":"enum","name":"F","symbols":["A"]}}]})",
     "at /fields/1/type/name: type \"F\" is already defined at /fields/0/type"},
    {"RedefinedRecordItself", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":{"type":"record","name":"R","fields":[]}}]})",
     "at /fields/0/type/name"},
    {"RecordWithoutName", R"({"type":"record","fields":[]})", "at /: a record needs a \"name\""},
    {"NameNotAString", R"({"type":"record","name":7,"fields":[]})", "at /name:"},
    {"InvalidName", R"({"type":"record","name":"1User","fields":[]})", "at /name: invalid name"},
    {"InvalidNameCharacter", R"({"type":"enum","name":"my-enum","symbols":["A"]})", "at /name"},
    {"InvalidNamespace", R"({"type":"record","name":"R","namespace":"com..ex","fields":[]})",
     "at /namespace: invalid namespace"},
    {"InvalidNamespaceInDottedName", R"({"type":"record","name":"com.9x.R","fields":[]})",
     "at /name: invalid namespace"},
    {"PrimitiveNameRedefined", R"({"type":"fixed","name":"int","size":4})", "at /name:"},
    {"RecordWithoutFields", R"({"type":"record","name":"R"})", "at /: a record needs \"fields\""},
    {"FieldsNotAnArray", R"({"type":"record","name":"R","fields":{}})", "at /fields:"},
    {"FieldNotAnObject", R"({"type":"record","name":"R","fields":["int"]})", "at /fields/0:"},
    {"FieldWithoutName", R"({"type":"record","name":"R","fields":[{"type":"int"}]})",
     "at /fields/0: a field needs a \"name\""},
    {"InvalidFieldName", R"({"type":"record","name":"R","fields":[{"name":"a b","type":"int"}]})",
     "at /fields/0/name: invalid field name"},
    {"FieldWithoutType", R"({"type":"record","name":"R","fields":[{"name":"a"}]})",
     "at /fields/0: field \"a\" needs a \"type\""},
    {"DuplicateFieldName", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":"int"},{"name":"a","type":"string"}]})",
     "at /fields/1/name: duplicate field \"a\""},
    {"InvalidOrder",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","order":"up"}]})",
     "at /fields/0/order"},
    {"InvalidFieldAlias",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","aliases":["b-c"]}]})",
     "at /fields/0/aliases/0: invalid alias"},
    {"AliasesNotAnArray", R"({"type":"record","name":"R","aliases":"S","fields":[]})",
     "at /aliases:"},
    {"InvalidTypeAlias", R"({"type":"record","name":"R","aliases":["a..b"],"fields":[]})",
     "at /aliases/0: invalid alias"},
    {"EnumWithoutSymbols", R"({"type":"enum","name":"E"})", "at /: an enum needs \"symbols\""},
    {"EnumWithEmptySymbols", R"({"type":"enum","name":"E","symbols":[]})", "at /symbols:"},
    {"EnumSymbolInvalid", R"({"type":"enum","name":"E","symbols":["A","B-1"]})",
     "at /symbols/1: invalid symbol"},
    {"EnumSymbolNotAString", R"({"type":"enum","name":"E","symbols":["A",1]})", "at /symbols/1"},
    {"EnumDuplicateSymbol", R"({"type":"enum","name":"E","symbols":["A","B","A"]})",
     "at /symbols/2: duplicate symbol \"A\" (also at /symbols/0)"},
    {"EnumDefaultNotASymbol", R"({"type":"enum","name":"E","symbols":["A"],"default":"Z"})",
     "at /default:"},
    {"FixedWithoutSize", R"({"type":"fixed","name":"F"})", "at /: a fixed needs a \"size\""},
    {"FixedSizeZero", R"({"type":"fixed","name":"F","size":0})", "at /size:"},
    {"FixedSizeNegative", R"({"type":"fixed","name":"F","size":-4})", "at /size:"},
    {"FixedSizeNotANumber", R"({"type":"fixed","name":"F","size":"16"})", "at /size:"},
    {"FixedSizeFraction", R"({"type":"fixed","name":"F","size":1.5})", "at /size:"},
    {"ArrayWithoutItems", R"({"type":"array"})", "at /: an array needs \"items\""},
    {"MapWithoutValues", R"({"type":"map"})", "at /: a map needs \"values\""},
    {"BadItems", R"({"type":"array","items":{"type":"array","items":true}})", "at /items/items:"},
    {"NestedUnion", R"(["null",["int","string"]])", "at /1: a union may not contain a union"},
    {"DuplicateUnionPrimitive", R"(["null","string","string"])",
     "at /2: duplicate union branch \"string\" (also at /1)"},
    {"DuplicateUnionArray", R"([{"type":"array","items":"int"},{"type":"array","items":"string"}])",
     "at /1: duplicate union branch \"array\""},
    {"DuplicateUnionNamedType", R"([{"type":"fixed","name":"F","size":1},"F"])",
     "at /1: duplicate union branch \"F\""},
    {"DuplicateUnionPrimitiveObjectForm", R"(["int",{"type":"int","logicalType":"date"}])",
     "at /1: duplicate union branch \"int\""},
    {"DefaultWrongType",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":"x"}]})",
     "at /fields/0/default:"},
    {"DefaultNotFirstUnionBranch",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":["null","string"],
         "default":"x"}]})",
     "at /fields/0/default:"},
    {"DefaultNullForNonNull",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":"string","default":null}]})",
     "at /fields/0/default:"},
    {"DefaultIntOutOfRange",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":2147483648}]})",
     "at /fields/0/default:"},
    {"DefaultLongOutOfRange", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":"long","default":9223372036854775808}]})",
     "at /fields/0/default:"},
    {"DefaultFractionForInt",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1.5}]})",
     "at /fields/0/default:"},
    {"DefaultArrayElement", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":{"type":"array","items":"int"},"default":[1,"2"]}]})",
     "at /fields/0/default:"},
    {"DefaultMapValue", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":{"type":"map","values":"int"},"default":[]}]})",
     "at /fields/0/default:"},
    {"DefaultRecordMissingMember", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]},
         "default":{}}]})",
     "at /fields/0/default:"},
    {"DefaultEnumSymbolUnknown", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":{"type":"enum","name":"E","symbols":["A"]},"default":"B"}]})",
     "at /fields/0/default:"},
    {"DefaultInNestedRecord", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":{"type":"record","name":"P","fields":[
            {"name":"x","type":"boolean","default":0}]}}]})",
     "at /fields/0/type/fields/0/default:"},
    {"DefaultOfEmptyUnion",
     R"({"type":"record","name":"R","fields":[{"name":"a","type":[],"default":null}]})",
     "at /fields/0/default:"},
    {"DefaultThatNeverEnds", R"({"type":"record","name":"R","fields":[
        {"name":"a","type":"R","default":{}}]})",
     "at /fields/0/default:"},
};

INSTANTIATE_TEST_SUITE_P(Rules, AvroInvalidSchema, ::testing::ValuesIn(kInvalidCases),
                         [](const ::testing::TestParamInfo<InvalidCase>& info) {
                           return std::string(info.param.rule);
                         });

// ---------------------------------------------------------------------------------------------
// Parsing Canonical Form (specification) and the registry's canonical form.

TEST(AvroCanonicalForm, StripsOrdersAndQualifies) {
  EXPECT_EQ(Pcf(R"({"namespace":"com.ex","doc":"d","type":"record","name":"User","aliases":["U"],
                    "fields":[{"type":{"type":"int"},"name":"id","doc":"x","default":0},
                              {"name":"e","type":{"symbols":["A","B"],"type":"enum","name":"E"}},
                              {"name":"e2","type":"E"},
                              {"name":"h","type":{"size":16,"type":"fixed","name":"x.Md5"}},
                              {"name":"m","type":{"values":"long","type":"map"}},
                              {"name":"l","type":{"items":"string","type":"array"}},
                              {"name":"u","type":["null",{"type":"string"}],"default":null}]})"),
            R"({"name":"com.ex.User","type":"record","fields":[{"name":"id","type":"int"},)"
            R"({"name":"e","type":{"name":"com.ex.E","type":"enum","symbols":["A","B"]}},)"
            R"({"name":"e2","type":"com.ex.E"},)"
            R"({"name":"h","type":{"name":"x.Md5","type":"fixed","size":16}},)"
            R"({"name":"m","type":{"type":"map","values":"long"}},)"
            R"({"name":"l","type":{"type":"array","items":"string"}},)"
            R"({"name":"u","type":["null","string"]}]})");
}

TEST(AvroCanonicalForm, PrimitiveAndLogicalTypes) {
  EXPECT_EQ(Pcf(R"( { "type" : "int" } )"), R"("int")");
  EXPECT_EQ(Pcf(R"({"type":"int","logicalType":"date"})"), R"("int")");
  EXPECT_EQ(Pcf(R"("string")"), R"("string")");
}

TEST(AvroCanonicalForm, StringEscapesBecomeUtf8) {
  EXPECT_EQ(Pcf(R"({"type":"enum","name":"E","doc":"\u00e9","symbols":["A"]})"),
            R"({"name":"E","type":"enum","symbols":["A"]})");
  Result<std::string> key = CanonicalAvroSchema(
      R"({"type":"record","name":"R","fields":[{"name":"s","type":"string","default":"\u00e9"}]})");
  ASSERT_TRUE(key.ok());
  EXPECT_THAT(*key, HasSubstr("\"default\":\"\xc3\xa9\""));
}

TEST(AvroCanonicalForm, ErrorIsARecordInParsingCanonicalForm) {
  EXPECT_EQ(Pcf(R"({"type":"error","name":"E","fields":[]})"),
            R"({"name":"E","type":"record","fields":[]})");
}

TEST(AvroRegistryKey, KeepsWhatResolutionReads) {
  EXPECT_EQ(
      Key(R"({"type":"record","name":"User","namespace":"com.ex","doc":"ignored",
              "aliases":["Z","A"],"connect.name":"com.ex.User",
              "fields":[{"name":"id","type":"int","default":1,"order":"descending",
                         "aliases":["uid"],"doc":"ignored"},
                        {"name":"c","type":{"type":"enum","name":"C","symbols":["X","Y"],
                                            "default":"X"}},
                        {"name":"d","type":{"type":"int","logicalType":"date"},
                         "order":"ascending"}]})"),
      R"({"name":"com.ex.User","type":"record","fields":[)"
      R"({"name":"id","type":"int","default":1,"order":"descending","aliases":["uid"]},)"
      R"({"name":"c","type":{"name":"com.ex.C","type":"enum","symbols":["X","Y"],"default":"X"}},)"
      R"({"name":"d","type":{"type":"int","logicalType":"date"}}],)"
      R"("aliases":["com.ex.A","com.ex.Z"],"connect.name":"com.ex.User"})");
}

TEST(AvroRegistryKey, SameKeyForEquivalentSpellings) {
  // Whitespace, key order, namespace spelled out or folded into the name, doc, an explicit
  // ascending order, integer or fractional float defaults, repeated aliases.
  const std::string a = Key(R"({"type":"record","name":"com.ex.User","fields":[
      {"name":"x","type":"double","default":1},{"name":"y","type":{"type":"string"}}]})");
  const std::string b = Key(R"({"fields":[{"default":1.0,"type":"double","name":"x",
      "order":"ascending","doc":"a number"},{"name":"y","type":"string"}],
      "namespace":"com.ex","name":"User","type":"record","doc":"the user"})");
  EXPECT_EQ(a, b);
  EXPECT_EQ(Key(R"({"type":"fixed","name":"F","size":2,"aliases":["B","A","A"]})"),
            Key(R"({"type":"fixed","name":"F","size":2,"aliases":["A","B"]})"));
}

TEST(AvroRegistryKey, DifferentKeyWhenResolutionCouldDiffer) {
  const std::string base =
      Key(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":0}]})");
  EXPECT_NE(
      base,
      Key(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":1}]})"));
  EXPECT_NE(base, Key(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int"}]})"));
  EXPECT_NE(base, Key(R"({"type":"record","name":"R","fields":[{"name":"a","type":"int",
                          "default":0,"aliases":["b"]}]})"));
  EXPECT_NE(base, Key(R"({"type":"record","name":"R","aliases":["S"],
                          "fields":[{"name":"a","type":"int","default":0}]})"));
  EXPECT_NE(Key(R"({"type":"enum","name":"E","symbols":["A","B"]})"),
            Key(R"({"type":"enum","name":"E","symbols":["A","B"],"default":"A"})"));
  EXPECT_NE(Key(R"("int")"), Key(R"({"type":"int","logicalType":"date"})"));
  EXPECT_NE(Key(R"({"type":"record","name":"a.R","fields":[]})"),
            Key(R"({"type":"record","name":"b.R","fields":[]})"));
}

TEST(AvroRegistryKey, RecursiveTypeIsWrittenOnce) {
  EXPECT_EQ(Key(R"({"type":"record","name":"L","fields":[{"name":"v","type":"int"},
                    {"name":"next","type":["null","L"],"default":null}]})"),
            R"({"name":"L","type":"record","fields":[{"name":"v","type":"int"},)"
            R"({"name":"next","type":["null","L"],"default":null}]})");
}

// ---------------------------------------------------------------------------------------------
// Robustness: nothing crashes, hangs or overflows the stack.

std::string NestedArrays(size_t depth) {
  std::string text;
  for (size_t i = 0; i < depth; ++i) text += R"({"type":"array","items":)";
  text += "\"int\"";
  text += std::string(depth, '}');
  return text;
}

TEST(AvroRobustness, DeepestAcceptedNesting) {
  // 500 JSON levels are accepted: arrays of arrays...
  const std::string arrays = NestedArrays(500);
  Result<AvroSchema> s = Parse(arrays);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ParsingCanonicalForm().size(), arrays.size());
  EXPECT_TRUE(AvroBackwardIncompatibilities(arrays, arrays).empty());
  EXPECT_FALSE(Parse(NestedArrays(501)).ok());
  // ... records in records (three JSON levels each) ...
  std::string records;
  for (int i = 0; i < 166; ++i) {
    records +=
        R"({"type":"record","name":"R)" + std::to_string(i) + R"(","fields":[{"name":"f","type":)";
  }
  records += "\"int\"";
  for (int i = 0; i < 166; ++i) records += "}]}";
  ASSERT_TRUE(Parse(records).ok());
  EXPECT_TRUE(AvroBackwardIncompatibilities(records, records).empty());
  // ... and a default nested as deep.
  std::string with_default = R"({"type":"record","name":"D","fields":[{"name":"f","type":)";
  for (int i = 0; i < 240; ++i) with_default += R"({"type":"array","items":)";
  with_default += "\"int\"" + std::string(240, '}') + R"(,"default":)" + std::string(240, '[') +
                  "1" + std::string(240, ']') + "}]}";
  Result<std::string> key = CanonicalAvroSchema(with_default);
  ASSERT_TRUE(key.ok()) << key.status().ToString();
}

TEST(AvroRobustness, TooDeepNestingIsRejected) {
  for (const std::string& text :
       {NestedArrays(100000), std::string(1 << 20, '['), std::string(100000, '{')}) {
    Result<AvroSchema> s = Parse(text);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.status().message(), HasSubstr("line 1, column"));
  }
}

TEST(AvroRobustness, TenThousandSymbolEnum) {
  std::string symbols;
  for (int i = 0; i < 10000; ++i) symbols += (i ? ",\"S" : "\"S") + std::to_string(i) + "\"";
  const std::string text = R"({"type":"enum","name":"Big","symbols":[)" + symbols + "]}";
  Result<AvroSchema> s = Parse(text);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->root().symbols.size(), 10000u);
  Result<AvroSchema> duplicate =
      Parse(R"({"type":"enum","name":"Big","symbols":[)" + symbols + ",\"S9999\"]}");
  ASSERT_FALSE(duplicate.ok());
  EXPECT_THAT(duplicate.status().message(), HasSubstr("/symbols/10000"));
}

TEST(AvroRobustness, DefaultsOfSharedRecordTypesAreCheckedOnce) {
  // T0 has two fields of type T1 defaulting to {}, T1 two of T2, ...: each {} takes the members'
  // own defaults, 2^40 checks if each use were checked again.
  std::string text;
  for (int i = 0; i < 40; ++i) {
    text += R"({"type":"record","name":"T)" + std::to_string(i) +
            R"(","fields":[{"name":"a","default":{},"type":)";
  }
  text += R"({"type":"record","name":"Leaf","fields":[{"name":"x","type":"int","default":0}]})";
  for (int i = 40; i > 0; --i) {
    text += R"(},{"name":"b","default":{},"type":")" +
            (i == 40 ? std::string("Leaf") : "T" + std::to_string(i)) + R"("}]})";
  }
  const auto start = std::chrono::steady_clock::now();
  Result<AvroSchema> s = Parse(text);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(AvroRobustness, GarbageIsRejectedNotCrashed) {
  for (std::string_view text :
       {std::string_view(""), std::string_view("   "), std::string_view("null"),
        std::string_view("true"), std::string_view("-1"), std::string_view("{}"),
        std::string_view("[[]]"), std::string_view("\"\""), std::string_view("\"com.\""),
        std::string_view("{\"type\":"), std::string_view("\"\xff\xfe\""),
        std::string_view("\0\0\0", 3),
        std::string_view("{\"type\":\"record\",\"name\":\"R\","
                         "\"fields\":[{\"name\":\"a\","
                         "\"type\":\"R\"}]")}) {
    Result<AvroSchema> s = Parse(text);
    EXPECT_FALSE(s.ok()) << text;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(AvroRobustness, EmptyUnionIsValidButReadsNothing) {
  Result<AvroSchema> s = Parse("[]");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ParsingCanonicalForm(), "[]");
}

TEST(AvroRobustness, MutatedSchemasNeverCrash) {
  const std::string seed = R"({"type":"record","name":"R","namespace":"n","fields":[
      {"name":"a","type":["null",{"type":"enum","name":"E","symbols":["A","B"],"default":"A"}],
       "default":null},
      {"name":"b","type":{"type":"array","items":{"type":"map","values":"R"}},"default":[]},
      {"name":"c","type":{"type":"fixed","name":"F","size":4},"aliases":["d"]}]})";
  std::mt19937 random(42);  // fixed seed: a failure reproduces
  constexpr std::string_view kAlphabet = "{}[]\":,0123456789abcdefnrtul.-\\ ";
  for (int i = 0; i < 3000; ++i) {
    std::string text = seed;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const size_t at = random() % text.size();
      switch (random() % 3) {
        case 0: text[at] = kAlphabet[random() % kAlphabet.size()]; break;
        case 1: text.erase(at, 1 + random() % 8); break;
        default: text.insert(at, 1, kAlphabet[random() % kAlphabet.size()]);
      }
      if (text.empty()) text = "x";
    }
    Result<std::string> key = CanonicalAvroSchema(text);
    if (key.ok()) {
      // A schema that parses has a canonical form that parses to the same key.
      Result<std::string> again = CanonicalAvroSchema(*key);
      ASSERT_TRUE(again.ok()) << *key << ": " << again.status().ToString();
      EXPECT_EQ(*again, *key);
      (void)AvroBackwardIncompatibilities(seed, text);
      (void)AvroBackwardIncompatibilities(text, seed);
    } else {
      EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    }
  }
}

}  // namespace
}  // namespace assay::schema
