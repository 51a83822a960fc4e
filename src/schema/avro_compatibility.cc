// Avro schema resolution as org.apache.avro.SchemaCompatibility (1.11) decides it, with the
// messages Confluent's io.confluent.kafka.schemaregistry.avro.Difference makes of its findings.
// Confluent checks BACKWARD as checkReaderWriterCompatibility(reader = new, writer = old), so
// `update` is the reader and `original` the writer.
//
// Java quirks kept on purpose, so that verdicts and paths match a Confluent registry's:
// - a reader/writer pair already being compared counts as compatible (recursive types end);
//   results are memoized per pair of schema nodes, so a named type met twice reports the
//   location of its first visit;
// - the branches of a writer union, and the reader branches tried against a writer, are
//   compared from a fresh root location, so what they find is reported at paths relative to the
//   branch ("/" for a type mismatch);
// - a reader field missing from the writer, without a default, whose type is an enum with a
//   default, is compared with the writer *record* (a TYPE_MISMATCH) instead of being reported as
//   missing its default;
// - a reader field whose name and aliases match two writer fields is Java's exception, which
//   Confluent reports as the only message.
#include "schema/avro_compatibility.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "schema/avro_schema.h"
#include "schema/json_text.h"

namespace assay::schema {
namespace {

// Nested reader/writer comparisons allowed at once. Schemas are at most 500 JSON levels deep, so
// comparing two of them without recursive types stays below this; only pathological mutually
// recursive types go further, and those are reported instead of exhausting the stack (a level
// takes about 3 KiB of stack in an ASan build, a few hundred bytes in a release build).
constexpr size_t kMaxCheckDepth = 1000;

enum class IncompatibilityType {
  kNameMismatch,
  kFixedSizeMismatch,
  kMissingEnumSymbols,
  kReaderFieldMissingDefaultValue,
  kTypeMismatch,
  kMissingUnionBranch,
};

std::string_view TypeName(IncompatibilityType type) {
  switch (type) {
    case IncompatibilityType::kNameMismatch: return "NAME_MISMATCH";
    case IncompatibilityType::kFixedSizeMismatch: return "FIXED_SIZE_MISMATCH";
    case IncompatibilityType::kMissingEnumSymbols: return "MISSING_ENUM_SYMBOLS";
    case IncompatibilityType::kReaderFieldMissingDefaultValue:
      return "READER_FIELD_MISSING_DEFAULT_VALUE";
    case IncompatibilityType::kTypeMismatch: return "TYPE_MISMATCH";
    case IncompatibilityType::kMissingUnionBranch: return "MISSING_UNION_BRANCH";
  }
  return "TYPE_MISMATCH";
}

// A location in the reader schema: a JSON pointer token and the location it is in. Shared and
// immutable, so that a finding keeps its location for the price of a pointer, however deep.
struct PathNode {
  std::string token;
  std::shared_ptr<const PathNode> parent;  ///< null at the root
};
using Path = std::shared_ptr<const PathNode>;

// Out of line, like the other helpers the recursion calls (see SetTooDeep).
[[gnu::noinline]] Path Child(const Path& parent, std::string_view token) {
  return std::make_shared<const PathNode>(PathNode{std::string(token), parent});
}

[[gnu::noinline]] Path Child(const Path& parent, size_t index) {
  return Child(parent, std::to_string(index));
}

// Java's Incompatibility.getLocation: the tokens after the root, as a JSON pointer.
std::string Location(const Path& path) {
  std::vector<const std::string*> tokens;
  for (const PathNode* node = path.get(); node != nullptr && node->parent != nullptr;
       node = node->parent.get()) {
    tokens.push_back(&node->token);
  }
  std::string out = "/";
  for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
    if (it != tokens.rbegin()) out += '/';
    out += EscapePointerToken(**it);
  }
  return out;
}

struct Incompatibility {
  IncompatibilityType type;
  std::string message;  ///< Avro's own message: Confluent's additionalInfo
  Path path;            ///< where in the reader schema
};

// Findings are shared: a result is passed up through every enclosing comparison and kept in the
// memo, and copying a pointer is what keeps that linear.
using Incompatibilities = std::vector<std::shared_ptr<const Incompatibility>>;

// Java lists every finding, and a named type reused by many fields repeats its findings once per
// use, which can grow without bound; a registry answer lists at most this many.
constexpr size_t kMaxIncompatibilities = 100;

void Append(Incompatibilities* to, const Incompatibilities& from) {
  for (const auto& found : from) {
    if (to->size() >= kMaxIncompatibilities) return;
    to->push_back(found);
  }
}

void Add(Incompatibilities* to, IncompatibilityType type, std::string message, Path path) {
  if (to->size() >= kMaxIncompatibilities) return;
  to->push_back(std::make_shared<const Incompatibility>(
      Incompatibility{type, std::move(message), std::move(path)}));
}

class ReaderWriterChecker {
 public:
  Incompatibilities Check(const AvroNode& reader, const AvroNode& writer) {
    return FromRoot(reader, writer);
  }

