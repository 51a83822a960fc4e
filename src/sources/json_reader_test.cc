#include "sources/json_reader.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace assay::sources {
namespace {

struct ReadOutcome {
  Batch batch;
  std::vector<Batch> framed;  ///< owns what batch's views point into, when read in parallel
  JsonFormat format = JsonFormat::kAuto;
  uint64_t bytes_consumed = 0;
};

/// Reads everything; with `parallel`, ReadBatch only frames and a pool of decoders (taking
/// batches round-robin, as the pipeline's workers do) fills the cells afterwards.
ReadOutcome ReadAll(std::string data, const std::vector<std::string>& fields,
                    JsonOptions options = {}, size_t max_rows = 1000, bool parallel = false) {
  ReadOutcome out;
  for (const std::string& field : fields) out.batch.AddColumn(field);
  uint32_t unit = out.batch.AddUnit("test.json");
  auto reader =
      JsonReader::Make(MakeMemoryStream(std::move(data), "test.json"), unit, options, fields);
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return out;
  std::vector<std::unique_ptr<RecordDecoder>> decoders;
  if (parallel) {
    for (int i = 0; i < 3; ++i) decoders.push_back((*reader)->MakeParallelDecoder());
  }
  // Decoders work on whole batches: frame each batch separately, then append it to the result.
  std::vector<Batch> framed;
  while (true) {
    Batch& batch = parallel ? framed.emplace_back() : out.batch;
    if (parallel) {
      for (const std::string& field : fields) batch.AddColumn(field);
      batch.AddUnit("test.json");
    }
    auto rows = (*reader)->ReadBatch(batch, max_rows);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    if (!rows.ok() || *rows == 0) break;
  }
  for (size_t i = 0; i < framed.size(); ++i) {
    if (decoders[0] == nullptr) break;  // a format that decodes in ReadBatch
    decoders[i % decoders.size()]->Decode(framed[i]);
  }
  for (Batch& b : framed) {
    for (size_t r = 0; r < b.num_rows(); ++r) {
      const size_t row = out.batch.AppendRow(b.origin(r), b.record_text(r));
      if (b.has_parse_error(r)) {
        out.batch.SetParseError(row, b.parse_error(r).code, b.parse_error(r).message);
        continue;
      }
      for (size_t c = 0; c < fields.size(); ++c) {
        out.batch.SetCell(row, c, b.column(c).kind[r], b.column(c).raw[r]);
      }
    }
  }
  if (parallel) out.framed = std::move(framed);
  out.format = (*reader)->format();
  out.bytes_consumed = (*reader)->bytes_consumed();
  return out;
}

char KindLetter(CellKind kind) {
  switch (kind) {
    case CellKind::kNull: return 'z';
    case CellKind::kText: return 't';
    case CellKind::kString: return 's';
    case CellKind::kNumber: return 'n';
    case CellKind::kBool: return 'b';
    case CellKind::kNested: return 'o';
  }
  return '?';
}

/// One line per row: `line@offset:` then cells `kind=raw` joined by '|', or `!code`.
std::vector<std::string> Dump(const Batch& batch) {
  std::vector<std::string> out;
  for (size_t row = 0; row < batch.num_rows(); ++row) {
    std::ostringstream line;
    line << batch.origin(row).line << "@" << batch.origin(row).byte_offset << ":";
    if (batch.has_parse_error(row)) {
      line << "!" << batch.parse_error(row).code;
    } else {
      for (size_t c = 0; c < batch.columns().size(); ++c) {
        if (c > 0) line << "|";
        CellKind kind = batch.column(c).kind[row];
        line << KindLetter(kind);
        if (kind != CellKind::kNull) line << "=" << batch.column(c).raw[row];
      }
    }
    out.push_back(line.str());
  }
  return out;
}

TEST(JsonReader, NdjsonValueKinds) {
  auto out = ReadAll(
      "{\"s\":\"abc\",\"n\":1.50,\"b\":true,\"z\":null,\"o\":{\"k\": [1, 2]},\"a\":[ ]}\n"
      "{\"n\":-0,\"b\":false,\"s\":\"\",\"o\":[{\"x\":null}] }\n"
      "{}\n",
      {"s", "n", "b", "z", "o", "a", "missing"});
  EXPECT_EQ(out.format, JsonFormat::kNdjson);
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{
                                 "1@0:s=abc|n=1.50|b=true|z|o={\"k\": [1, 2]}|o=[ ]|z",
                                 "2@65:s=|n=-0|b=false|z|o=[{\"x\":null}]|z|z",
                                 "3@109:z|z|z|z|z|z|z",
                             }));
  EXPECT_EQ(out.batch.record_text(1), "{\"n\":-0,\"b\":false,\"s\":\"\",\"o\":[{\"x\":null}] }");
}

