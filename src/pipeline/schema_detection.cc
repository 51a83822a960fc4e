#include "pipeline/schema_detection.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <simdjson.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

#include "config/logging.h"
#include "core/file_io.h"
#include "pipeline/file_options.h"
#include "pipeline/schema_subjects.h"
#include "schema/json_schema.h"

namespace assay::pipeline {
namespace {

// Whether an earlier run committed this file whole (same path, size and mtime): its rows fit
// the schema in force already, so they need not be sampled again.
Result<bool> AlreadyIngested(events::StateStore& store, const std::string& source,
                             const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return ErrnoStatus(errno, path);
  const int64_t mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  ASSIGN_OR_RETURN(auto known,
                   store.FindFileByStat(source, path, static_cast<uint64_t>(st.st_size), mtime_ns));
  return known.has_value() && known->complete;
}

// Read errors that mean the bytes themselves are bad: the run rejects them; the sample stops.
bool IsDataError(const Status& s) {
  return s.code() == StatusCode::kDataLoss || s.code() == StatusCode::kInvalidArgument;
}

void AddName(std::string_view name, std::vector<std::string>& names,
             std::set<std::string, std::less<>>& seen) {
  if (name.empty() || seen.contains(name)) return;
  seen.emplace(name);
  names.emplace_back(name);
}

// The fields file `index` holds: a CSV file's header columns (or csv.column_names), else the
// top-level keys of its first `max_rows` JSON records, in order of first appearance.
Result<std::vector<std::string>> FieldsOf(const sources::FileSource& files, size_t index,
                                          const config::SourceConfig& source, uint64_t max_rows,
                                          size_t batch_max_rows) {
  std::vector<std::string> names;
  std::set<std::string, std::less<>> seen;
  ASSIGN_OR_RETURN(sources::FileFormat format, files.FormatOf(files.files()[index]));
  if (format == sources::FileFormat::kCsv && !source.csv.header) {
    for (const std::string& name : source.csv.column_names) AddName(name, names, seen);
    return names;
  }
  Result<std::unique_ptr<sources::RecordReader>> opened = files.Open(index, 0);
  if (!opened.ok()) {
    if (IsDataError(opened.status())) return names;  // the run reports the file
    return opened.status();
  }
  std::unique_ptr<sources::RecordReader> reader = std::move(opened).value();
  if (format == sources::FileFormat::kCsv) {
    // Nothing is wanted, so every header column is an extra one.
    for (const std::string& name : reader->extra_fields()) AddName(name, names, seen);
    return names;
  }
  simdjson::dom::parser parser;
  uint64_t rows = 0;
  while (rows < max_rows) {
    Batch batch;
    batch.AddUnit(files.files()[index]);
    Result<size_t> n = reader->ReadBatch(
        batch, static_cast<size_t>(std::min<uint64_t>(max_rows - rows, batch_max_rows)));
    if (!n.ok() && !IsDataError(n.status())) return n.status();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      if (batch.has_parse_error(r)) continue;
      const std::string_view text = batch.record_text(r);
      simdjson::dom::object object;
      if (parser.parse(text.data(), text.size()).get(object) != simdjson::SUCCESS) continue;
      for (auto [key, value] : object) AddName(key, names, seen);
    }
    rows += batch.num_rows();
    if (!n.ok() || batch.num_rows() == 0) break;
  }
  return names;
}

// Writes `text` to `path` through a temporary file and a rename, so a reader never sees half.
Status WriteSchemaFile(const std::filesystem::path& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return ErrnoStatus(ec.value(), path.parent_path().string());
  const std::filesystem::path temp = path.parent_path() / ("." + path.filename().string() + ".tmp");
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoStatus(errno, temp.string());
  if (Status st = WriteAll(fd, text.ends_with('\n') ? text : text + "\n", temp.string());
      !st.ok()) {
    ::close(fd);
    return st;
  }
  RETURN_IF_ERROR(SyncAndClose(fd, temp.string()));
  if (::rename(temp.c_str(), path.c_str()) != 0) return ErrnoStatus(errno, path.string());
  return Status::Ok();
}

std::string Join(const std::vector<std::string>& lines) {
  return fmt::format("{}", fmt::join(lines, "; "));
}

// Why the registry refuses `text` for `subject`: the checker's findings, each with the JSON
// pointer of the field, without the old schema's full text that Confluent's 409 appends.
std::string Refusal(schema::SchemaRegistry& registry, const std::string& subject,
                    const std::string& text, const schema::RegistryError& error) {
  if (error.error_code != 409) return error.message;
  auto verdict =
      registry.TestCompatibility(subject, std::nullopt, schema::SchemaFormat::kJson, text);
  if (!verdict.ok()) return error.message;
  std::vector<std::string> findings;
  for (const std::string& m : verdict->messages) {
    if (m.starts_with("{errorType")) findings.push_back(m);
  }
  return findings.empty() ? error.message : fmt::format("{}", fmt::join(findings, ", "));
}

}  // namespace