  /// Set when the check could not finish (Java would have thrown).
  const std::optional<std::string>& failure() const { return failure_; }

 private:
  Incompatibilities FromRoot(const AvroNode& reader, const AvroNode& writer) {
    return Compare("", reader, writer, nullptr);
  }

  // Java's memoized getCompatibility(referenceToken, reader, writer, location).
  Incompatibilities Compare(std::string_view token, const AvroNode& reader, const AvroNode& writer,
                            const Path& parent) {
    if (failure_) return {};
    bool is_new = false;
    std::optional<Incompatibilities>* memo = MemoEntry(reader, writer, &is_new);
    if (!is_new) {
      // In progress (nullopt) means recursion: compatible unless proven otherwise elsewhere.
      return memo->has_value() ? **memo : Incompatibilities();
    }
    if (depth_ >= kMaxCheckDepth) {
      SetTooDeep();
      return {};
    }
    ++depth_;
    Incompatibilities result = Calculate(reader, writer, Child(parent, token));
    --depth_;
    *memo = result;
    return result;
  }

  // The memo entry of a pair (map nodes do not move), created "in progress" if new.
  [[gnu::noinline]] std::optional<Incompatibilities>* MemoEntry(const AvroNode& reader,
                                                                const AvroNode& writer,
                                                                bool* is_new) {
    auto [it, inserted] = memo_.try_emplace(std::make_pair(&reader, &writer));
    *is_new = inserted;
    return &it->second;
  }

  // The helpers that format messages are kept out of line: inlined into the recursion, their
  // temporaries would make every level's stack frame several times larger.
  [[gnu::noinline]] void SetTooDeep() {
    failure_ = fmt::format("schemas nest more than {} levels deep", kMaxCheckDepth);
  }

  [[gnu::noinline]] void SetMultipleMatches(const AvroField& field, const AvroNode& writer) {
    failure_ =
        fmt::format("Reader record field {} matches multiple fields in writer record schema {}",
                    field.name, writer.full_name);
  }

  [[gnu::noinline]] static void AddMissingUnionBranch(AvroType writer_type, Path path,
                                                      Incompatibilities* result) {
    Add(result, IncompatibilityType::kMissingUnionBranch,
        fmt::format("reader union lacking writer type: {}", AvroTypeJavaName(writer_type)),
        std::move(path));
  }

  [[gnu::noinline]] static void AddTypeMismatch(const AvroNode& reader, const AvroNode& writer,
                                                Path path, Incompatibilities* result) {
    Add(result, IncompatibilityType::kTypeMismatch,
        fmt::format("reader type: {} not compatible with writer type: {}",
                    AvroTypeJavaName(reader.type), AvroTypeJavaName(writer.type)),
        std::move(path));
  }

