#include "sources/byte_stream.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "sources/csv_reader.h"
#include "sources/file_glob.h"

namespace assay::sources {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("assay_byte_stream_" + std::to_string(::getpid()) + "_" + info->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
    for (auto& entry : fs::recursive_directory_iterator(path_, ignored)) {
      fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, ignored);
    }
    fs::remove_all(path_, ignored);
  }
  std::string Write(const std::string& name, const std::string& data) const {
    fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream(file, std::ios::binary) << data;
    return file.string();
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string TestData(size_t size) {
  std::mt19937 rng(1);
  std::string data(size, '\0');
  // Compressible but not trivial.
  for (char& c : data) c = "abcdefgh,\n"[rng() % 10];
  return data;
}

std::string Gzip(const std::string& data) {
  z_stream strm{};
  EXPECT_EQ(deflateInit2(&strm, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&strm, data.size()) + 64, '\0');
  strm.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  strm.avail_in = static_cast<uInt>(data.size());
  strm.next_out = reinterpret_cast<Bytef*>(out.data());
  strm.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&strm, Z_FINISH), Z_STREAM_END);
  out.resize(strm.total_out);
  deflateEnd(&strm);
  return out;
}

std::string Zlib(const std::string& data) {
  uLongf size = compressBound(data.size());
  std::string out(size, '\0');
  EXPECT_EQ(compress(reinterpret_cast<Bytef*>(out.data()), &size,
                     reinterpret_cast<const Bytef*>(data.data()), data.size()),
            Z_OK);
  out.resize(size);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t size = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(size));
  out.resize(size);
  return out;
}

Result<std::string> ReadAll(ByteStream& stream, size_t step = 65536) {
  std::string out;
  std::string buf(step, '\0');
  while (true) {
    ASSIGN_OR_RETURN(size_t got, stream.Read(buf.data(), buf.size()));
    if (got == 0) return out;
    out.append(buf.data(), got);
  }
}

Result<std::string> ReadFile(const std::string& path, Compression c = Compression::kAuto,
                             size_t step = 65536) {
  ASSIGN_OR_RETURN(auto stream, OpenFileStream(path, c));
  return ReadAll(*stream, step);
}

TEST(ByteStream, PlainFileRoundTrip) {
  TempDir dir;
  const std::string data = TestData(1 << 20);
  auto got = ReadFile(dir.Write("plain.csv", data));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, data);
  got = ReadFile(dir.Write("empty.csv", ""));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "");
}

TEST(ByteStream, GzipRoundTripByExtensionAndMagic) {
  TempDir dir;
  const std::string data = TestData(3 << 20);
  const std::string gz = Gzip(data);
  for (std::string name : {"a.csv.gz", "no_extension"}) {
    auto stream = OpenFileStream(dir.Write(name, gz));
    ASSERT_TRUE(stream.ok()) << stream.status().ToString();
    auto got = ReadAll(**stream, 1000);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, data) << name;
    EXPECT_EQ((*stream)->compressed_bytes_read(), gz.size());
  }
}

TEST(ByteStream, GzipMultiMemberAndZlib) {
  const std::string a = TestData(100000);
  const std::string b = "second member\n";
  auto stream = MakeDecompressingStream(MakeMemoryStream(Gzip(a) + Gzip(b)), Compression::kGzip);
  auto got = ReadAll(*stream, 777);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, a + b);

  stream = MakeDecompressingStream(MakeMemoryStream(Zlib(a)), Compression::kGzip);
  got = ReadAll(*stream);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, a);

  stream = MakeDecompressingStream(MakeMemoryStream(""), Compression::kGzip);
  got = ReadAll(*stream);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "");
}

TEST(ByteStream, TruncatedGzipIsDataLoss) {
  TempDir dir;
  const std::string gz = Gzip(TestData(200000));
  const std::string path = dir.Write("cut.csv.gz", gz.substr(0, gz.size() / 2));
  auto got = ReadFile(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find(path), std::string::npos);
  EXPECT_NE(got.status().message().find("offset"), std::string::npos);
  // Only the 8-byte trailer missing: still truncated.
  got = ReadFile(dir.Write("trailer.gz", gz.substr(0, gz.size() - 4)));
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
}

TEST(ByteStream, CorruptGzipIsDataLoss) {
  std::string gz = Gzip(TestData(200000));
  for (size_t i = 100; i < 200; ++i) gz[i] = static_cast<char>(gz[i] ^ 0x5a);
  auto stream = MakeDecompressingStream(MakeMemoryStream(gz, "bad.gz"), Compression::kGzip);
  auto got = ReadAll(*stream);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find("bad.gz"), std::string::npos);
}

