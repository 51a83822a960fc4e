#include "schema/registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "core/utf8.h"
#include "events/event_bus.h"

namespace assay::schema {
namespace {

using events::RegistryConfigRow;
using events::RegistryVersionRow;

// The topic of a deletion; event.h names the others.
constexpr std::string_view kSchemaDeleted = events::topic::kSchemaDeleted;

// A refusal decided inside a store transaction: the transaction rolls back on this Status and
// the caller returns the RegistryError kept beside it.
Status Refuse(std::optional<RegistryError>* slot, RegistryError error) {
  *slot = std::move(error);
  return {StatusCode::kFailedPrecondition, "refused"};
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

std::vector<RegistryVersionRow> Filter(const std::vector<RegistryVersionRow>& rows,
                                       bool include_deleted) {
  std::vector<RegistryVersionRow> out;
  for (const RegistryVersionRow& row : rows) {
    if (include_deleted || !row.deleted) out.push_back(row);
  }
  return out;
}

// BACKWARD_TRANSITIVE against one version is BACKWARD against it.
CompatibilityLevel NonTransitive(CompatibilityLevel level) {
  switch (level) {
    case CompatibilityLevel::kBackwardTransitive: return CompatibilityLevel::kBackward;
    case CompatibilityLevel::kForwardTransitive: return CompatibilityLevel::kForward;
    case CompatibilityLevel::kFullTransitive: return CompatibilityLevel::kFull;
    default: return level;
  }
}

void Apply(const std::optional<RegistryConfigRow>& row, RegistryConfig* config) {
  if (!row) return;
  if (row->compatibility) {
    if (auto level = CompatibilityLevelFromName(*row->compatibility)) config->level = *level;
  }
  if (row->policy) {
    if (auto policy = CompatibilityPolicyFromName(*row->policy)) config->policy = *policy;
  }
}

bool HasConfig(const std::optional<RegistryConfigRow>& row) {
  return row && (row->compatibility || row->policy);
}

// The schema's validity and dedup key, or the 42201/42209 refusal.
RegistryResult<std::string> Canonical(SchemaFormat format, std::string_view text,
                                      size_t max_bytes) {
  if (IsBlank(text)) return RegistryError::InvalidSchema("Empty schema");
  if (max_bytes != 0 && text.size() > max_bytes) return RegistryError::SchemaTooLarge();
  Result<std::string> canonical = CanonicalSchema(format, text);
  if (!canonical.ok()) return RegistryError::InvalidSchema(canonical.status().message());
  return std::move(canonical).value();
}

}  // namespace

std::string VersionRef::ToString() const {
  return number ? std::to_string(*number) : std::string("latest");
}

RegistryResult<VersionRef> VersionRef::Parse(std::string_view text) {
  if (text == "latest") return VersionRef{};
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return RegistryError::InvalidVersion(text);
  }
  if (value == -1) return VersionRef{};
  if (value < 1 || value > std::numeric_limits<int32_t>::max()) {
    return RegistryError::InvalidVersion(text);
  }
  return VersionRef{static_cast<int>(value)};
}

std::optional<RegistryError> ValidateSubject(std::string_view subject) {
  if (subject.empty()) return RegistryError::InvalidSubject(subject, "it is empty");
  if (!IsValidUtf8(subject)) return RegistryError::InvalidSubject(subject, "it is not UTF-8");
  for (char c : subject) {
    auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return RegistryError::InvalidSubject(subject, "it holds a control character");
    }
  }
  return std::nullopt;
}

SchemaRegistry::SchemaRegistry(std::unique_ptr<events::RegistryStore> store,
                               RegistryOptions options, events::EventBus* bus)
    : store_(std::move(store)), options_(options), bus_(bus) {}

Result<std::unique_ptr<SchemaRegistry>> SchemaRegistry::Open(const std::filesystem::path& state_dir,
                                                             RegistryOptions options,
                                                             events::EventBus* bus) {
  ASSIGN_OR_RETURN(auto store, events::RegistryStore::Open(state_dir));
  return std::make_unique<SchemaRegistry>(std::move(store), options, bus);
}

