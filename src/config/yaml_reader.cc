#include "config/yaml_reader.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/edit_distance.h"

namespace assay::config::internal {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string JoinAllowed(std::string_view allowed) {
  std::string out;
  for (char c : allowed) {
    if (c == '|') {
      out += ", ";
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string_view> SplitAllowed(std::string_view allowed) {
  std::vector<std::string_view> out;
  while (true) {
    size_t bar = allowed.find('|');
    out.push_back(allowed.substr(0, bar));
    if (bar == std::string_view::npos) break;
    allowed.remove_prefix(bar + 1);
  }
  return out;
}

std::string NotAllowedMessage(std::string_view value, std::string_view allowed) {
  std::string message = Quote(value) + " is not one of " + JoinAllowed(allowed);
  if (auto hint = DidYouMean(value, SplitAllowed(allowed))) {
    message += " (did you mean " + Quote(*hint) + "?)";
  }
  return message;
}

std::string_view NodeKind(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Null: return "nothing";
    default: return "a scalar";
  }
}

bool ValidMark(const YAML::Mark& mark) { return mark.line >= 0 && mark.column >= 0; }

}  // namespace

std::optional<std::string_view> DidYouMean(std::string_view word,
                                           const std::vector<std::string_view>& candidates) {
  std::optional<std::string_view> best;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (std::string_view candidate : candidates) {
    size_t d = EditDistance(word, candidate, /*ignore_ascii_case=*/true);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  // A third of the word (at least 2 edits) still reads as a typo; more is a different word.
  if (best && best_distance <= std::max<size_t>(2, word.size() / 3) &&
      best_distance < std::max(word.size(), best->size())) {
    return best;
  }
  return std::nullopt;
}

YAML::Mark MarkOr(const YAML::Node& node, const YAML::Mark& fallback) {
  if (!node.IsDefined()) return fallback;
  YAML::Mark mark = node.Mark();
  return ValidMark(mark) ? mark : fallback;
}

Location Diagnostics::At(const YAML::Mark& mark) const {
  Location location{file_, 0, 0};
  if (ValidMark(mark)) {
    location.line = mark.line + 1;
    location.column = mark.column + 1;
  }
  return location;
}

void Diagnostics::Add(const YAML::Mark& mark, std::string key, std::string message) {
  errors_.push_back(ConfigError{At(mark), std::move(key), std::move(message)});
}

Status Diagnostics::ToStatus(std::vector<ConfigError>* out) const {
  std::vector<ConfigError> sorted = errors_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const ConfigError& a, const ConfigError& b) {
    return std::pair(a.location.line, a.location.column) <
           std::pair(b.location.line, b.location.column);
  });
  std::string message;
  for (const ConfigError& error : sorted) {
    if (!message.empty()) message += '\n';
    message += error.ToString();
  }
  if (out != nullptr) *out = sorted;
  return InvalidArgument(std::move(message));
}

std::optional<YAML::Node> ParseYaml(std::string_view text, Diagnostics& diag) {
  try {
    return YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    diag.Add(e.mark, "", "YAML syntax error: " + e.msg);
  } catch (const std::exception& e) {
    diag.Add(YAML::Mark::null_mark(), "", std::string("cannot parse YAML: ") + e.what());
  }
  return std::nullopt;
}

MapReader::MapReader(const YAML::Node& node, std::string path, const SectionSpec& spec,
                     Diagnostics& diag, const YAML::Mark& fallback)
    : path_(std::move(path)), spec_(spec), diag_(diag), mark_(MarkOr(node, fallback)) {
  if (!node.IsDefined() || node.IsNull()) return;
  if (!node.IsMap()) {
    diag_.Add(mark_, path_, "expected a map of keys, got " + std::string(NodeKind(node)));
    return;
  }
  std::vector<std::string_view> names;
  for (const KeySpec& key : spec_.keys) names.push_back(key.name);
  // yaml-cpp's iterators hand out proxies: copy the nodes (cheap handles) rather than keeping
  // references into a temporary.
  for (const auto& pair : node) {
    YAML::Node key = pair.first;
    YAML::Node value = pair.second;
    YAML::Mark key_mark = MarkOr(key, mark_);
    if (!key.IsScalar()) {
      diag_.Add(key_mark, path_, "a key must be a plain name, got " + std::string(NodeKind(key)));
      continue;
    }
    std::string name = key.Scalar();
    if (Find(name) != nullptr) {
      diag_.Add(key_mark, PathOf(name), "duplicate key");
      continue;
    }
    if (spec_.Find(name) == nullptr) {
      std::string message = "unknown key";
      if (auto hint = DidYouMean(name, names)) message += " (did you mean " + Quote(*hint) + "?)";
      diag_.Add(key_mark, PathOf(name), std::move(message));
      continue;
    }
    entries_.push_back(Entry{std::move(name), key, value});
  }
  for (const KeySpec& key : spec_.keys) {
    if (key.required && !Has(key.name)) {
      diag_.Add(mark_, PathOf(key.name), "required key is missing");
    }
  }
}

const MapReader::Entry* MapReader::Find(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.name == key) return &entry;
  }
  return nullptr;
}