TEST(ByteStream, ZstdRoundTripMultiFrameAndTruncation) {
  TempDir dir;
  const std::string data = TestData(2 << 20);
  const std::string zst = Zstd(data);
  for (std::string name : {"a.ndjson.zst", "b.zstd", "magic_only"}) {
    auto got = ReadFile(dir.Write(name, zst), Compression::kAuto, 4096);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, data) << name;
  }
  auto got = ReadFile(dir.Write("two.zst", Zstd("one\n") + Zstd("two\n")));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "one\ntwo\n");

  const std::string path = dir.Write("cut.zst", zst.substr(0, zst.size() - 10));
  got = ReadFile(path);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  EXPECT_NE(got.status().message().find(path), std::string::npos);
  EXPECT_NE(got.status().message().find("offset"), std::string::npos);
}

TEST(ByteStream, ExplicitCompressionOverridesExtension) {
  TempDir dir;
  auto got = ReadFile(dir.Write("looks.gz", "plain text"), Compression::kNone);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, "plain text");
}

TEST(ByteStream, OpenErrorsNameThePath) {
  TempDir dir;
  const std::string missing = (dir.path() / "missing.csv").string();
  auto stream = OpenFileStream(missing);
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kNotFound);
  EXPECT_NE(stream.status().message().find(missing), std::string::npos);

  stream = OpenFileStream(dir.path().string());
  EXPECT_EQ(stream.status().code(), StatusCode::kInvalidArgument);

  if (::geteuid() != 0) {  // root reads anything
    const std::string locked = dir.Write("locked.csv", "x");
    ::chmod(locked.c_str(), 0);
    stream = OpenFileStream(locked);
    EXPECT_EQ(stream.status().code(), StatusCode::kPermissionDenied);
    EXPECT_NE(stream.status().message().find(locked), std::string::npos);
  }
}

TEST(ByteStream, CsvReaderOverGzip) {
  TempDir dir;
  std::string csv = "a,b\n";
  for (int i = 0; i < 10000; ++i)
    csv += std::to_string(i) + ",\"x\"\"" + std::to_string(i) + "\"\n";
  const std::string path = dir.Write("data.csv.gz", Gzip(csv));
  auto stream = OpenFileStream(path);
  ASSERT_TRUE(stream.ok());
  CsvOptions options;
  options.chunk_size = 4096;
  auto reader = CsvReader::Make(std::move(*stream), 0, options, {"b"});
  ASSERT_TRUE(reader.ok());
  Batch batch;
  batch.AddColumn("b");
  while (*(*reader)->ReadBatch(batch, 1000) > 0) {
  }
  ASSERT_EQ(batch.num_rows(), 10000u);
  EXPECT_EQ(batch.column(0).raw[9999], "x\"9999");
  EXPECT_EQ((*reader)->bytes_consumed(), csv.size());
  EXPECT_EQ((*reader)->compressed_bytes_consumed(), fs::file_size(path));
}

// Regression: a truncated gzip lost every record, because the bytes inflated before the damage
// were dropped together with the DataLoss error (in GzipStream::Read and ChunkedInput::Refill).
TEST(ByteStream, TruncatedGzipKeepsTheRecordsBeforeTheDamage) {
  std::string csv = "a,b\n";
  for (int i = 0; i < 20000; ++i) csv += std::to_string(i) + ",row " + std::to_string(i) + "\n";
  const std::string gz = Gzip(csv);
  const std::string cut = gz.substr(0, gz.size() / 2);

  // The stream hands out what it inflated, then reports the damage, again on every later call.
  auto stream = MakeDecompressingStream(MakeMemoryStream(cut, "cut.csv.gz"), Compression::kGzip);
  std::string buf(csv.size(), '\0');
  auto got = stream->Read(buf.data(), buf.size());
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  ASSERT_GT(*got, 0u);
  EXPECT_EQ(buf.substr(0, *got), csv.substr(0, *got));
  for (int i = 0; i < 2; ++i) {
    got = stream->Read(buf.data(), buf.size());
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kDataLoss);
  }

  for (size_t chunk : {size_t{4096}, size_t{4} << 20}) {
    CsvOptions options;
    options.chunk_size = chunk;
    auto reader = CsvReader::Make(
        MakeDecompressingStream(MakeMemoryStream(cut, "cut.csv.gz"), Compression::kGzip), 0,
        options, {"a", "b"});
    ASSERT_TRUE(reader.ok()) << reader.status().ToString();
    Batch batch;
    batch.AddColumn("a");
    batch.AddColumn("b");
    Result<size_t> n = size_t{0};
    while ((n = (*reader)->ReadBatch(batch, 1000)).ok() && *n > 0) {
    }
    ASSERT_FALSE(n.ok()) << chunk;
    EXPECT_EQ(n.status().code(), StatusCode::kDataLoss);
    // Every complete line before the damage is a row, numbered from 0; none is a parse error.
    ASSERT_GT(batch.num_rows(), 5000u) << chunk;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      ASSERT_FALSE(batch.has_parse_error(r)) << chunk << " row " << r;
      ASSERT_EQ(batch.column(0).raw[r], std::to_string(r)) << chunk;
    }
    EXPECT_EQ((*reader)->next_line(), batch.num_rows() + 2) << chunk;
    size_t end_of_last_row = 0;  // after the header and the rows read
    for (size_t lines = 0; lines < batch.num_rows() + 1; ++lines)
      end_of_last_row = csv.find('\n', end_of_last_row) + 1;
    EXPECT_EQ((*reader)->bytes_consumed(), end_of_last_row) << chunk;
  }
}