void SchemaRegistry::Publish(std::vector<events::Event> pending) {
  if (bus_ == nullptr) return;
  for (events::Event& event : pending) bus_->Publish(std::move(event));
}

Result<SubjectVersion> SchemaRegistry::Resolve(const RegistryVersionRow& row) {
  ASSIGN_OR_RETURN(auto schema, store_->SchemaById(row.schema_id));
  std::optional<SchemaFormat> format = schema ? SchemaFormatFromName(schema->format) : std::nullopt;
  if (!format) {
    return DataLoss(fmt::format("registry: version {} of '{}' refers to schema {}, which is {}",
                                row.version, row.subject, row.schema_id,
                                schema ? "of an unknown format" : "missing"));
  }
  return SubjectVersion{row.subject, row.version,  row.schema_id,
                        *format,     schema->text, row.deleted};
}

Result<RegistryConfig> SchemaRegistry::Effective(std::optional<std::string_view> subject) {
  RegistryConfig config = options_.defaults;
  ASSIGN_OR_RETURN(auto global, store_->Config(std::nullopt));
  Apply(global, &config);
  if (subject) {
    ASSIGN_OR_RETURN(auto own, store_->Config(subject));
    Apply(own, &config);
  }
  return config;
}

Result<std::vector<PreviousVersion>> SchemaRegistry::Previous(
    const std::vector<RegistryVersionRow>& rows) {
  std::vector<PreviousVersion> out;
  for (const RegistryVersionRow& row : rows) {
    if (row.deleted) continue;
    ASSIGN_OR_RETURN(SubjectVersion version, Resolve(row));
    out.push_back(PreviousVersion{version.version, version.format, std::move(version.text)});
  }
  return out;
}

RegistryResult<Registration> SchemaRegistry::Register(std::string_view subject, SchemaFormat format,
                                                      std::string_view text) {
  std::vector<events::Event> pending;
  RegistryResult<Registration> result = [&] {
    std::lock_guard lock(mu_);
    return RegisterLocked(subject, format, text, &pending);
  }();
  Publish(std::move(pending));
  return result;
}

RegistryResult<Registration> SchemaRegistry::RegisterLocked(std::string_view subject,
                                                            SchemaFormat format,
                                                            std::string_view text,
                                                            std::vector<events::Event>* pending) {
  if (auto invalid = ValidateSubject(subject)) return *invalid;
  RegistryResult<std::string> canonical = Canonical(format, text, options_.max_schema_bytes);
  if (!canonical.ok()) return canonical.error();
  const std::string format_name(SchemaFormatName(format));

  Registration out;
  bool first_live = false;
  std::optional<RegistryError> refusal;
  RegistryConfig config;
  Status status = store_->InTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto rows, store_->Versions(subject));
    ASSIGN_OR_RETURN(auto existing, store_->SchemaByCanonical(format_name, *canonical));
    if (existing) {
      for (const RegistryVersionRow& row : rows) {
        if (!row.deleted && row.schema_id == existing->id) {
          out = Registration{existing->id, row.version, false};
          return Status::Ok();
        }
      }
    }
    ASSIGN_OR_RETURN(config, Effective(subject));
    ASSIGN_OR_RETURN(auto previous, Previous(rows));
    CompatibilityVerdict verdict =
        CheckCompatibility(format, text, previous, config.level, config.policy);
    if (!verdict.compatible) {
      pending->push_back(
          events::Event::Make(events::topic::kSchemaIncompatible,
                              fmt::format("schema for subject '{}' is incompatible ({})", subject,
                                          CompatibilityLevelName(config.level)),
                              events::Severity::kError)
              .Set("subject", subject)
              .Set("compatibility", CompatibilityLevelName(config.level))
              .Set("schema_type", format_name)
              .Set("reason", fmt::format("{}", fmt::join(verdict.messages, ", "))));
      return Refuse(&refusal, RegistryError::Incompatible(subject, verdict.messages));
    }
    int64_t id = 0;
    if (existing) {
      id = existing->id;
    } else {
      ASSIGN_OR_RETURN(id, store_->InsertSchema(format_name, *canonical, text));
    }
    int max_version = 0;
    bool any_live = false;
    for (const RegistryVersionRow& row : rows) {
      max_version = std::max(max_version, row.version);
      any_live = any_live || !row.deleted;
      // Re-registering a soft-deleted schema moves it to the new version (as Confluent does).
      if (row.deleted && row.schema_id == id) {
        RETURN_IF_ERROR(store_->RemoveVersions(subject, row.version));
      }
    }
    out = Registration{id, max_version + 1, true};
    first_live = !any_live;
    return store_->InsertVersion(subject, out.version, id);
  });
  if (refusal) return *refusal;
  if (!status.ok()) return RegistryError::Store(status);
  if (out.created) {
    pending->push_back(
        events::Event::Make(
            first_live ? events::topic::kSchemaRegistered : events::topic::kSchemaEvolved,
            fmt::format("subject '{}' version {} (schema id {})", subject, out.version, out.id))
            .Set("subject", subject)
            .Set("version", out.version)
            .Set("id", out.id)
            .Set("schema_type", format_name)
            .Set("compatibility", CompatibilityLevelName(config.level)));
  }
  return out;
}