  [[gnu::noinline]] Incompatibilities Calculate(const AvroNode& reader, const AvroNode& writer,
                                                const Path& path) {
    Incompatibilities result;
    if (reader.type == writer.type) {
      switch (reader.type) {
        case AvroType::kArray: return Compare("items", *reader.items, *writer.items, path);
        case AvroType::kMap: return Compare("values", *reader.values, *writer.values, path);
        case AvroType::kFixed:
          CheckNames(reader, writer, path, &result);
          CheckFixedSize(reader, writer, path, &result);
          return result;
        case AvroType::kEnum:
          CheckNames(reader, writer, path, &result);
          CheckEnumSymbols(reader, writer, path, &result);
          return result;
        case AvroType::kRecord:
          CheckNames(reader, writer, path, &result);
          CheckRecordFields(reader, writer, path, &result);
          return result;
        case AvroType::kUnion:
          // Every branch the writer may have written must be readable.
          for (size_t i = 0; i < writer.branches.size(); ++i) {
            if (!FromRoot(reader, *writer.branches[i]).empty()) {
              AddMissingUnionBranch(writer.branches[i]->type, Child(path, i), &result);
            }
          }
          return result;
        default:  // the primitives
          return result;
      }
    }
    // A reader reads a writer union if it reads each of its branches.
    if (writer.type == AvroType::kUnion) {
      for (const AvroNode* branch : writer.branches) Append(&result, FromRoot(reader, *branch));
      return result;
    }
    switch (reader.type) {
      case AvroType::kLong:
        if (writer.type == AvroType::kInt) return result;
        break;
      case AvroType::kFloat:
        if (writer.type == AvroType::kInt || writer.type == AvroType::kLong) return result;
        break;
      case AvroType::kDouble:
        if (writer.type == AvroType::kInt || writer.type == AvroType::kLong ||
            writer.type == AvroType::kFloat) {
          return result;
        }
        break;
      case AvroType::kBytes:
        if (writer.type == AvroType::kString) return result;
        break;
      case AvroType::kString:
        if (writer.type == AvroType::kBytes) return result;
        break;
      case AvroType::kUnion:
        // A reader union reads a writer type if one of its branches does.
        for (const AvroNode* branch : reader.branches) {
          if (FromRoot(*branch, writer).empty()) return result;
        }
        AddMissingUnionBranch(writer.type, path, &result);
        return result;
      default: break;
    }
    AddTypeMismatch(reader, writer, path, &result);
    return result;
  }

  // The unqualified names are equal, or the reader's aliases hold the writer's full name.
  [[gnu::noinline]] static void CheckNames(const AvroNode& reader, const AvroNode& writer,
                                           const Path& path, Incompatibilities* result) {
    if (reader.name == writer.name || std::find(reader.aliases.begin(), reader.aliases.end(),
                                                writer.full_name) != reader.aliases.end()) {
      return;
    }
    Add(result, IncompatibilityType::kNameMismatch, fmt::format("expected: {}", writer.full_name),
        Child(path, "name"));
  }

  [[gnu::noinline]] static void CheckFixedSize(const AvroNode& reader, const AvroNode& writer,
                                               const Path& path, Incompatibilities* result) {
    if (reader.size == writer.size) return;
    Add(result, IncompatibilityType::kFixedSizeMismatch,
        fmt::format("expected: {}, found: {}", writer.size, reader.size), Child(path, "size"));
  }

  [[gnu::noinline]] static void CheckEnumSymbols(const AvroNode& reader, const AvroNode& writer,
                                                 const Path& path, Incompatibilities* result) {
    // A reader enum with a default reads any symbol it lacks as its default.
    if (reader.enum_default) return;
    const std::set<std::string_view> known(reader.symbols.begin(), reader.symbols.end());
    std::set<std::string_view> missing;  // sorted, as Java's TreeSet prints them
    for (const std::string& symbol : writer.symbols) {
      if (known.count(symbol) == 0) missing.insert(symbol);
    }
    if (missing.empty()) return;
    Add(result, IncompatibilityType::kMissingEnumSymbols,
        fmt::format("[{}]", fmt::join(missing, ", ")), Child(path, "symbols"));
  }