TEST(ChunkedInput, CarriesThePartialRecordAndTracksOffsets) {
  ChunkedInput input(MakeMemoryStream("0123456789abcdef"), 4);
  ASSERT_TRUE(*input.Refill(nullptr));
  EXPECT_EQ(std::string_view(input.begin(), input.end() - input.begin()), "0123");
  const char* keep = input.begin() + 2;
  ASSERT_TRUE(*input.Refill(keep));
  EXPECT_EQ(std::string_view(input.begin(), input.end() - input.begin()), "234567");
  EXPECT_EQ(input.offset_of(input.begin()), 2u);
  ASSERT_TRUE(*input.Refill(input.end()));
  EXPECT_EQ(input.offset_of(input.begin()), 8u);
  while (*input.Refill(input.begin())) {
  }
  EXPECT_TRUE(input.eof());
  EXPECT_EQ(std::string_view(input.begin(), input.end() - input.begin()), "89abcdef");
}

TEST(FileGlob, ExpandsSortedRegularFiles) {
  TempDir dir;
  dir.Write("samples/sales_b.csv", "");
  dir.Write("samples/sales_a.csv", "");
  dir.Write("samples/sales_c.csv.gz", "");
  dir.Write("samples/other.csv", "");
  dir.Write("samples/.sales_hidden.csv", "");
  fs::create_directories(dir.path() / "samples" / "sales_dir.csv");
  dir.Write("samples/2024/sales_d.csv", "");
  dir.Write("samples/2024/q1/sales_e.csv", "");
  const std::string root = dir.path().string();

  auto files = ExpandGlob(root + "/samples/sales*.csv");
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(*files, (std::vector<std::string>{root + "/samples/sales_a.csv",
                                              root + "/samples/sales_b.csv"}));

  files = ExpandGlob(root + "/samples/**/sales_*.csv");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<std::string>{
                        root + "/samples/2024/q1/sales_e.csv", root + "/samples/2024/sales_d.csv",
                        root + "/samples/sales_a.csv", root + "/samples/sales_b.csv"}));

  files = ExpandGlob(root + "/samples/*/sales_?.csv");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<std::string>{root + "/samples/2024/sales_d.csv"}));

  files = ExpandGlob(root + "/samples/sales_[bc].csv*");
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 2u);

  files = ExpandGlob(root + "/samples/other.csv");  // no metacharacters: the path itself
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<std::string>{root + "/samples/other.csv"}));
}

TEST(FileGlob, RelativePatternsKeepTheirPrefix) {
  TempDir dir;
  dir.Write("x/a.ndjson", "");
  const fs::path old = fs::current_path();
  fs::current_path(dir.path());
  auto files = ExpandGlob("./x/*.ndjson");
  auto bare = ExpandGlob("x/*.ndjson");
  fs::current_path(old);
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(*files, (std::vector<std::string>{"./x/a.ndjson"}));
  ASSERT_TRUE(bare.ok());
  EXPECT_EQ(*bare, (std::vector<std::string>{"x/a.ndjson"}));
}

TEST(FileGlob, NoMatchIsNotFoundNamingThePattern) {
  TempDir dir;
  const std::string pattern = dir.path().string() + "/nothing*.csv";
  auto files = ExpandGlob(pattern);
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  EXPECT_NE(files.status().message().find(pattern), std::string::npos);

  files = ExpandGlob(dir.path().string() + "/missing_dir/*.csv");
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  files = ExpandGlob(dir.path().string() + "/plain_missing.csv");
  EXPECT_EQ(files.status().code(), StatusCode::kNotFound);
  files = ExpandGlob(dir.path().string());
  EXPECT_EQ(files.status().code(), StatusCode::kInvalidArgument);
}

TEST(FileGlob, UnreadableDirectoryIsAClearError) {
  if (::geteuid() == 0) GTEST_SKIP() << "root can list any directory";
  TempDir dir;
  dir.Write("locked/a.csv", "");
  ::chmod((dir.path() / "locked").c_str(), 0);
  auto files = ExpandGlob(dir.path().string() + "/locked/*.csv");
  ASSERT_FALSE(files.ok());
  EXPECT_EQ(files.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(files.status().message().find("locked"), std::string::npos);
}

}  // namespace
}  // namespace assay::sources