RegistryResult<SubjectVersion> SchemaRegistry::Lookup(std::string_view subject, SchemaFormat format,
                                                      std::string_view text, bool include_deleted) {
  if (auto invalid = ValidateSubject(subject)) return *invalid;
  RegistryResult<std::string> canonical = Canonical(format, text, options_.max_schema_bytes);
  if (!canonical.ok()) return canonical.error();
  std::lock_guard lock(mu_);
  auto rows = store_->Versions(subject);
  if (!rows.ok()) return RegistryError::Store(rows.status());
  std::vector<RegistryVersionRow> candidates = Filter(*rows, include_deleted);
  if (candidates.empty()) return RegistryError::SubjectNotFound(subject);
  auto existing = store_->SchemaByCanonical(SchemaFormatName(format), *canonical);
  if (!existing.ok()) return RegistryError::Store(existing.status());
  if (!*existing) return RegistryError::SchemaNotFound();
  for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
    if (it->schema_id != (*existing)->id) continue;
    Result<SubjectVersion> version = Resolve(*it);
    if (!version.ok()) return RegistryError::Store(version.status());
    return std::move(version).value();
  }
  return RegistryError::SchemaNotFound();
}

RegistryResult<SubjectVersion> SchemaRegistry::GetVersion(std::string_view subject,
                                                          VersionRef version,
                                                          bool include_deleted) {
  std::lock_guard lock(mu_);
  auto rows = store_->Versions(subject);
  if (!rows.ok()) return RegistryError::Store(rows.status());
  std::vector<RegistryVersionRow> candidates = Filter(*rows, include_deleted);
  if (candidates.empty()) return RegistryError::SubjectNotFound(subject);
  const RegistryVersionRow* found = nullptr;
  if (version.latest()) {
    found = &candidates.back();
  } else {
    for (const RegistryVersionRow& row : candidates) {
      if (row.version == *version.number) found = &row;
    }
  }
  if (found == nullptr) return RegistryError::VersionNotFound(version.ToString());
  Result<SubjectVersion> resolved = Resolve(*found);
  if (!resolved.ok()) return RegistryError::Store(resolved.status());
  return std::move(resolved).value();
}