  [[gnu::noinline]] void CheckRecordFields(const AvroNode& reader, const AvroNode& writer,
                                           const Path& path, Incompatibilities* result) {
    const Path fields = Child(path, "fields");
    for (size_t pos = 0; pos < reader.fields.size() && !failure_; ++pos) {
      const AvroField& field = reader.fields[pos];
      const Path at = Child(fields, pos);
      // Java's lookupWriterField: the writer field of the same name, and one per reader alias.
      const AvroField* match = writer.FindField(field.name);
      size_t matches = match != nullptr ? 1 : 0;
      for (const std::string& alias : field.aliases) {
        if (const AvroField* by_alias = writer.FindField(alias)) {
          match = by_alias;
          ++matches;
        }
      }
      if (matches > 1) {
        SetMultipleMatches(field, writer);
      } else if (matches == 1) {
        Append(result, Compare("type", *field.type, *match->type, at));
      } else if (!field.default_value) {
        if (field.type->type == AvroType::kEnum && field.type->enum_default) {
          Append(result, Compare("type", *field.type, writer, at));
        } else {
          Add(result, IncompatibilityType::kReaderFieldMissingDefaultValue, field.name, at);
        }
      }
    }
  }

  std::map<std::pair<const AvroNode*, const AvroNode*>, std::optional<Incompatibilities>> memo_;
  size_t depth_ = 0;
  std::optional<std::string> failure_;
};

// Confluent's Difference.toString, with its two %s filled as BACKWARD fills them: the reader is
// the "new" schema, the writer the "old".
std::string Describe(const Incompatibility& found) {
  constexpr std::string_view kReader = "new";
  constexpr std::string_view kWriter = "old";
  const std::string location = Location(found.path);
  std::string description;
  switch (found.type) {
    case IncompatibilityType::kFixedSizeMismatch:
      description = fmt::format(
          "The size of FIXED type field at path '{}' in the {} schema does not match with the {} "
          "schema",
          location, kReader, kWriter);
      break;
    case IncompatibilityType::kTypeMismatch:
      description = fmt::format(
          "The type (path '{}') of a field in the {} schema does not match with the {} schema",
          location, kReader, kWriter);
      break;
    case IncompatibilityType::kNameMismatch:
      description = fmt::format("The name of the schema has changed (path '{}')", location);
      break;
    case IncompatibilityType::kMissingEnumSymbols:
      description = fmt::format(
          "The {} schema is missing enum symbols '{}' at path '{}' in the {} "
          "schema",
          kReader, found.message, location, kWriter);
      break;
    case IncompatibilityType::kMissingUnionBranch:
      description = fmt::format(
          "The {} schema is missing a type inside a union field at path '{}' in the {} schema",
          kReader, location, kWriter);
      break;
    case IncompatibilityType::kReaderFieldMissingDefaultValue:
      description = fmt::format(
          "The field '{}' at path '{}' in the {} schema has no default value and is missing in "
          "the {} schema",
          found.message, location, kReader, kWriter);
      break;
  }
  return fmt::format("{{errorType:'{}', description:'{}', additionalInfo:'{}'}}",
                     TypeName(found.type), description, found.message);
}

}  // namespace

Result<std::string> CanonicalAvroSchema(std::string_view text) {
  ASSIGN_OR_RETURN(AvroSchema schema, AvroSchema::Parse(text));
  return schema.RegistryCanonicalForm();
}

std::vector<std::string> AvroBackwardIncompatibilities(std::string_view original,
                                                       std::string_view update) {
  Result<AvroSchema> writer = AvroSchema::Parse(original);
  if (!writer.ok()) return {"Invalid schema: " + writer.status().message()};
  Result<AvroSchema> reader = AvroSchema::Parse(update);
  if (!reader.ok()) return {"Invalid schema: " + reader.status().message()};

  ReaderWriterChecker checker;
  Incompatibilities found = checker.Check(reader->root(), writer->root());
  if (checker.failure()) {
    return {"Unexpected exception during compatibility check: " + *checker.failure()};
  }
  std::vector<std::string> messages;
  messages.reserve(found.size());
  for (const auto& incompatibility : found) messages.push_back(Describe(*incompatibility));
  return messages;
}

}  // namespace assay::schema
