#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/batch.h"
#include "core/result.h"
#include "sources/redis/redis_client.h"

namespace assay::sources::redis {

/// Reads the hashes whose keys match a pattern (SCAN MATCH, then HGETALL for a page of keys in
/// one round trip): one row per hash, its fields by name, values as text. SCAN visits every key
/// that exists for the whole scan exactly once; keys added or removed meanwhile may or may not
/// be seen (Redis's guarantee). A key that is not a hash becomes a rejected row
/// (`redis.wrong_type`), never a failed run. Each run reads every matching key: a full load.
class HashReader {
 public:
  struct Options {
    std::string pattern;              ///< e.g. "customer:*"
    std::string key_field;            ///< schema field that receives the key; "" = none
    std::vector<std::string> fields;  ///< the schema's fields, in batch column order
    size_t scan_count = 1000;         ///< SCAN's COUNT hint
  };

  static Result<std::unique_ptr<HashReader>> Open(RedisClient& client, Options options);

  /// Appends up to `max_rows` hashes to `batch`; 0 when the scan is complete. The unit is the
  /// pattern and `_raw` the hash as JSON with its key as "_key".
  Result<size_t> ReadBatch(Batch& batch, size_t max_rows);

 private:
  HashReader(RedisClient& client, Options options)
      : client_(client), options_(std::move(options)) {}

  RedisClient& client_;
  Options options_;
  std::string cursor_ = "0";
  bool scan_done_ = false;
  std::vector<std::string> keys_;  ///< scanned, not yet read
  uint64_t rows_read_ = 0;
};

}  // namespace assay::sources::redis