RegistryResult<std::vector<std::string>> SchemaRegistry::ListSubjects(const ListFilter& filter) {
  std::lock_guard lock(mu_);
  auto rows = store_->AllVersions();
  if (!rows.ok()) return RegistryError::Store(rows.status());
  std::map<std::string, std::pair<bool, bool>> subjects;  // subject -> (any live, any deleted)
  for (const RegistryVersionRow& row : *rows) {
    if (!row.subject.starts_with(filter.subject_prefix)) continue;
    auto& [live, deleted] = subjects[row.subject];
    live = live || !row.deleted;
    deleted = deleted || row.deleted;
  }
  std::vector<std::string> out;
  for (const auto& [subject, state] : subjects) {
    bool include = filter.deleted_only ? state.second : (filter.deleted || state.first);
    if (include) out.push_back(subject);
  }
  return out;
}

RegistryResult<std::vector<int>> SchemaRegistry::ListVersions(std::string_view subject,
                                                              const ListFilter& filter) {
  std::lock_guard lock(mu_);
  auto rows = store_->Versions(subject);
  if (!rows.ok()) return RegistryError::Store(rows.status());
  std::vector<int> out;
  for (const RegistryVersionRow& row : *rows) {
    bool include = filter.deleted_only ? row.deleted : (filter.deleted || !row.deleted);
    if (include) out.push_back(row.version);
  }
  if (out.empty()) return RegistryError::SubjectNotFound(subject);
  return out;
}

RegistryResult<std::vector<int>> SchemaRegistry::DeleteSubject(std::string_view subject,
                                                               bool permanent) {
  std::vector<events::Event> pending;
  RegistryResult<std::vector<int>> result = [&] {
    std::lock_guard lock(mu_);
    return DeleteSubjectLocked(subject, permanent, &pending);
  }();
  Publish(std::move(pending));
  return result;
}

RegistryResult<std::vector<int>> SchemaRegistry::DeleteSubjectLocked(
    std::string_view subject, bool permanent, std::vector<events::Event>* pending) {
  std::vector<int> deleted;
  std::optional<RegistryError> refusal;
  Status status = store_->InTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto rows, store_->Versions(subject));
    if (rows.empty()) return Refuse(&refusal, RegistryError::SubjectNotFound(subject));
    bool any_live = false;
    for (const RegistryVersionRow& row : rows) {
      any_live = any_live || !row.deleted;
      if (permanent || !row.deleted) deleted.push_back(row.version);
    }
    if (!permanent) {
      if (!any_live) return Refuse(&refusal, RegistryError::SubjectSoftDeleted(subject));
      RETURN_IF_ERROR(store_->MarkDeleted(subject, std::nullopt));
      return store_->DeleteConfig(subject);
    }
    if (any_live) return Refuse(&refusal, RegistryError::SubjectNotSoftDeleted(subject));
    return store_->RemoveVersions(subject, std::nullopt);
  });
  if (refusal) return *refusal;
  if (!status.ok()) return RegistryError::Store(status);
  pending->push_back(
      events::Event::Make(kSchemaDeleted,
                          fmt::format("subject '{}' deleted{} (versions {})", subject,
                                      permanent ? " permanently" : "", fmt::join(deleted, ", ")))
          .Set("subject", subject)
          .Set("versions", fmt::format("{}", fmt::join(deleted, ",")))
          .Set("permanent", permanent));
  return deleted;
}

RegistryResult<int> SchemaRegistry::DeleteVersion(std::string_view subject, VersionRef version,
                                                  bool permanent) {
  std::vector<events::Event> pending;
  RegistryResult<int> result = [&] {
    std::lock_guard lock(mu_);
    return DeleteVersionLocked(subject, version, permanent, &pending);
  }();
  Publish(std::move(pending));
  return result;
}

