#include "sources/redis/hash_reader.h"

#include <hiredis/hiredis.h>

#include <cctype>

#include "core/ascii.h"
#include "core/json_string.h"
#include "sources/record_reader.h"

namespace assay::sources::redis {
namespace {

int ColumnOf(const std::vector<std::string>& fields, std::string_view name) {
  for (size_t c = 0; c < fields.size(); ++c) {
    if (fields[c] == name) return static_cast<int>(c);
  }
  for (size_t c = 0; c < fields.size(); ++c) {
    if (EqualsIgnoringCase(fields[c], name)) return static_cast<int>(c);
  }
  return -1;
}

}  // namespace

Result<std::unique_ptr<HashReader>> HashReader::Open(RedisClient& client, Options options) {
  return std::unique_ptr<HashReader>(new HashReader(client, std::move(options)));
}

Result<size_t> HashReader::ReadBatch(Batch& batch, size_t max_rows) {
  while (!scan_done_ && keys_.size() < max_rows) {
    ASSIGN_OR_RETURN(Reply reply, client_.Command({"SCAN", cursor_, "MATCH", options_.pattern,
                                                   "COUNT", std::to_string(options_.scan_count)}));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2) {
      return DataLoss("SCAN gave an unexpected reply");
    }
    cursor_ = std::string(ReplyText(*reply->element[0]));
    for (size_t i = 0; i < reply->element[1]->elements; ++i) {
      keys_.emplace_back(ReplyText(*reply->element[1]->element[i]));
    }
    scan_done_ = cursor_ == "0";
  }
  const size_t rows = std::min(max_rows, keys_.size());
  if (rows == 0) return size_t{0};
  std::vector<std::vector<std::string>> commands;
  for (size_t i = 0; i < rows; ++i) commands.push_back({"HGETALL", keys_[i]});
  ASSIGN_OR_RETURN(std::vector<Reply> replies, client_.Pipeline(commands));

  // Values and _raw texts go into one buffer; rows are appended once it is complete, so the
  // views into it stay valid.
  struct Row {
    std::vector<std::pair<int, std::pair<size_t, size_t>>> cells;
    std::pair<size_t, size_t> record;
    std::string error;  ///< not a hash
  };
  std::vector<Row> out;
  auto buffer = std::make_shared<std::string>();
  const int key_column =
      options_.key_field.empty() ? -1 : ColumnOf(options_.fields, options_.key_field);
  for (size_t i = 0; i < rows; ++i) {
    const redisReply& r = *replies[i];
    // Deleted between SCAN and HGETALL: an empty reply, and nothing to read.
    if (r.type == REDIS_REPLY_ARRAY && r.elements == 0) continue;
    Row row;
    if (key_column >= 0) row.cells.push_back({key_column, {buffer->size(), keys_[i].size()}});
    buffer->append(keys_[i]);
    std::string json = "{\"_key\":";
    AppendJsonString(json, keys_[i]);
    if (r.type != REDIS_REPLY_ARRAY) {
      row.error = r.type == REDIS_REPLY_ERROR ? std::string(ReplyText(r)) : "not a hash";
    }
    for (size_t e = 0; r.type == REDIS_REPLY_ARRAY && e + 1 < r.elements; e += 2) {
      const std::string_view name = ReplyText(*r.element[e]);
      const std::string_view value = ReplyText(*r.element[e + 1]);
      json.push_back(',');
      AppendJsonString(json, name);
      json.push_back(':');
      AppendJsonString(json, value);
      const int column = ColumnOf(options_.fields, name);
      if (column >= 0 && column != key_column) {
        row.cells.push_back({column, {buffer->size(), value.size()}});
        buffer->append(value);
      }
    }
    json.push_back('}');
    row.record = {buffer->size(), json.size()};
    buffer->append(json);
    out.push_back(std::move(row));
  }
  const std::string_view text(*buffer);
  const uint32_t unit = batch.num_units() > 0 && batch.unit(0) == options_.pattern
                            ? 0
                            : batch.AddUnit(options_.pattern);
  ReserveRows(batch, batch.columns().size(), out.size());
  for (size_t i = 0; i < out.size(); ++i) {
    const Row& r = out[i];
    const size_t row = batch.AppendRow(RowOrigin{unit, rows_read_ + i + 1, 0},
                                       text.substr(r.record.first, r.record.second));
    if (!r.error.empty()) {
      batch.SetParseError(row, "redis.wrong_type", r.error);
      continue;
    }
    for (const auto& [column, at] : r.cells) {
      batch.SetCell(row, static_cast<size_t>(column), CellKind::kText,
                    text.substr(at.first, at.second));
    }
  }
  const size_t appended = out.size();
  keys_.erase(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(rows));
  batch.input_bytes += buffer->size();
  batch.HoldBuffer(std::move(buffer));
  rows_read_ += appended;
  if (appended == 0) return ReadBatch(batch, max_rows);  // a page of deleted keys
  return appended;
}

}  // namespace assay::sources::redis
