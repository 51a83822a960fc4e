#include "config/config_keys.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace assay::config {
namespace {

namespace fs = std::filesystem;

const fs::path kDocsPath = fs::path(ASSAY_SOURCE_DIR) / "docs" / "configuration.md";

std::string ReadDocs() {
  std::ifstream in(kDocsPath, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Begin(std::string_view block) {
  return "<!-- BEGIN GENERATED: " + std::string(block) + " -->\n";
}
std::string End(std::string_view block) {
  return "<!-- END GENERATED: " + std::string(block) + " -->";
}

struct Block {
  std::string_view name;
  std::span<const SectionSpec* const> sections;
};

std::vector<Block> Blocks() {
  return {{"pipeline config keys", PipelineConfigSections()},
          {"logging config keys", LoggingConfigSections()}};
}

// Replaces the text between the markers of `block` with `body`; false when a marker is missing.
bool ReplaceBlock(std::string& docs, std::string_view block, const std::string& body) {
  size_t begin = docs.find(Begin(block));
  size_t end = docs.find(End(block));
  if (begin == std::string::npos || end == std::string::npos || end < begin) return false;
  begin += Begin(block).size();
  docs.replace(begin, end - begin, body);
  return true;
}

TEST(ConfigKeys, SectionsHaveUniqueDocumentedKeys) {
  for (auto sections : {PipelineConfigSections(), LoggingConfigSections()}) {
    for (const SectionSpec* section : sections) {
      EXPECT_FALSE(section->doc.empty()) << section->path;
      std::set<std::string_view> names;
      for (const KeySpec& key : section->keys) {
        EXPECT_TRUE(names.insert(key.name).second) << section->path << "." << key.name;
        EXPECT_FALSE(key.doc.empty()) << section->path << "." << key.name;
        bool is_enum = key.type == KeyType::kEnum || key.type == KeyType::kEnumList;
        EXPECT_EQ(is_enum, !key.allowed.empty()) << section->path << "." << key.name;
        EXPECT_EQ(section->Find(key.name), &key);
      }
    }
  }
}

TEST(ConfigKeys, EveryMapKeyHasASection) {
  for (const SectionSpec* section : PipelineConfigSections()) {
    for (const KeySpec& key : section->keys) {
      if (key.type != KeyType::kMap && key.type != KeyType::kMapList) continue;
      std::string child = section->path.empty()
                              ? std::string(key.name)
                              : std::string(section->path) + "." + std::string(key.name);
      if (key.type == KeyType::kMapList) child += "[]";
      EXPECT_NE(FindSection(child), nullptr) << child;
    }
  }
}

TEST(ConfigKeys, IsAllowedMatchesWholeValues) {
  EXPECT_TRUE(IsAllowed("csv|ndjson|json", "csv"));
  EXPECT_TRUE(IsAllowed("csv|ndjson|json", "json"));
  EXPECT_FALSE(IsAllowed("csv|ndjson|json", "js"));
  EXPECT_FALSE(IsAllowed("csv|ndjson|json", ""));
}

TEST(ConfigKeys, RenderedTablesListEveryKey) {
  for (const Block& block : Blocks()) {
    std::string markdown = RenderMarkdownTables(block.sections);
    for (const SectionSpec* section : block.sections) {
      for (const KeySpec& key : section->keys) {
        EXPECT_NE(markdown.find("| `" + std::string(key.name) + "` |"), std::string::npos)
            << key.name;
      }
    }
  }
}

// docs/configuration.md holds the rendered tables between markers; it must match the code, so
// the documentation cannot drift from what the loader accepts. ASSAY_UPDATE_DOCS=1 rewrites it.
TEST(ConfigKeys, CommittedDocsMatchTheTables) {
  std::string docs = ReadDocs();
  ASSERT_FALSE(docs.empty()) << "cannot read " << kDocsPath;
  std::string expected = docs;
  for (const Block& block : Blocks()) {
    ASSERT_TRUE(ReplaceBlock(expected, block.name, RenderMarkdownTables(block.sections)))
        << "markers for '" << block.name << "' missing in " << kDocsPath;
  }
  if (const char* update = std::getenv("ASSAY_UPDATE_DOCS"); update && std::string(update) == "1") {
    std::ofstream(kDocsPath, std::ios::binary) << expected;
    docs = expected;
  }
  EXPECT_EQ(docs, expected) << kDocsPath
                            << " is out of date: run with ASSAY_UPDATE_DOCS=1 to regenerate";
  // Belt and braces: every key appears in the page, in its section.
  for (const Block& block : Blocks()) {
    for (const SectionSpec* section : block.sections) {
      for (const KeySpec& key : section->keys) {
        EXPECT_NE(docs.find("| `" + std::string(key.name) + "` |"), std::string::npos)
            << section->path << "." << key.name << " is not documented";
      }
    }
  }
}

}  // namespace
}  // namespace assay::config