Status SampleSource(const config::SourceConfig& source, const config::PipelineConfig& pipeline,
                    events::StateStore& store, bool reprocess, schema::SchemaDetector& detector) {
  ASSIGN_OR_RETURN(std::unique_ptr<sources::FileSource> files,
                   sources::FileSource::Make(FileOptionsFor(source, pipeline, {})));
  uint64_t remaining = source.schema_sample_rows;
  for (size_t i = 0; i < files->files().size() && remaining > 0; ++i) {
    const std::string& path = files->files()[i];
    if (!reprocess) {
      ASSIGN_OR_RETURN(bool ingested, AlreadyIngested(store, source.name, path));
      if (ingested) continue;
    }
    ASSIGN_OR_RETURN(std::vector<std::string> fields,
                     FieldsOf(*files, i, source, remaining, pipeline.batch_max_rows));
    if (fields.empty()) continue;
    ASSIGN_OR_RETURN(std::unique_ptr<sources::FileSource> typed,
                     sources::FileSource::Make(FileOptionsFor(source, pipeline, fields)));
    auto at = std::find(typed->files().begin(), typed->files().end(), path);
    if (at == typed->files().end()) continue;  // gone since the glob was first expanded
    Result<std::unique_ptr<sources::RecordReader>> reader =
        typed->Open(static_cast<size_t>(at - typed->files().begin()), 0);
    if (!reader.ok()) {
      if (IsDataError(reader.status())) continue;
      return reader.status();
    }
    while (remaining > 0) {
      Batch batch;
      for (const std::string& f : fields) batch.AddColumn(f);
      batch.AddUnit(path);
      batch.source_name = source.name;
      Result<size_t> n = (*reader)->ReadBatch(
          batch, static_cast<size_t>(std::min<uint64_t>(remaining, pipeline.batch_max_rows)));
      if (!n.ok() && !IsDataError(n.status())) return n.status();
      detector.Add(batch);
      remaining -= std::min<uint64_t>(remaining, batch.num_rows());
      if (!n.ok() || batch.num_rows() == 0) break;
    }
  }
  return Status::Ok();
}