TEST(JsonReader, NumberLiteralsAreKeptVerbatim) {
  // 1e400 overflows a double but is valid JSON: kept, the schema's type check decides.
  auto out = ReadAll(
      "{\"a\":12345678901234567890123,\"b\":1e5,\"c\":-2.50E-3 ,\"d\":0}\n"
      "{\"a\":1e400,\"b\":-1e-400,\"x\":[1E999]}\n"
      "{\"a\":1e400x}\n",
      {"a", "b", "c", "d"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{
                                 "1@0:n=12345678901234567890123|n=1e5|n=-2.50E-3|n=0",
                                 "2@58:n=1e400|n=-1e-400|z|z",
                                 "3@94:!json.syntax",
                             }));
}

TEST(JsonReader, StringEscapesAndUnicode) {
  auto out =
      ReadAll(R"({"a":"say \"hi\"\n","b":"caf\u00e9 \ud83d\ude00","c":"naïve ☃","d":"back\\slash"})"
              "\n",
              {"a", "b", "c", "d"});
  ASSERT_EQ(out.batch.num_rows(), 1u);
  EXPECT_EQ(out.batch.column(0).raw[0], "say \"hi\"\n");
  EXPECT_EQ(out.batch.column(1).raw[0], "caf\xC3\xA9 \xF0\x9F\x98\x80");
  EXPECT_EQ(out.batch.column(2).raw[0], "naïve ☃");
  EXPECT_EQ(out.batch.column(3).raw[0], "back\\slash");
  // Without escapes the value is a view into the input buffer, not a copy.
  std::string_view text = out.batch.record_text(0);
  std::string_view plain = out.batch.column(2).raw[0];
  EXPECT_GE(plain.data(), text.data());
  EXPECT_LE(plain.data() + plain.size(), text.data() + text.size());
}

TEST(JsonReader, EscapedKeysMatchFields) {
  auto out = ReadAll(R"({"caf\u00e9":1,"a\"b":2})"
                     "\n",
                     {"café", "a\"b"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@0:n=1|n=2"}));
}

