#include "pipeline/router.h"

#include <charconv>

namespace assay::pipeline {
namespace {

// Copies the concatenation of `parts` into the arena.
std::string_view Join(StringArena& arena, std::initializer_list<std::string_view> parts) {
  size_t size = 0;
  for (std::string_view p : parts) size += p.size();
  char* out = arena.Allocate(size);
  size_t at = 0;
  for (std::string_view p : parts) {
    std::copy(p.begin(), p.end(), out + at);
    at += p.size();
  }
  return {out, size};
}

}  // namespace

void Route(const Batch& batch, const quality::Grades& grades, const quality::Classifier& classifier,
           GradedBatch& out) {
  const size_t rows = batch.num_rows();
  out.batch = &batch;
  out.score = grades.score;
  out.tier = grades.tier;
  out.failed.assign(rows, {});
  out.errors.assign(rows, {});
  out.position.resize(rows);
  out.arena.Reset();
  for (auto& selection : out.rows) selection.clear();

  std::string scratch;
  for (size_t r = 0; r < rows; ++r) {
    const Tier tier = grades.tier[r];
    out.rows[static_cast<size_t>(tier)].push_back(static_cast<uint32_t>(r));

    const RowOrigin& origin = batch.origin(r);
    char line[24];
    auto [end, ec] = std::to_chars(line, line + sizeof(line), origin.line);
    out.position[r] =
        Join(out.arena, {batch.unit(origin.unit), ":", std::string_view(line, end - line)});

    if (batch.has_parse_error(r)) {
      const ParseError& e = batch.parse_error(r);
      out.failed[r] = e.code;
      out.errors[r] = Join(out.arena, {e.code, ": ", e.message});
      continue;
    }
    std::span<const uint16_t> failed = grades.failed_checks(r);
    if (failed.empty()) continue;
    scratch.clear();
    for (size_t i = 0; i < failed.size(); ++i) {
      if (i) scratch += ',';
      scratch += classifier.check(failed[i]).info().name;
    }
    out.failed[r] = out.arena.Copy(scratch);
    if (tier == Tier::kRejected) {
      // Messages cost a string per failure, so only the rejected tier, which needs them, pays.
      scratch.clear();
      for (size_t i = 0; i < failed.size(); ++i) {
        if (i) scratch += "; ";
        scratch += classifier.check(failed[i]).DescribeFailure(batch, r);
      }
      out.errors[r] = out.arena.Copy(scratch);
    }
  }
}

}  // namespace assay::pipeline