RegistryResult<int> SchemaRegistry::DeleteVersionLocked(std::string_view subject,
                                                        VersionRef version, bool permanent,
                                                        std::vector<events::Event>* pending) {
  RegistryVersionRow target;
  std::optional<RegistryError> refusal;
  Status status = store_->InTransaction([&]() -> Status {
    ASSIGN_OR_RETURN(auto rows, store_->Versions(subject));
    if (rows.empty()) return Refuse(&refusal, RegistryError::SubjectNotFound(subject));
    // `latest` names the highest live version, or for a permanent delete the highest of all.
    std::vector<RegistryVersionRow> candidates =
        version.latest() ? Filter(rows, permanent) : std::move(rows);
    const RegistryVersionRow* found = nullptr;
    for (const RegistryVersionRow& row : candidates) {
      if (version.latest() || row.version == *version.number) found = &row;
    }
    if (found == nullptr) {
      return Refuse(&refusal, RegistryError::VersionNotFound(version.ToString()));
    }
    target = *found;
    if (permanent) {
      if (!target.deleted) {
        return Refuse(&refusal, RegistryError::VersionNotSoftDeleted(subject, target.version));
      }
      return store_->RemoveVersions(subject, target.version);
    }
    if (target.deleted) {
      return Refuse(&refusal, RegistryError::VersionSoftDeleted(subject, target.version));
    }
    RETURN_IF_ERROR(store_->MarkDeleted(subject, target.version));
    bool others_live = std::any_of(candidates.begin(), candidates.end(), [&](const auto& row) {
      return !row.deleted && row.version != target.version;
    });
    // The subject's last live version takes its config with it (as a subject delete does).
    if (!others_live) return store_->DeleteConfig(subject);
    return Status::Ok();
  });
  if (refusal) return *refusal;
  if (!status.ok()) return RegistryError::Store(status);
  pending->push_back(
      events::Event::Make(kSchemaDeleted,
                          fmt::format("subject '{}' version {} deleted{}", subject, target.version,
                                      permanent ? " permanently" : ""))
          .Set("subject", subject)
          .Set("version", target.version)
          .Set("id", target.schema_id)
          .Set("permanent", permanent));
  return target.version;
}

RegistryResult<RegisteredSchema> SchemaRegistry::GetSchemaById(int64_t id) {
  std::lock_guard lock(mu_);
  auto schema = store_->SchemaById(id);
  if (!schema.ok()) return RegistryError::Store(schema.status());
  if (!*schema) return RegistryError::SchemaNotFound(id);
  auto rows = store_->VersionsOfSchema(id);
  if (!rows.ok()) return RegistryError::Store(rows.status());
  std::optional<SchemaFormat> format = SchemaFormatFromName((*schema)->format);
  if (rows->empty() || !format) return RegistryError::SchemaNotFound(id);
  return RegisteredSchema{id, *format, (*schema)->text};
}

RegistryResult<std::vector<SubjectVersion>> SchemaRegistry::VersionsOfSchema(int64_t id,
                                                                             bool include_deleted) {
  std::lock_guard lock(mu_);
  auto rows = store_->VersionsOfSchema(id);
  if (!rows.ok()) return RegistryError::Store(rows.status());
  if (rows->empty()) return RegistryError::SchemaNotFound(id);
  std::vector<SubjectVersion> out;
  for (const RegistryVersionRow& row : Filter(*rows, include_deleted)) {
    Result<SubjectVersion> version = Resolve(row);
    if (!version.ok()) return RegistryError::Store(version.status());
    out.push_back(std::move(version).value());
  }
  return out;
}

RegistryResult<CompatibilityVerdict> SchemaRegistry::TestCompatibility(
    std::string_view subject, std::optional<VersionRef> version, SchemaFormat format,
    std::string_view text) {
  if (auto invalid = ValidateSubject(subject)) return *invalid;
  RegistryResult<std::string> canonical = Canonical(format, text, options_.max_schema_bytes);
  if (!canonical.ok()) return canonical.error();
  std::lock_guard lock(mu_);
  auto rows = store_->Versions(subject);
  if (!rows.ok()) return RegistryError::Store(rows.status());
  Result<RegistryConfig> config = Effective(subject);
  if (!config.ok()) return RegistryError::Store(config.status());
  std::vector<RegistryVersionRow> against = Filter(*rows, false);
  CompatibilityLevel level = config->level;
  if (version) {
    level = NonTransitive(level);
    if (version->latest()) {
      if (against.empty()) return CompatibilityVerdict{};
      against = {against.back()};
    } else {
      auto it = std::find_if(against.begin(), against.end(),
                             [&](const auto& row) { return row.version == *version->number; });
      if (it == against.end()) {
        if (rows->empty()) return RegistryError::SubjectNotFound(subject);
        return RegistryError::VersionNotFound(version->ToString());
      }
      against = {*it};
    }
  }
  Result<std::vector<PreviousVersion>> previous = Previous(against);
  if (!previous.ok()) return RegistryError::Store(previous.status());
  return CheckCompatibility(format, text, *previous, level, config->policy);
}

