#include "sources/redis/stream_reader.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>

#include <cctype>
#include <charconv>

#include "core/ascii.h"
#include "core/json_string.h"
#include "sources/staged_rows.h"

namespace assay::sources::redis {
std::optional<StreamId> StreamId::Parse(std::string_view text) {
  const size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  StreamId id;
  auto parse = [](std::string_view part, uint64_t& out) {
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc() && end == part.data() + part.size() && !part.empty();
  };
  if (!parse(text.substr(0, dash), id.ms) || !parse(text.substr(dash + 1), id.seq)) {
    return std::nullopt;
  }
  return id;
}

std::string StreamId::ToString() const { return fmt::format("{}-{}", ms, seq); }

Result<std::unique_ptr<StreamReader>> StreamReader::Open(RedisClient& client, Options options) {
  Result<Reply> created =
      client.Command({"XGROUP", "CREATE", options.stream, options.group, "0", "MKSTREAM"});
  // BUSYGROUP: the group exists, which is the normal case after the first run.
  if (!created.ok() && created.status().message().find("BUSYGROUP") == std::string::npos) {
    return created.status();
  }
  return std::unique_ptr<StreamReader>(new StreamReader(client, std::move(options)));
}

// Reads the next XREADGROUP page into entries_; returns how many entries it added.
Result<size_t> StreamReader::Fill(size_t max_rows) {
  // In the pending phase, the id is where this consumer's history continues ("0" = its start);
  // then ">" asks for entries never delivered to any consumer of the group.
  const std::string from = pending_phase_ ? pending_cursor_ : std::string(">");
  const size_t count = std::max(options_.count, max_rows);
  ASSIGN_OR_RETURN(Reply reply, client_.Command({"XREADGROUP", "GROUP", options_.group,
                                                 options_.consumer, "COUNT", std::to_string(count),
                                                 "STREAMS", options_.stream, from}));
  size_t added = 0;
  std::vector<std::string> committed;
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0) {
    const redisReply* stream = reply->element[0];
    const redisReply* items = stream->elements > 1 ? stream->element[1] : nullptr;
    for (size_t i = 0; items && i < items->elements; ++i) {
      const redisReply* item = items->element[i];
      if (item->type != REDIS_REPLY_ARRAY || item->elements < 2) continue;
      std::string id(ReplyText(*item->element[0]));
      const std::optional<StreamId> parsed = StreamId::Parse(id);
      if (pending_phase_) pending_cursor_ = id;
      const redisReply* values = item->element[1];
      // Already committed (the run died between its commit and XACK), or deleted since it was
      // delivered (XDEL leaves a nil): acknowledge, do not ingest.
      if (values->type != REDIS_REPLY_ARRAY ||
          (pending_phase_ && parsed && options_.committed && *parsed <= *options_.committed)) {
        committed.push_back(id);
        continue;
      }
      Entry entry;
      entry.id = std::move(id);
      for (size_t f = 0; f + 1 < values->elements; f += 2) {
        entry.fields.emplace_back(ReplyText(*values->element[f]),
                                  ReplyText(*values->element[f + 1]));
      }
      entries_.push_back(std::move(entry));
      ++added;
    }
  }
  if (!committed.empty()) {
    skipped_committed_ += committed.size();
    RETURN_IF_ERROR(Ack(committed));
    if (added == 0) return Fill(max_rows);  // a page of committed entries: go on
  }
  if (added == 0) {
    if (pending_phase_) {
      pending_phase_ = false;
      return Fill(max_rows);
    }
    exhausted_ = true;
  }
  return added;
}

Result<size_t> StreamReader::ReadBatch(Batch& batch, size_t max_rows) {
  while (!exhausted_ && entries_.size() - next_ < max_rows) {
    ASSIGN_OR_RETURN(size_t added, Fill(max_rows - (entries_.size() - next_)));
    if (added == 0) break;
  }
  const size_t rows = std::min(max_rows, entries_.size() - next_);
  if (rows == 0) return size_t{0};

  StagedRows staged;
  for (size_t r = 0; r < rows; ++r) {
    const Entry& entry = entries_[next_ + r];
    staged.NewRow();
    for (const auto& [key, value] : entry.fields) {
      const int column = ColumnOf(options_.fields, key);
      if (column >= 0) staged.AddCell(static_cast<size_t>(column), value);
    }
    std::string& record = staged.StartRecord();
    record.append("{\"_id\":");
    AppendJsonString(record, entry.id);
    for (const auto& [key, value] : entry.fields) {
      record.push_back(',');
      AppendJsonString(record, key);
      record.push_back(':');
      AppendJsonString(record, value);
    }
    record.push_back('}');
    staged.EndRecord();
    returned_ids_.push_back(entry.id);
  }
  staged.AppendTo(batch, options_.stream, rows_read_ + 1);
  last_id_ = StreamId::Parse(entries_[next_ + rows - 1].id);
  next_ += rows;
  rows_read_ += rows;
  if (next_ == entries_.size()) {
    entries_.clear();
    next_ = 0;
  }
  return rows;
}

std::vector<std::string> StreamReader::TakeReturnedIds() {
  std::vector<std::string> ids;
  ids.swap(returned_ids_);
  return ids;
}

Status StreamReader::Ack(const std::vector<std::string>& ids) {
  constexpr size_t kPerCommand = 1000;
  for (size_t i = 0; i < ids.size(); i += kPerCommand) {
    std::vector<std::string> args = {"XACK", options_.stream, options_.group};
    for (size_t j = i; j < std::min(ids.size(), i + kPerCommand); ++j) args.push_back(ids[j]);
    RETURN_IF_ERROR(client_.Command(args).status());
  }
  return Status::Ok();
}

}  // namespace assay::sources::redis