TEST(JsonReader, RepeatedKeyLastWins) {
  auto out = ReadAll("{\"a\":1,\"a\":\"x\"}\n{\"a\":1,\"a\":null}\n", {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@0:s=x", "2@16:z"}));
}

TEST(JsonReader, BlankLinesCrLfAndNoTrailingNewline) {
  auto out = ReadAll("\n{\"a\":1}\r\n  \r\n\t\n{\"a\":2}", {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"2@1:n=1", "5@16:n=2"}));
  EXPECT_EQ(out.batch.record_text(0), "{\"a\":1}");
  EXPECT_EQ(out.bytes_consumed, 23u);
}

TEST(JsonReader, InvalidLinesAreRejectedWithTheirLines) {
  auto out = ReadAll(
      "{\"a\":1}\n"
      "{\"a\":\n"                    // truncated object
      "[1,2]\n"                      // not an object
      "\"text\"\n"                   // not an object
      "{\"a\":1,\"x\":tru}\n"        // bad literal in a field nobody wants
      "{\"a\":1} {\"a\":2}\n"        // two values on one line
      "{\"a\":\"\xC3\x28\"}\n"       // invalid UTF-8
      "{\"a\":1,\"x\":{\"y\" 1}}\n"  // missing colon inside an unwanted object
      "{\"a\":01}\n"                 // leading zero
      "garbage\n"
      "{\"a\":3}\n",
      {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{
                                 "1@0:n=1",
                                 "2@8:!json.syntax",
                                 "3@14:!json.not_object",
                                 "4@20:!json.not_object",
                                 "5@27:!json.syntax",
                                 "6@43:!json.syntax",
                                 "7@59:!json.invalid_utf8",
                                 "8@70:!json.syntax",
                                 "9@90:!json.syntax",
                                 "10@99:!json.syntax",
                                 "11@107:n=3",
                             }));
  EXPECT_EQ(out.batch.record_text(1), "{\"a\":");
  EXPECT_FALSE(out.batch.parse_error(1).message.empty());
}

TEST(JsonReader, DeepNestingIsAnErrorNotACrash) {
  std::string deep = "{\"a\":" + std::string(100000, '[') + std::string(100000, ']') + "}\n";
  auto out = ReadAll(deep + "{\"a\":1}\n", {"b"});
  ASSERT_EQ(out.batch.num_rows(), 2u);
  EXPECT_EQ(out.batch.parse_error(0).code, kJsonSyntax);
  EXPECT_FALSE(out.batch.has_parse_error(1));
}

TEST(JsonReader, ArrayOfObjects) {
  auto out = ReadAll(
      "\xEF\xBB\xBF [\n"
      "  {\"id\": 1, \"tags\": [\"x\", \"y\"]},\n"
      "  {\"id\": 2, \"name\": \"b,]\\\"}\"}\n"
      "]\n",
      {"id", "name", "tags"});
  EXPECT_EQ(out.format, JsonFormat::kArray);
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{
                                 "1@8:n=1|z|o=[\"x\", \"y\"]",
                                 "2@41:n=2|s=b,]\"}|z",
                             }));
  EXPECT_EQ(out.batch.record_text(0), "{\"id\": 1, \"tags\": [\"x\", \"y\"]}");
  EXPECT_EQ(out.bytes_consumed, 71u);
}

TEST(JsonReader, ArrayElementErrorsAreRows) {
  auto out = ReadAll("[{\"a\":1}, 5, {\"a\":tru}, , {\"a\":2} } , {\"a\":3},]", {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{
                                 "1@1:n=1",
                                 "2@10:!json.not_object",
                                 "3@13:!json.syntax",
                                 "4@24:!json.syntax",
                                 "5@26:!json.syntax",
                                 "6@38:n=3",
                             }));
}

TEST(JsonReader, EmptyInputs) {
  EXPECT_EQ(ReadAll("", {"a"}).batch.num_rows(), 0u);
  EXPECT_EQ(ReadAll(" \n\r\n ", {"a"}).batch.num_rows(), 0u);
  EXPECT_EQ(ReadAll("[]", {"a"}).batch.num_rows(), 0u);
  EXPECT_EQ(ReadAll(" [ \n ] \n", {"a"}).batch.num_rows(), 0u);
  JsonOptions array;
  array.format = JsonFormat::kArray;
  EXPECT_EQ(ReadAll("", {"a"}, array).batch.num_rows(), 0u);
}