std::string MapReader::PathOf(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

YAML::Node MapReader::Child(std::string_view key) const {
  const Entry* entry = Find(key);
  return entry != nullptr ? entry->value : YAML::Node(YAML::NodeType::Undefined);
}

YAML::Mark MapReader::MarkOf(std::string_view key) const {
  const Entry* entry = Find(key);
  if (entry == nullptr) return mark_;
  // `key:` with no value has no position of its own: point at the key.
  if (entry->value.IsNull()) return MarkOr(entry->key, mark_);
  return MarkOr(entry->value, MarkOr(entry->key, mark_));
}

void MapReader::Error(std::string_view key, std::string message) {
  diag_.Add(MarkOf(key), PathOf(key), std::move(message));
}

const KeySpec* MapReader::Spec(std::string_view key, std::initializer_list<KeyType> types) {
  const KeySpec* spec = spec_.Find(key);
  if (spec == nullptr || std::find(types.begin(), types.end(), spec->type) == types.end()) {
    // The loader reads a key its table does not declare (or with another type): a bug, reported
    // loudly rather than silently ignored.
    diag_.Add(mark_, PathOf(key), "internal error: key not declared with this type in the table");
    return nullptr;
  }
  return spec;
}

std::optional<std::string> MapReader::Scalar(const Entry& entry, std::string_view what) {
  if (!entry.value.IsScalar()) {
    Error(entry.name,
          "expected " + std::string(what) + ", got " + std::string(NodeKind(entry.value)));
    return std::nullopt;
  }
  Result<std::string> text = Interpolate(entry.value.Scalar(), diag_.env());
  if (!text.ok()) {
    Error(entry.name, text.status().message());
    return std::nullopt;
  }
  return std::move(text).value();
}

bool MapReader::Get(std::string_view key, std::string* out) {
  const KeySpec* spec = Spec(key, {KeyType::kString, KeyType::kEnum});
  const Entry* entry = Find(key);
  if (spec == nullptr || entry == nullptr) return false;
  std::optional<std::string> text = Scalar(*entry, "a string");
  if (!text) return false;
  if (spec->type == KeyType::kEnum && !IsAllowed(spec->allowed, *text)) {
    Error(key, NotAllowedMessage(*text, spec->allowed));
    return false;
  }
  *out = std::move(*text);
  return true;
}

bool MapReader::Get(std::string_view key, std::filesystem::path* out) {
  const KeySpec* spec = Spec(key, {KeyType::kPath});
  const Entry* entry = Find(key);
  if (spec == nullptr || entry == nullptr) return false;
  std::optional<std::string> text = Scalar(*entry, "a path");
  if (!text) return false;
  if (text->empty()) {
    Error(key, "expected a path, got an empty string");
    return false;
  }
  *out = std::move(*text);
  return true;
}

bool MapReader::Get(std::string_view key, bool* out) {
  const Entry* entry = Find(key);
  if (Spec(key, {KeyType::kBool}) == nullptr || entry == nullptr) return false;
  std::optional<std::string> text = Scalar(*entry, "a boolean");
  if (!text) return false;
  std::string lower;
  for (char c : *text) lower += Lower(c);
  if (lower == "true" || lower == "yes" || lower == "on") {
    *out = true;
  } else if (lower == "false" || lower == "no" || lower == "off") {
    *out = false;
  } else {
    Error(key, "expected a boolean (true or false), got " + Quote(*text));
    return false;
  }
  return true;
}

std::optional<int64_t> MapReader::Integer(std::string_view key, int64_t min, int64_t max) {
  const Entry* entry = Find(key);
  if (Spec(key, {KeyType::kInteger}) == nullptr || entry == nullptr) return std::nullopt;
  std::optional<std::string> text = Scalar(*entry, "an integer");
  if (!text) return std::nullopt;
  std::string_view digits = *text;
  if (digits.starts_with('+')) digits.remove_prefix(1);
  int64_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec == std::errc::invalid_argument || end != digits.data() + digits.size()) {
    Error(key, "expected an integer, got " + Quote(*text));
    return std::nullopt;
  }
  if (ec == std::errc::result_out_of_range || value < min || value > max) {
    Error(key, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                   *text);
    return std::nullopt;
  }
  return value;
}

bool MapReader::Get(std::string_view key, int* out) {
  std::optional<int64_t> value =
      Integer(key, std::numeric_limits<int>::min(), std::numeric_limits<int>::max());
  if (value) *out = static_cast<int>(*value);
  return value.has_value();
}

bool MapReader::Get(std::string_view key, uint64_t* out) {
  std::optional<int64_t> value = Integer(key, 0, std::numeric_limits<int64_t>::max());
  if (value) *out = static_cast<uint64_t>(*value);
  return value.has_value();
}

