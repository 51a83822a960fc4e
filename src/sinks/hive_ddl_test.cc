#include "sinks/hive_ddl.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace assay::sinks {
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

ino_t Inode(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_ino;
}

// Each new tier file rewrites its table's DDL: the same text leaves the file alone (no temp
// file, no rename), a different text replaces it atomically.
TEST(WriteFileAtomically, SameTextIsNotRewrittenNewTextIs) {
  const fs::path dir = fs::temp_directory_path() / ("assay_ddl_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path file = dir / "t.ddl.sql";
  ASSERT_TRUE(WriteFileAtomically(file, "CREATE TABLE a;\n", dir).ok());
  const ino_t first = Inode(file);
  ASSERT_TRUE(WriteFileAtomically(file, "CREATE TABLE a;\n", dir).ok());
  EXPECT_EQ(Inode(file), first);  // untouched
  ASSERT_TRUE(WriteFileAtomically(file, "CREATE TABLE b;\n", dir).ok());
  EXPECT_NE(Inode(file), first);  // renamed over
  EXPECT_EQ(Read(file), "CREATE TABLE b;\n");
  size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1u);  // no temporary file left behind
  fs::remove_all(dir);
}

}  // namespace
}  // namespace assay::sinks
