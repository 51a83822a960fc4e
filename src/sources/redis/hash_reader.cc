#include "sources/redis/hash_reader.h"

#include <hiredis/hiredis.h>

#include "core/json_string.h"
#include "sources/staged_rows.h"

namespace assay::sources::redis {

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

  StagedRows staged;
  const int key_column =
      options_.key_field.empty() ? -1 : ColumnOf(options_.fields, options_.key_field);
  for (size_t i = 0; i < rows; ++i) {
    const redisReply& r = *replies[i];
    // Deleted between SCAN and HGETALL: an empty reply, and nothing to read.
    if (r.type == REDIS_REPLY_ARRAY && r.elements == 0) continue;
    staged.NewRow();
    if (key_column >= 0) staged.AddCell(static_cast<size_t>(key_column), keys_[i]);
    for (size_t e = 0; r.type == REDIS_REPLY_ARRAY && e + 1 < r.elements; e += 2) {
      const int column = ColumnOf(options_.fields, ReplyText(*r.element[e]));
      if (column >= 0 && column != key_column) {
        staged.AddCell(static_cast<size_t>(column), ReplyText(*r.element[e + 1]));
      }
    }
    std::string& record = staged.StartRecord();
    record.append("{\"_key\":");
    AppendJsonString(record, keys_[i]);
    for (size_t e = 0; r.type == REDIS_REPLY_ARRAY && e + 1 < r.elements; e += 2) {
      record.push_back(',');
      AppendJsonString(record, ReplyText(*r.element[e]));
      record.push_back(':');
      AppendJsonString(record, ReplyText(*r.element[e + 1]));
    }
    record.push_back('}');
    staged.EndRecord();
    if (r.type != REDIS_REPLY_ARRAY) {
      staged.SetError("redis.wrong_type",
                      r.type == REDIS_REPLY_ERROR ? std::string(ReplyText(r)) : "not a hash");
    }
  }
  const size_t appended = staged.size();
  staged.AppendTo(batch, options_.pattern, rows_read_ + 1);
  keys_.erase(keys_.begin(), keys_.begin() + static_cast<std::ptrdiff_t>(rows));
  rows_read_ += appended;
  if (appended == 0) return ReadBatch(batch, max_rows);  // a page of deleted keys
  return appended;
}

}  // namespace assay::sources::redis