bool MapReader::Get(std::string_view key, double* out) {
  const Entry* entry = Find(key);
  if (Spec(key, {KeyType::kNumber}) == nullptr || entry == nullptr) return false;
  std::optional<std::string> text = Scalar(*entry, "a number");
  if (!text) return false;
  std::string_view digits = *text;
  if (digits.starts_with('+')) digits.remove_prefix(1);
  double value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      !std::isfinite(value)) {
    Error(key, "expected a number, got " + Quote(*text));
    return false;
  }
  *out = value;
  return true;
}

bool MapReader::Get(std::string_view key, char* out) {
  const Entry* entry = Find(key);
  if (Spec(key, {KeyType::kChar}) == nullptr || entry == nullptr) return false;
  std::optional<std::string> text = Scalar(*entry, "one character");
  if (!text) return false;
  if (*text == "\\t" || *text == "tab") {
    *out = '\t';
  } else if (text->size() == 1) {
    *out = (*text)[0];
  } else {
    Error(key, "expected one character, got " + Quote(*text));
    return false;
  }
  return true;
}

bool MapReader::Get(std::string_view key, std::vector<std::string>* out) {
  const KeySpec* spec = Spec(key, {KeyType::kStringList, KeyType::kEnumList});
  const Entry* entry = Find(key);
  if (spec == nullptr || entry == nullptr) return false;
  if (!entry->value.IsSequence()) {
    Error(key, "expected a list of strings, got " + std::string(NodeKind(entry->value)));
    return false;
  }
  std::vector<std::string> values;
  bool ok = true;
  for (size_t i = 0; i < entry->value.size(); ++i) {
    const YAML::Node& item = entry->value[i];
    std::string item_path = PathOf(key) + "[" + std::to_string(i) + "]";
    YAML::Mark mark = MarkOr(item, MarkOf(key));
    if (!item.IsScalar()) {
      diag_.Add(mark, item_path, "expected a string, got " + std::string(NodeKind(item)));
      ok = false;
      continue;
    }
    Result<std::string> text = Interpolate(item.Scalar(), diag_.env());
    if (!text.ok()) {
      diag_.Add(mark, item_path, text.status().message());
      ok = false;
      continue;
    }
    if (spec->type == KeyType::kEnumList && !IsAllowed(spec->allowed, *text)) {
      diag_.Add(mark, item_path, NotAllowedMessage(*text, spec->allowed));
      ok = false;
      continue;
    }
    values.push_back(std::move(text).value());
  }
  if (ok) *out = std::move(values);
  return ok;
}

bool MapReader::Get(std::string_view key, std::map<std::string, std::string>* out) {
  const KeySpec* spec = Spec(key, {KeyType::kLevelMap});
  const Entry* entry = Find(key);
  if (spec == nullptr || entry == nullptr || entry->value.IsNull()) return false;
  if (!entry->value.IsMap()) {
    Error(key, "expected a map, got " + std::string(NodeKind(entry->value)));
    return false;
  }
  // The value table of a level map is the `level` key of the same section.
  const KeySpec* level_spec = spec_.Find("level");
  std::map<std::string, std::string> values;
  bool ok = true;
  for (const auto& pair : entry->value) {
    YAML::Node name_node = pair.first;
    YAML::Node value = pair.second;
    YAML::Mark key_mark = MarkOr(name_node, MarkOf(key));
    std::string name = name_node.IsScalar() ? name_node.Scalar() : "";
    std::string item_path = PathOf(key) + "." + name;
    if (name.empty()) {
      diag_.Add(key_mark, PathOf(key), "expected a logger name");
      ok = false;
      continue;
    }
    if (values.contains(name)) {
      diag_.Add(key_mark, item_path, "duplicate key");
      ok = false;
      continue;
    }
    YAML::Mark mark = MarkOr(value, key_mark);
    if (!value.IsScalar()) {
      diag_.Add(mark, item_path, "expected a level, got " + std::string(NodeKind(value)));
      ok = false;
      continue;
    }
    Result<std::string> text = Interpolate(value.Scalar(), diag_.env());
    if (!text.ok()) {
      diag_.Add(mark, item_path, text.status().message());
      ok = false;
      continue;
    }
    std::string level = *text == "warning" ? "warn" : *text;
    if (level_spec != nullptr && !IsAllowed(level_spec->allowed, level)) {
      diag_.Add(mark, item_path, NotAllowedMessage(*text, level_spec->allowed));
      ok = false;
      continue;
    }
    values.emplace(std::move(name), std::move(level));
  }
  if (ok) *out = std::move(values);
  return ok;
}

void ForEachItem(const YAML::Node& node, const std::string& path, Diagnostics& diag,
                 const YAML::Mark& fallback,
                 const std::function<void(const YAML::Node&, const std::string&, size_t)>& fn) {
  if (!node.IsDefined() || node.IsNull()) return;
  YAML::Mark mark = MarkOr(node, fallback);
  if (!node.IsSequence()) {
    diag.Add(mark, path, "expected a list, got " + std::string(NodeKind(node)));
    return;
  }
  for (size_t i = 0; i < node.size(); ++i) {
    fn(node[i], path + "[" + std::to_string(i) + "]", i);
  }
}

}  // namespace assay::config::internal
