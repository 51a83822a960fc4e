#include "pipeline/database_input.h"

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace assay::pipeline {
namespace db = sources::db;

Result<db::ConnectOptions> ConnectOptionsFor(const config::SourceConfig& source) {
  const config::DatabaseConfig& c = source.database;
  db::ConnectOptions options;
  Result<db::DatabaseUrl> url = db::ParseDatabaseUrl(c.url);
  if (!url.ok()) {
    return InvalidArgument(fmt::format("{}:{}: source '{}': url: {}", source.location.file,
                                       source.location.line, source.name, url.status().message()));
  }
  options.url = std::move(url).value();
  options.password = c.password;
  if (!c.password_file.empty()) {
    std::ifstream in(c.password_file);
    if (!in) {
      return InvalidArgument(fmt::format("{}:{}: source '{}': password_file '{}' cannot be read",
                                         source.location.file, source.location.line, source.name,
                                         c.password_file.string()));
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string password = text.str();
    while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
      password.pop_back();
    }
    options.password = std::move(password);
  }
  options.tls_mode = c.sslmode;
  options.tls_ca_file = c.ssl_ca_file.string();
  options.connect_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(c.connect_timeout_seconds * 1000));
  options.statement_timeout =
      std::chrono::milliseconds(static_cast<int64_t>(c.statement_timeout_seconds * 1000));
  options.fetch_rows = c.fetch_size;
  return options;
}

db::ReadRequest ReadRequestFor(const config::SourceConfig& source, size_t batch_max_bytes) {
  db::ReadRequest request;
  request.table = source.database.table;
  request.query = source.database.query;
  request.watermark_column = source.database.watermark_column;
  request.partition_column = source.database.partition_column;
  request.batch_max_bytes = batch_max_bytes;
  return request;
}

std::string DatabaseUnitName(const config::SourceConfig& source) {
  return source.database.table.empty() ? std::string("query") : source.database.table;
}

std::string WatermarkToJson(const std::optional<db::DbParam>& watermark) {
  if (!watermark) return "null";
  return nlohmann::json{{"type", std::string(db::DbTypeName(watermark->type))},
                        {"value", watermark->text}}
      .dump();
}

Result<std::optional<db::DbParam>> WatermarkFromJson(const std::string& json) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_null()) return std::optional<db::DbParam>();
  if (!j.is_object() || !j.contains("type") || !j.contains("value") || !j["type"].is_string() ||
      !j["value"].is_string()) {
    return DataLoss(fmt::format("unreadable watermark checkpoint: {}", json));
  }
  const std::string type = j["type"].get<std::string>();
  for (int t = 0; t <= static_cast<int>(db::DbType::kOther); ++t) {
    if (db::DbTypeName(static_cast<db::DbType>(t)) == type) {
      return std::optional<db::DbParam>(
          db::DbParam{static_cast<db::DbType>(t), j["value"].get<std::string>()});
    }
  }
  return DataLoss(fmt::format("unreadable watermark checkpoint: unknown type '{}'", type));
}

namespace {
Status Redacted(const Status& status, const db::ConnectOptions& options) {
  return Status(status.code(), db::Redact(status.message(), options));
}
}  // namespace

Status CheckDatabase(const config::SourceConfig& source) {
  ASSIGN_OR_RETURN(db::ConnectOptions options, ConnectOptionsFor(source));
  auto connection = db::Connect(options);
  if (!connection.ok()) return connection.status();
  auto fail = [&](const Status& st) {
    return Redacted(st, options).WithContext(options.url.Redacted());
  };
  if (Status st = (*connection)->Ping(); !st.ok()) return fail(st);
  db::ReadRequest request = ReadRequestFor(source, 1 << 20);
  std::vector<db::DbParam> params;
  request.partition_column.clear();
  request.watermark_column.clear();
  db::ReadRequest probe;
  probe.query = BuildSelect(request, (*connection)->dialect(), params, false) + " WHERE 1 = 0";
  probe.watermark_column = source.database.watermark_column;
  auto reader = db::DatabaseReader::Open(**connection, probe, "check");
  if (!reader.ok()) return fail(reader.status());
  const std::string& partition = source.database.partition_column;
  if (!partition.empty()) {
    bool found = false;
    for (const db::DbColumn& c : (*reader)->columns()) {
      found = found || c.name == partition;
    }
    if (!found) {
      return fail(
          InvalidArgument(fmt::format("the result has no partition column '{}'", partition)));
    }
  }
  return Status::Ok();
}

Result<std::unique_ptr<DatabaseInput>> DatabaseInput::Open(const db::ConnectOptions& options,
                                                           db::ReadRequest request, int partitions,
                                                           const std::string& unit,
                                                           size_t batch_max_rows,
                                                           NewBatch new_batch) {
  std::unique_ptr<DatabaseInput> input(new DatabaseInput());
  input->options_ = &options;
  input->batch_max_rows_ = batch_max_rows;
  input->new_batch_ = std::move(new_batch);
  auto connection = db::Connect(options);
  if (!connection.ok()) return connection.status();  // Connect redacts its own messages
  if (partitions > 1 && !request.partition_column.empty()) {
    Result<db::PartitionPlan> plan = db::PlanPartitions(**connection, request, partitions);
    if (!plan.ok()) return Redacted(plan.status(), options);
    input->watermark_through_ = plan->watermark_through;
    auto reader =
        db::PartitionedReader::Open(options, *plan, unit, batch_max_rows, input->new_batch_);
    if (!reader.ok()) return Redacted(reader.status(), options);
    input->partitions_ = std::move(reader).value();
    return input;
  }
  request.partition_column.clear();
  auto reader = db::DatabaseReader::Open(**connection, std::move(request), unit);
  if (!reader.ok()) return Redacted(reader.status(), options);
  input->connection_ = std::move(connection).value();
  input->reader_ = std::move(reader).value();
  return input;
}

Result<std::unique_ptr<Batch>> DatabaseInput::Next() {
  if (partitions_) {
    auto batch = partitions_->Next();
    if (!batch.ok()) return Redacted(batch.status(), *options_);
    return batch;
  }
  std::unique_ptr<Batch> batch = new_batch_();
  Result<size_t> n = reader_->ReadBatch(*batch, batch_max_rows_);
  if (!n.ok()) return Redacted(n.status(), *options_);
  if (*n == 0) return std::unique_ptr<Batch>();
  return batch;
}

std::optional<db::DbParam> DatabaseInput::CommitPoint() const {
  if (!reader_ || !reader_->AtWatermarkBoundary()) return std::nullopt;
  return reader_->last_watermark();
}

std::optional<db::DbParam> DatabaseInput::FinalWatermark() const {
  return partitions_ ? watermark_through_ : reader_->last_watermark();
}

const std::vector<std::string>& DatabaseInput::missing_fields() const {
  return partitions_ ? partitions_->missing_fields() : reader_->missing_fields();
}

}  // namespace assay::pipeline