TEST(JsonReader, TruncatedArray) {
  auto out = ReadAll("[{\"a\":1},{\"a\":2", {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@1:n=1", "2@9:!json.truncated"}));
  EXPECT_EQ(out.batch.record_text(1), "{\"a\":2");

  out = ReadAll("[{\"a\":1},\n", {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@1:n=1", "2@10:!json.truncated"}));
  EXPECT_EQ(out.batch.record_text(1), "");

  out = ReadAll("[{\"a\":\"open string", {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@1:!json.truncated"}));
}

TEST(JsonReader, ContentAfterTheArrayIsOneRejectedRow) {
  auto out = ReadAll("[{\"a\":1}] trailing\nmore", {"a"});
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@1:n=1", "2@10:!json.syntax"}));
  EXPECT_EQ(out.batch.record_text(1), "trailing\nmore");
}

TEST(JsonReader, FormatOptions) {
  JsonOptions array;
  array.format = JsonFormat::kArray;
  auto reader = JsonReader::Make(MakeMemoryStream("{\"a\":1}\n"), 0, array, {"a"});
  EXPECT_EQ(reader.status().code(), StatusCode::kInvalidArgument);

  JsonOptions ndjson;
  ndjson.format = JsonFormat::kNdjson;
  auto out = ReadAll("[{\"a\":1}]\n", {"a"}, ndjson);
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@0:!json.not_object"}));
}

std::string SampleNdjson() {
  std::string s;
  for (int i = 0; i < 40; ++i) {
    switch (i % 6) {
      case 0:
        s += "{\"id\":" + std::to_string(i) + ",\"s\":\"plain\",\"o\":{\"k\":[1,{}]}}\n";
        break;
      case 1: s += "  {\"s\":\"esc\\\"aped \\u00e9\", \"id\": 1.5e3 }\r\n"; break;
      case 2: s += "\n\n"; break;
      case 3: s += "{\"id\": broken\n"; break;
      case 4: s += "{\"b\":true,\"z\":null,\"id\":\"caf\xC3\xA9\"}\n"; break;
      case 5: s += "{\"s\":\"bad \xFF\"}\n"; break;
    }
  }
  s += "{\"id\":\"last without newline\"}";
  return s;
}

std::string SampleArray() {
  std::string s = "[\n";
  for (int i = 0; i < 40; ++i) {
    switch (i % 5) {
      case 0: s += "{\"id\":" + std::to_string(i) + ",\"s\":\"a]b,c}\"},\n"; break;
      case 1: s += "  {\"s\":\"esc\\\\\\\"\", \"o\": [[], {\"x\": \"]\"}]} ,\n"; break;
      case 2: s += "{\"id\": broken},"; break;
      case 3: s += "\"str\",\n"; break;
      case 4: s += "{\"id\":\"caf\xC3\xA9\",\"b\":false},"; break;
    }
  }
  s += "{\"id\":\"end\"}\n]\n";
  return s;
}

TEST(JsonReader, ChunkBoundariesDoNotChangeTheResult) {
  const std::vector<std::string> fields = {"id", "s", "o", "b", "z"};
  for (const std::string& data : {SampleNdjson(), SampleArray()}) {
    const auto expected = Dump(ReadAll(data, fields).batch);
    ASSERT_GT(expected.size(), 30u);
    for (size_t chunk : {1, 2, 3, 7, 16, 64, 100}) {
      JsonOptions options;
      options.chunk_size = chunk;
      auto out = ReadAll(data, fields, options, 3);
      EXPECT_EQ(Dump(out.batch), expected) << "chunk " << chunk;
      EXPECT_EQ(out.bytes_consumed, data.size());
    }
  }
}

TEST(JsonReader, SkipToResumes) {
  const std::vector<std::string> fields = {"id", "s"};
  for (const std::string& data : {SampleNdjson(), SampleArray()}) {
    const auto all = Dump(ReadAll(data, fields).batch);
    for (size_t first : {size_t{0}, size_t{1}, size_t{9}, all.size()}) {
      Batch batch;
      batch.AddColumn("id");
      batch.AddColumn("s");
      auto reader = JsonReader::Make(MakeMemoryStream(data), 0, {}, fields);
      ASSERT_TRUE(reader.ok());
      if (first > 0) {
        ASSERT_EQ(*(*reader)->ReadBatch(batch, first), first);
      }
      const uint64_t offset = (*reader)->bytes_consumed();
      const uint64_t line = (*reader)->next_line();

      Batch rest;
      rest.AddColumn("id");
      rest.AddColumn("s");
      JsonOptions small;
      small.chunk_size = 6;
      auto resumed = JsonReader::Make(MakeMemoryStream(data), 0, small, fields);
      ASSERT_TRUE(resumed.ok());
      ASSERT_TRUE((*resumed)->SkipTo(offset, line).ok());
      while (*(*resumed)->ReadBatch(rest, 7) > 0) {
      }
      std::vector<std::string> expected(all.begin() + static_cast<long>(first), all.end());
      EXPECT_EQ(Dump(rest), expected) << "after " << first;
    }
  }
}

TEST(JsonReader, LargeRecordAcrossManyChunks) {
  std::string value(3 << 20, 'v');
  std::string data = "{\"a\":\"" + value + "\"}\n[" + std::string(100, ' ') + "]\n";
  JsonOptions options;
  options.chunk_size = 1000;
  auto out = ReadAll(data, {"a"}, options);
  ASSERT_EQ(out.batch.num_rows(), 2u);
  EXPECT_EQ(out.batch.column(0).raw[0], value);
  EXPECT_EQ(out.batch.parse_error(1).code, kJsonNotObject);
}

TEST(JsonReader, BinaryGarbageDoesNotCrash) {
  std::mt19937 rng(7);
  const char specials[] = "{}[]\",:\\\n ";
  for (int round = 0; round < 60; ++round) {
    std::string data(1 + rng() % 4000, '\0');
    for (char& c : data) {
      c = rng() % 2 == 0 ? specials[rng() % (sizeof(specials) - 1)] : static_cast<char>(rng());
    }
    if (round % 3 == 0) data[0] = '[';
    JsonOptions options;
    options.chunk_size = 1 + rng() % 50;
    auto out = ReadAll(data, {"a"}, options, 50);
    EXPECT_LE(out.bytes_consumed, data.size());
  }
}

// Workers decode NDJSON batches the reader only framed: the same rows, cells, errors and cut
// record texts as decoding in ReadBatch, whatever the batch and chunk sizes.
TEST(JsonReader, ParallelDecodingMatchesDecodingInReadBatch) {
  std::string data;
  for (int i = 0; i < 500; ++i) {
    switch (i % 7) {
      case 0:
        data += "{\"a\": \"x\\n" + std::to_string(i) + "\", \"b\": " + std::to_string(i) + "}\n";
        break;
      case 1: data += "not json " + std::string(200, 'q') + "\n"; break;
      case 2: data += "\n"; break;
      case 3: data += "[1, 2]\n"; break;
      case 4: data += "{\"b\": 1e400, \"c\": {\"deep\": [true, null]}}\r\n"; break;
      case 5: data += "{\"a\": \"\xff\"}\n"; break;
      default: data += "{\"b\": 012}\n"; break;
    }
  }
  for (size_t chunk : {size_t{64}, size_t{4096}, size_t{4} << 20}) {
    for (size_t max_rows : {size_t{1}, size_t{7}, size_t{1000}}) {
      JsonOptions options;
      options.chunk_size = chunk;
      options.max_error_text = 50;
      const auto inline_read = ReadAll(data, {"a", "b", "c"}, options, max_rows);
      const auto parallel = ReadAll(data, {"a", "b", "c"}, options, max_rows, true);
      ASSERT_EQ(Dump(parallel.batch), Dump(inline_read.batch)) << chunk << " " << max_rows;
      ASSERT_EQ(parallel.batch.num_rows(), inline_read.batch.num_rows());
      for (size_t r = 0; r < parallel.batch.num_rows(); ++r) {
        ASSERT_EQ(parallel.batch.record_text(r), inline_read.batch.record_text(r)) << r;
        if (inline_read.batch.has_parse_error(r)) {
          ASSERT_EQ(parallel.batch.parse_error(r).message,
                    inline_read.batch.parse_error(r).message);
        }
      }
    }
  }
}

TEST(JsonReader, ArraysDecodeInReadBatch) {
  auto reader = JsonReader::Make(MakeMemoryStream("[{\"a\": 1}]", "t.json"), 0, {}, {"a"});
  ASSERT_TRUE(reader.ok());
  EXPECT_EQ((*reader)->MakeParallelDecoder(), nullptr);
  const auto out = ReadAll("[{\"a\": 1}, 5]", {"a"}, {}, 1000, true);
  EXPECT_EQ(Dump(out.batch), (std::vector<std::string>{"1@1:n=1", "2@11:!json.not_object"}));
}

}  // namespace
}  // namespace assay::sources