Result<bool> ResolveDetectedSchema(const RunContext& run, schema::SchemaRegistry& registry,
                                   events::StateStore& store, PreparedSource& source) {
  const config::SourceConfig& sc = *source.config;
  // The subject a committed `schemas/<source>.json` would have: taking over the written file
  // continues the same history.
  const std::string subject = sc.name;
  const std::filesystem::path file =
      run.config.pipeline.state_dir / "schemas" / (sc.name + ".json");
  auto log = config::GetLogger("registry");

  schema::SchemaDetector detector;
  RETURN_IF_ERROR(SampleSource(sc, run.config.pipeline, store, run.options.reprocess, detector));

  schema::RegistryResult<schema::SubjectVersion> latest =
      registry.GetVersion(subject, schema::VersionRef{}, /*include_deleted=*/false);
  std::string text;
  schema::Registration in_force;
  if (!latest.ok()) {
    if (latest.error().error_code != 40401) {
      return FailedPrecondition(
          fmt::format("subject '{}' cannot be read: {}", subject, latest.error().message));
    }
    if (detector.rows() == 0) {
      log->info("source '{}': no new rows to detect a schema from: nothing to do", sc.name);
      return false;
    }
    ASSIGN_OR_RETURN(text, detector.ToJsonSchema(subject));
    schema::RegistryResult<schema::Registration> registered =
        registry.Register(subject, schema::SchemaFormat::kJson, text);
    if (!registered.ok()) {
      return FailedPrecondition(
          fmt::format("the detected schema of source '{}' cannot be "
                      "registered as subject '{}': {}",
                      sc.name, subject, registered.error().message));
    }
    in_force = *registered;
    // Widening adds optional fields to an open object: Confluent's rules refuse that, the
    // lenient policy does not. A policy the user set for the subject wins.
    if (auto own = registry.GetSubjectConfig(subject, /*default_to_global=*/false);
        !own.ok() && own.error().error_code == 40408) {
      (void)registry.SetSubjectConfig(subject,
                                      {std::nullopt, schema::CompatibilityPolicy::kLenient});
    }
    log->info(
        "source '{}': schema detected from {} rows, registered as version {} of subject "
        "'{}' (id {})",
        sc.name, detector.rows(), in_force.version, subject, in_force.id);
    run.bus.Publish(events::Event::Make(events::topic::kSchemaDetected,
                                        fmt::format("schema of source '{}' detected from {} rows",
                                                    sc.name, detector.rows()))
                        .WithSource(sc.name)
                        .Set("subject", subject)
                        .Set("version", in_force.version)
                        .Set("id", in_force.id)
                        .Set("fields", static_cast<uint64_t>(detector.Fields().size()))
                        .Set("rows", detector.rows())
                        .Set("file", file.string()));
  } else {
    if (latest->format != schema::SchemaFormat::kJson) {
      return FailedPrecondition(fmt::format(
          "subject '{}' holds an Avro schema (version {}): schema: auto needs a JSON Schema "
          "subject",
          subject, latest->version));
    }
    text = latest->text;
    in_force = {latest->id, latest->version, false};
    Result<std::optional<schema::SchemaWidening>> widened =
        schema::WidenJsonSchema(latest->text, detector);
    if (!widened.ok()) {
      return FailedPrecondition(fmt::format("subject '{}' version {}: {}", subject, latest->version,
                                            widened.status().message()));
    }
    if (*widened) {
      const schema::SchemaWidening& widening = **widened;
      schema::RegistryResult<schema::Registration> registered =
          registry.Register(subject, schema::SchemaFormat::kJson, widening.schema);
      if (!registered.ok()) {
        const bool incompatible = registered.error().error_code == 409;
        return FailedPrecondition(fmt::format(
            "the data of source '{}' does not fit version {} of subject '{}' ({}), and {} "
            "(compatibility {}): {}. Set the subject's compatibility to NONE "
            "(PUT /registry/config/{}) to accept the change, or fix the data",
            sc.name, latest->version, subject, Join(widening.changes),
            incompatible ? "the widened schema is incompatible with it"
                         : "the widened schema cannot be registered",
            LevelInForce(registry, subject),
            Refusal(registry, subject, widening.schema, registered.error()), subject));
      }
      in_force = *registered;
      text = widening.schema;
      log->info("source '{}': the data widened subject '{}' to version {} (id {}): {}", sc.name,
                subject, in_force.version, in_force.id, Join(widening.changes));
    }
  }
  Result<schema::Schema> parsed = schema::ParseJsonSchema(text, file);
  if (!parsed.ok()) {
    return FailedPrecondition(fmt::format("subject '{}' version {} cannot grade rows: {}", subject,
                                          in_force.version, parsed.status().message()));
  }
  source.schema = std::move(parsed).value();
  source.schema_text = std::move(text);
  source.subject = subject;
  source.subject_version = in_force.version;
  RETURN_IF_ERROR(WriteSchemaFile(file, source.schema_text));
  log->info("source '{}': graded by version {} of subject '{}', written to {}", sc.name,
            in_force.version, subject, file.string());
  return true;
}

}  // namespace assay::pipeline