Status SchemaRegistry::Update(std::optional<std::string_view> subject, const ConfigUpdate& update) {
  ASSIGN_OR_RETURN(auto stored, store_->Config(subject));
  RegistryConfigRow row = stored.value_or(RegistryConfigRow{});
  if (update.level) row.compatibility = std::string(CompatibilityLevelName(*update.level));
  if (update.policy) row.policy = std::string(CompatibilityPolicyName(*update.policy));
  return store_->PutConfig(subject, row);
}

RegistryResult<RegistryConfig> SchemaRegistry::GetGlobalConfig() {
  std::lock_guard lock(mu_);
  Result<RegistryConfig> config = Effective(std::nullopt);
  if (!config.ok()) return RegistryError::Store(config.status());
  return *config;
}

RegistryResult<RegistryConfig> SchemaRegistry::SetGlobalConfig(const ConfigUpdate& update) {
  std::lock_guard lock(mu_);
  if (Status st = Update(std::nullopt, update); !st.ok()) return RegistryError::Store(st);
  Result<RegistryConfig> config = Effective(std::nullopt);
  if (!config.ok()) return RegistryError::Store(config.status());
  return *config;
}

RegistryResult<RegistryConfig> SchemaRegistry::DeleteGlobalConfig() {
  std::lock_guard lock(mu_);
  Result<RegistryConfig> previous = Effective(std::nullopt);
  if (!previous.ok()) return RegistryError::Store(previous.status());
  if (Status st = store_->DeleteConfig(std::nullopt); !st.ok()) return RegistryError::Store(st);
  return *previous;
}

RegistryResult<RegistryConfig> SchemaRegistry::GetSubjectConfig(std::string_view subject,
                                                                bool default_to_global) {
  std::lock_guard lock(mu_);
  auto own = store_->Config(subject);
  if (!own.ok()) return RegistryError::Store(own.status());
  if (!HasConfig(*own) && !default_to_global) {
    return RegistryError::SubjectConfigNotFound(subject);
  }
  Result<RegistryConfig> config = Effective(subject);
  if (!config.ok()) return RegistryError::Store(config.status());
  return *config;
}

RegistryResult<RegistryConfig> SchemaRegistry::SetSubjectConfig(std::string_view subject,
                                                                const ConfigUpdate& update) {
  if (auto invalid = ValidateSubject(subject)) return *invalid;
  std::lock_guard lock(mu_);
  if (Status st = Update(subject, update); !st.ok()) return RegistryError::Store(st);
  Result<RegistryConfig> config = Effective(subject);
  if (!config.ok()) return RegistryError::Store(config.status());
  return *config;
}

RegistryResult<RegistryConfig> SchemaRegistry::DeleteSubjectConfig(std::string_view subject) {
  std::lock_guard lock(mu_);
  auto own = store_->Config(subject);
  if (!own.ok()) return RegistryError::Store(own.status());
  if (!HasConfig(*own)) return RegistryError::SubjectNotFound(subject);
  Result<RegistryConfig> previous = Effective(subject);
  if (!previous.ok()) return RegistryError::Store(previous.status());
  if (Status st = store_->DeleteConfig(subject); !st.ok()) return RegistryError::Store(st);
  return *previous;
}

}  // namespace assay::schema
