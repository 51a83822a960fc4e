#include "pipeline/validation_tally.h"

namespace assay::pipeline {

std::vector<std::pair<std::string, std::string>> CheckLabels(
    const schema::Schema& schema, const quality::Classifier& classifier) {
  std::vector<std::pair<std::string, std::string>> labels;
  for (size_t i = 0; i < classifier.num_checks(); ++i) {
    const std::string& name = classifier.check(i).info().name;
    // Classifier::Make puts the schema's checks first, in order, then the rules.
    if (i < schema.checks.size()) {
      const std::string& field = schema.fields[schema.checks[i].field].name;
      const bool prefixed =
          name.size() > field.size() && name.starts_with(field) && name[field.size()] == '.';
      labels.emplace_back(field, prefixed ? name.substr(field.size() + 1) : name);
    } else {
      labels.emplace_back("", name);
    }
  }
  return labels;
}

void ValidationTally::Add(const Batch& batch, const quality::Grades& grades) {
  const size_t rows = grades.num_rows();
  rows_ += rows;
  for (size_t r = 0; r < rows; ++r) {
    ++tiers_[static_cast<size_t>(grades.tier[r])];
    if (batch.has_parse_error(r)) {
      const std::string_view code = batch.parse_error(r).code;
      if (auto it = parse_errors_.find(code); it != parse_errors_.end()) {
        ++it->second;
      } else {
        parse_errors_.emplace(std::string(code), 1);
      }
      continue;
    }
    for (uint16_t check : grades.failed_checks(r)) {
      if (check >= by_check_.size()) by_check_.resize(check + 1, 0);
      ++by_check_[check];
    }
  }
}

void ValidationTally::AddTo(const std::vector<std::pair<std::string, std::string>>& labels,
                            events::ValidationCounts& out) const {
  out.rows += rows_;
  for (size_t t = 0; t < kNumTiers; ++t) out.tiers[t] += tiers_[t];
  for (size_t i = 0; i < by_check_.size() && i < labels.size(); ++i) {
    if (by_check_[i] > 0) out.failures[labels[i]] += by_check_[i];
  }
  for (const auto& [code, n] : parse_errors_) out.failures[{"", code}] += n;
}

void ValidationTally::Clear() {
  rows_ = 0;
  tiers_.fill(0);
  by_check_.assign(by_check_.size(), 0);
  parse_errors_.clear();
}

}  // namespace assay::pipeline
