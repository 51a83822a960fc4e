#include "sinks/parquet_column_writer.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#define XXH_INLINE_ALL  // short values: the hash must inline to beat its own call overhead
#include <xxhash.h>

#include "core/short_key.h"
#include "sinks/parquet_encoding.h"
#include "sinks/thrift_compact.h"

namespace assay::sinks {

// PLAIN encoding is little-endian; values are copied to pages as they sit in memory.
static_assert(std::endian::native == std::endian::little,
              "the Parquet writer assumes little-endian");

namespace {

using format::Encoding;
using format::PageType;

uint64_t Mix64(uint64_t x) {  // murmur3's finaliser: spreads every input bit over the word
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

bool HasNonNull(const ColumnValues& values, const RowRange& rows) {
  if (values.valid == nullptr) return rows.count > 0;
  for (size_t k = 0; k < rows.count; ++k) {
    if (values.valid[rows[k]] != 0) return true;
  }
  return false;
}

Status MissingArray(const ParquetColumnSpec& spec, std::string_view array) {
  return InvalidArgument("column '" + spec.name + "' (" + std::string(ParquetTypeName(spec.type)) +
                         ") has non-null rows but no " + std::string(array) + " values");
}

template <typename T>
std::string PlainBytes(T value) {
  std::string out(sizeof(T), '\0');
  std::memcpy(out.data(), &value, sizeof(T));
  return out;
}

/// Open-addressing hash index from values to dictionary ids. The values themselves live in the
/// owning writer's dictionary buffer; a slot holds the high half of the hash (a cheap first
/// comparison) and id + 1 (0 = empty). Load factor stays at or below 1/2.
class DictionaryHash {
 public:
  /// Returns the id of the entry for which `equal(id)` holds, or a new id (== size() before the
  /// call) with *inserted = true; the caller then appends the value as that entry.
  template <typename Equal>
  uint32_t FindOrInsert(uint64_t hash, const Equal& equal, bool* inserted) {
    if ((hashes_.size() + 1) * 2 > slots_.size()) Grow();
    const uint64_t tag = hash & kTagMask;
    size_t i = hash & mask_;
    for (;;) {
      const uint64_t slot = slots_[i];
      if (slot == 0) {
        const auto id = static_cast<uint32_t>(hashes_.size());
        slots_[i] = tag | (uint64_t{id} + 1);
        hashes_.push_back(hash);
        *inserted = true;
        return id;
      }
      if ((slot & kTagMask) == tag) {
        const auto id = static_cast<uint32_t>(slot) - 1;
        if (equal(id)) {
          *inserted = false;
          return id;
        }
      }
      i = (i + 1) & mask_;
    }
  }

  void Clear() {
    if (hashes_.empty()) return;  // reset twice per row group (fallback, then flush)
    std::fill(slots_.begin(), slots_.end(), 0);
    hashes_.clear();
  }

 private:
  static constexpr uint64_t kTagMask = 0xFFFFFFFF00000000ULL;

  void Grow() {
    const size_t capacity = std::max<size_t>(1024, slots_.size() * 2);
    slots_.assign(capacity, 0);
    mask_ = capacity - 1;
    for (size_t id = 0; id < hashes_.size(); ++id) {
      size_t i = hashes_[id] & mask_;
      while (slots_[i] != 0) i = (i + 1) & mask_;
      slots_[i] = (hashes_[id] & kTagMask) | (uint64_t{id} + 1);
    }
  }

  std::vector<uint64_t> slots_;
  std::vector<uint64_t> hashes_;  ///< per id, to rehash on growth
  size_t mask_ = 0;
};

/// Cost of dictionary encoding `n` values with `entries` distinct ones whose PLAIN size is
/// `dict_bytes`: the dictionary page plus bit-packed indices.
uint64_t DictionaryCost(size_t n, size_t entries, uint64_t dict_bytes) {
  const int width = BitWidthFor(entries - 1);
  return dict_bytes + (static_cast<uint64_t>(n) * width + 7) / 8 + 1;
}

/// After this many values of a row group a column decides whether its dictionary can pay. Ids,
/// emails and prices are mostly distinct: hashing every one of their values only to throw the
/// dictionary away at the end of the row group was a fifth of the pipeline's time.
constexpr size_t kDictionaryProbeValues = 4096;
/// An earlier look for columns that are plainly unique (ids, emails): at least 31 of every 32
/// values distinct. Their last 3,072 probe values were the costliest: each new entry lands in a
/// cold slot of a table grown to 128 KiB. A column this distinct over its first 1,024 values
/// draws from a pool too large (> ~16,000 values) for a dictionary to pay in a row group.
constexpr size_t kDictionaryEarlyProbeValues = 1024;

/// Whether a dictionary of `entries` distinct values (`dict_bytes` PLAIN) over the first `n`
/// values already costs as much as PLAIN (`plain_bytes`): a dictionary only gets relatively
/// worse as mostly-distinct values keep coming.
bool DictionaryLosing(size_t n, size_t entries, uint64_t dict_bytes, uint64_t plain_bytes) {
  return DictionaryCost(n, entries, dict_bytes) >= plain_bytes;
}

/// Whether the dictionary of a column should be given up after its `n`th value: at the early
/// probe when nearly every value was new, at the probe when it costs as much as PLAIN.
bool GiveUpDictionary(size_t n, size_t entries, uint64_t dict_bytes, uint64_t plain_bytes) {
  if (n == kDictionaryEarlyProbeValues) return entries * 32 >= n * 31;
  return n == kDictionaryProbeValues && DictionaryLosing(n, entries, dict_bytes, plain_bytes);
}

/// a == b, inlined: dictionary values are mostly short, and a libc memcmp call per value was
/// a tenth of the string column writer's time.
bool BytesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CommonPrefixLength(a, b) == a.size();
}

/// Fixed-width columns: int64 (kInt64, kTimestampMicros), int32 (kDate), double (kDouble).
template <typename T>
class FixedWriter final : public ColumnChunkWriter {
 public:
  FixedWriter(const ParquetColumnSpec& spec, const ColumnChunkOptions& options)
      : ColumnChunkWriter(spec, options) {
    ResetValues();
  }

 protected:
  Status ValidateValues(const ColumnValues& values, const RowRange& rows) const override {
    constexpr bool kIsDouble = std::is_same_v<T, double>;
    if ((kIsDouble ? values.f64 == nullptr : values.i64 == nullptr) && HasNonNull(values, rows)) {
      return MissingArray(spec_, kIsDouble ? "f64" : "i64");
    }
    if constexpr (std::is_same_v<T, int32_t>) {
      if (values.i64 == nullptr) return Status::Ok();  // every row is null
      for (size_t k = 0; k < rows.count; ++k) {
        const uint32_t r = rows[k];
        if (values.valid != nullptr && values.valid[r] == 0) continue;
        const int64_t v = values.i64[r];
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
          return InvalidArgument("column '" + spec_.name + "': date " + std::to_string(v) +
                                 " days is outside the INT32 range");
        }
      }
    }
    return Status::Ok();
  }

  void AppendValues(const ColumnValues& values, const RowRange& rows) override {
    size_t k = 0;
    for (; k < rows.count && dict_active_; ++k) {
      const uint32_t r = rows[k];
      if (values.valid != nullptr && values.valid[r] == 0) continue;
      const T v = Load(values, r);
      plain_bytes_ += sizeof(T);
      UpdateMinMax(v);
      AddToDictionary(v);
    }
    if (k < rows.count) AppendPlainValues(values, rows, k);
  }

  Encoding ChooseEncoding() override {
    chosen_dictionary_ = false;
    if (!dict_active_) return Encoding::kPlain;
    const size_t n = indices_.size();
    if (n == 0) return Encoding::kPlain;
    if (DictionaryCost(n, dict_.size(), dict_.size() * sizeof(T)) >= plain_bytes_) {
      FallBackToPlain();
      return Encoding::kPlain;
    }
    bit_width_ = BitWidthFor(dict_.size() - 1);
    chosen_dictionary_ = true;
    return Encoding::kRleDictionary;
  }

  int32_t EncodeDictionary(std::vector<uint8_t>* out) override {
    AppendRaw(dict_.data(), dict_.size(), out);
    return static_cast<int32_t>(dict_.size());
  }

  size_t EncodeValues(size_t first, size_t budget_bytes, std::vector<uint8_t>* out) override {
    if (chosen_dictionary_) {
      const size_t n =
          std::clamp<size_t>(budget_bytes * 8 / bit_width_, 1, indices_.size() - first);
      out->push_back(static_cast<uint8_t>(bit_width_));
      EncodeRleHybrid(std::span<const uint32_t>(indices_).subspan(first, n), bit_width_, out);
      return n;
    }
    const size_t n = std::clamp<size_t>(budget_bytes / sizeof(T), 1, plain_.size() - first);
    AppendRaw(plain_.data() + first, n, out);
    return n;
  }

  void FillMinMax(format::Statistics* stats) const override {
    if (!has_min_max_) return;
    T lo = min_;
    T hi = max_;
    if constexpr (std::is_same_v<T, double>) {
      // The spec asks for -0.0 as a zero minimum and +0.0 as a zero maximum, so that readers
      // filtering on either zero keep the chunk.
      if (lo == 0.0) lo = -0.0;
      if (hi == 0.0) hi = 0.0;
    }
    stats->min_value = PlainBytes(lo);
    stats->max_value = PlainBytes(hi);
  }

  void ResetValues() override {
    plain_.clear();
    dict_.clear();
    indices_.clear();
    hash_.Clear();
    dict_active_ = options_.dictionary;
    chosen_dictionary_ = false;
    has_min_max_ = false;
    min_ = T{};
    max_ = T{};
  }

 private:
  /// Rows [first, count) of `rows` as PLAIN values: copied in one pass without a capacity check
  /// per value, then min and max over the copies in a second pass the compiler can vectorise.
  void AppendPlainValues(const ColumnValues& values, const RowRange& rows, size_t first) {
    const size_t at = plain_.size();
    plain_.resize(at + (rows.count - first));
    T* out = plain_.data() + at;
    size_t n = 0;
    if (values.valid == nullptr) {
      for (size_t k = first; k < rows.count; ++k) out[n++] = Load(values, rows[k]);
    } else {
      for (size_t k = first; k < rows.count; ++k) {
        const uint32_t r = rows[k];
        if (values.valid[r] != 0) out[n++] = Load(values, r);
      }
    }
    plain_.resize(at + n);
    plain_bytes_ += n * sizeof(T);
    UpdateMinMaxOf(out, n);
  }

  /// UpdateMinMax over `n` values, with one merge into the running min and max.
  void UpdateMinMaxOf(const T* v, size_t n) {
    size_t i = 0;
    if constexpr (std::is_same_v<T, double>) {
      while (i < n && std::isnan(v[i])) ++i;  // NaN takes no part in the order
    }
    if (i == n) return;
    T lo = v[i];
    T hi = v[i];
    // Strict comparisons keep the first of equal values (-0.0 and 0.0) and skip NaN, as
    // UpdateMinMax does value by value.
    for (++i; i < n; ++i) {
      lo = v[i] < lo ? v[i] : lo;
      hi = v[i] > hi ? v[i] : hi;
    }
    UpdateMinMax(lo);
    UpdateMinMax(hi);
  }

  static T Load(const ColumnValues& values, uint32_t row) {
    if constexpr (std::is_same_v<T, double>) {
      return values.f64[row];
    } else {
      return static_cast<T>(values.i64[row]);
    }
  }

  /// Bits identify a dictionary entry: doubles by their bit pattern, so -0.0 and 0.0 (and NaN
  /// payloads) stay distinct and survive the round trip exactly.
  static uint64_t Bits(T v) {
    if constexpr (std::is_same_v<T, double>) {
      return std::bit_cast<uint64_t>(v);
    } else {
      return static_cast<uint64_t>(static_cast<int64_t>(v));
    }
  }

  static void AppendRaw(const T* data, size_t n, std::vector<uint8_t>* out) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(data);
    out->insert(out->end(), bytes, bytes + n * sizeof(T));
  }

  void UpdateMinMax(T v) {
    if constexpr (std::is_same_v<T, double>) {
      if (std::isnan(v)) return;  // NaN has no place in an order; the spec excludes it
    }
    if (!has_min_max_) {
      min_ = max_ = v;
      has_min_max_ = true;
    } else if (v < min_) {
      min_ = v;
    } else if (v > max_) {
      max_ = v;
    }
  }

  void AddToDictionary(T v) {
    const uint64_t bits = Bits(v);
    // Runs of one value (`_ingested_at`, sorted or constant codes) skip the hash.
    if (!indices_.empty() && Bits(dict_[indices_.back()]) == bits) {
      indices_.push_back(indices_.back());
      if (GiveUpDictionary(indices_.size(), dict_.size(), dict_.size() * sizeof(T),
                           indices_.size() * sizeof(T))) {
        FallBackToPlain();
      }
      return;
    }
    bool inserted = false;
    const uint32_t id = hash_.FindOrInsert(
        Mix64(bits), [&](uint32_t e) { return Bits(dict_[e]) == bits; }, &inserted);
    indices_.push_back(id);
    if (inserted) {
      dict_.push_back(v);
      if (dict_.size() * sizeof(T) > options_.dictionary_max_bytes) FallBackToPlain();
    }
    if (dict_active_ && GiveUpDictionary(indices_.size(), dict_.size(), dict_.size() * sizeof(T),
                                         indices_.size() * sizeof(T))) {
      FallBackToPlain();
    }
  }

  /// Too many distinct values for a dictionary to pay: rewrite what was indexed as PLAIN values.
  void FallBackToPlain() {
    plain_.resize(indices_.size());
    for (size_t i = 0; i < indices_.size(); ++i) plain_[i] = dict_[indices_[i]];
    dict_.clear();
    indices_.clear();
    hash_.Clear();
    dict_active_ = false;
  }

  UninitVector<T> plain_;  ///< non-null values, when not dictionary-encoded
  std::vector<T> dict_;
  std::vector<uint32_t> indices_;  ///< one per non-null value, when dictionary-encoded
  DictionaryHash hash_;
  bool dict_active_ = true;
  bool chosen_dictionary_ = false;
  int bit_width_ = 1;
  bool has_min_max_ = false;
  T min_{};
  T max_{};
};

/// BYTE_ARRAY (kString) columns. Values are kept PLAIN-encoded ([u32 length][bytes]...) in one
/// growing buffer, or, while the dictionary is active, as dictionary ids plus a PLAIN-encoded
/// dictionary, so no std::string is made per value.
class StringWriter final : public ColumnChunkWriter {
 public:
  StringWriter(const ParquetColumnSpec& spec, const ColumnChunkOptions& options)
      : ColumnChunkWriter(spec, options) {
    ResetValues();
  }

 protected:
  Status ValidateValues(const ColumnValues& values, const RowRange& rows) const override {
    if (values.str == nullptr) {
      return HasNonNull(values, rows) ? MissingArray(spec_, "str") : Status::Ok();
    }
    // A page size is an i32: leave room for the length prefix and the levels.
    constexpr size_t kMaxSize = static_cast<size_t>(std::numeric_limits<int32_t>::max()) - 1024;
    if (values.str_max_size <= kMaxSize) return Status::Ok();
    for (size_t k = 0; k < rows.count; ++k) {
      const uint32_t r = rows[k];
      if (values.valid != nullptr && values.valid[r] == 0) continue;
      if (values.str[r].size() > kMaxSize) {
        return InvalidArgument("column '" + spec_.name + "': a string of " +
                               std::to_string(values.str[r].size()) +
                               " bytes does not fit in a Parquet page");
      }
    }
    return Status::Ok();
  }

  void AppendValues(const ColumnValues& values, const RowRange& rows) override {
    size_t k = 0;
    for (; k < rows.count && dict_active_; ++k) {
      const uint32_t r = rows[k];
      if (values.valid != nullptr && values.valid[r] == 0) continue;
      const std::string_view v = values.str[r];
      plain_bytes_ += 4 + v.size();
      ++num_values_;
      AddToDictionary(v);
    }
    if (k < rows.count) AppendPlainValues(values, rows, k);
  }

  Encoding ChooseEncoding() override {
    chosen_dictionary_ = false;
    chosen_delta_ = false;
    chosen_delta_length_ = false;
    plain_cursor_ = 0;
    if (dict_active_) {
      const size_t n = indices_.size();
      if (n == 0) return Encoding::kPlain;
      if (DictionaryCost(n, dict_offsets_.size(), dict_.size()) < plain_bytes_) {
        bit_width_ = BitWidthFor(dict_offsets_.size() - 1);
        chosen_dictionary_ = true;
        return Encoding::kRleDictionary;
      }
      FallBackToPlain();
    }
    // DELTA_BYTE_ARRAY drops the shared prefixes and the 4-byte lengths but adds about two
    // bytes per value of bit-packed lengths; a third of the PLAIN bytes shared is a clear win
    // (positions and sequential ids share well over half), random values stay PLAIN.
    if (options_.delta_byte_array && num_values_ > 0 && shared_prefix_bytes_ * 3 >= plain_bytes_) {
      chosen_delta_ = true;
      return format::Encoding::kDeltaByteArray;
    }
    // Other strings (emails, random ids, text) without their 4-byte length prefixes: zstd level 1
    // took 4 times as long over PLAIN 8-byte ids as over the same bytes unprefixed, whose
    // prefixes it matched as short repeats, and the output is smaller too.
    if (options_.delta_byte_array && num_values_ > 0) {
      chosen_delta_length_ = true;
      return format::Encoding::kDeltaLengthByteArray;
    }
    return Encoding::kPlain;
  }

  int32_t EncodeDictionary(std::vector<uint8_t>* out) override {
    out->insert(out->end(), dict_.begin(), dict_.end());
    return static_cast<int32_t>(dict_offsets_.size());
  }

  size_t EncodeValues(size_t first, size_t budget_bytes, std::vector<uint8_t>* out) override {
    if (chosen_dictionary_) {
      const size_t n =
          std::clamp<size_t>(budget_bytes * 8 / bit_width_, 1, indices_.size() - first);
      out->push_back(static_cast<uint8_t>(bit_width_));
      EncodeRleHybrid(std::span<const uint32_t>(indices_).subspan(first, n), bit_width_, out);
      return n;
    }
    if (chosen_delta_) return EncodeDeltaPage(first, budget_bytes, out);
    // Values are variable-length: walk the length prefixes from where the last page ended.
    const size_t begin = plain_cursor_;
    size_t end = begin;
    size_t n = 0;
    const size_t remaining = num_values_ - first;
    while (n < remaining) {
      uint32_t len = 0;
      std::memcpy(&len, plain_.data() + end, 4);
      if (n > 0 && end - begin + 4 + len > budget_bytes) break;
      end += 4 + len;
      ++n;
    }
    if (chosen_delta_length_) {
      EncodeDeltaLengthByteArray(std::span<const uint8_t>(plain_).subspan(begin, end - begin), n,
                                 out);
    } else {
      out->insert(out->end(), plain_.begin() + begin, plain_.begin() + end);
    }
    plain_cursor_ = end;
    return n;
  }

  void FillMinMax(format::Statistics* stats) const override {
    // Long values would bloat the footer (and every reader's memory); like Arrow and parquet-mr
    // we drop min/max rather than truncate, which would need is_{min,max}_value_exact support.
    if (!has_min_max_ || min_.size() > options_.statistics_max_bytes ||
        max_.size() > options_.statistics_max_bytes) {
      return;
    }
    stats->min_value = min_;
    stats->max_value = max_;
  }

  void ResetValues() override {
    plain_.clear();
    dict_.clear();
    dict_offsets_.clear();
    keys_.clear();
    indices_.clear();
    hash_.Clear();
    num_values_ = 0;
    dict_active_ = options_.dictionary;
    chosen_dictionary_ = false;
    chosen_delta_ = false;
    chosen_delta_length_ = false;
    plain_cursor_ = 0;
    shared_prefix_bytes_ = 0;
    last_value_at_ = kNoValue;
    has_min_max_ = false;
    min_.clear();
    max_.clear();
  }

 private:
  /// Rows [first, count) of `rows` as PLAIN values: one resize for the whole run, and min and
  /// max found over this call's views and merged once, so the running std::strings are not
  /// reassigned for every new extreme (ids only ever grow).
  void AppendPlainValues(const ColumnValues& values, const RowRange& rows, size_t first) {
    size_t bytes = 0;
    for (size_t k = first; k < rows.count; ++k) {
      const uint32_t r = rows[k];
      if (values.valid == nullptr || values.valid[r] != 0) bytes += 4 + values.str[r].size();
    }
    size_t at = plain_.size();
    plain_.resize(at + bytes);
    uint8_t* out = plain_.data();
    std::string_view lo;
    std::string_view hi;
    uint64_t lo_key = 0;  // OrderKey(lo), OrderKey(hi)
    uint64_t hi_key = 0;
    bool any = false;
    bool previous_is_lo = false;  // the previous value of this call equals lo (or hi)
    bool previous_is_hi = false;
    // The previous value, for the bytes DELTA_BYTE_ARRAY would not need to store.
    std::string_view previous =
        last_value_at_ == kNoValue ? std::string_view() : PlainAt(last_value_at_);
    uint64_t shared = 0;
    for (size_t k = first; k < rows.count; ++k) {
      const uint32_t r = rows[k];
      if (values.valid != nullptr && values.valid[r] == 0) continue;
      const std::string_view v = values.str[r];
      const auto len = static_cast<uint32_t>(v.size());
      std::memcpy(out + at, &len, 4);
      CopyBytes(out + at + 4, v.data(), len);
      const size_t prefix = CommonPrefixLength(previous, v);
      shared += prefix;
      // Sorted runs (ids, positions) order v against the previous value from the prefix just
      // found: when the previous value is this call's maximum (minimum) and v is not below
      // (above) it, v is the new one without comparing it to both extremes.
      // Only then: on unsorted values the order is a coin toss, a mispredicted branch.
      const int order =
          previous_is_lo || previous_is_hi ? OrderAfterPrefix(v, previous, prefix) : 0;
      previous = v;
      last_value_at_ = at;
      at += 4 + len;
      ++num_values_;
      const uint64_t key = OrderKey(v);
      if (!any) {
        lo = hi = v;
        lo_key = hi_key = key;
        any = previous_is_lo = previous_is_hi = true;
      } else if (previous_is_hi && order >= 0) {  // previous_is_* are false until `any`
        hi = v;
        hi_key = key;
        previous_is_lo = previous_is_lo && order == 0;
      } else if (previous_is_lo && order <= 0) {
        lo = v;
        lo_key = key;
        previous_is_hi = false;  // order < 0 here, or the branch above was taken
      } else if (key != lo_key ? key < lo_key : CompareBytes(v, lo) < 0) {
        lo = v;
        lo_key = key;
        previous_is_lo = true;
        previous_is_hi = false;
      } else if (key != hi_key ? key > hi_key : CompareBytes(v, hi) > 0) {
        hi = v;
        hi_key = key;
        previous_is_hi = true;
        previous_is_lo = false;
      } else {
        previous_is_lo = previous_is_hi = false;  // v may equal an extreme: no matter
      }
    }
    plain_bytes_ += bytes;
    shared_prefix_bytes_ += shared;
    if (any) {
      UpdateMinMax(lo);
      UpdateMinMax(hi);
    }
  }

  static void AppendPlain(std::string_view v, std::vector<uint8_t>* out) {
    const auto len = static_cast<uint32_t>(v.size());
    const size_t at = out->size();
    out->resize(at + 4 + v.size());
    std::memcpy(out->data() + at, &len, 4);
    if (!v.empty()) std::memcpy(out->data() + at + 4, v.data(), v.size());
  }

  /// The PLAIN value whose length prefix starts at byte `at` of plain_.
  std::string_view PlainAt(size_t at) const {
    uint32_t len = 0;
    std::memcpy(&len, plain_.data() + at, 4);
    return {reinterpret_cast<const char*>(plain_.data() + at + 4), len};
  }

  /// One DELTA_BYTE_ARRAY page body from value `first` on (the byte cursor says where it
  /// starts). The budget counts suffix bytes plus about a byte per value in each lengths stream:
  /// pages come out near page_max_bytes encoded, as PLAIN pages do.
  size_t EncodeDeltaPage(size_t first, size_t budget_bytes, std::vector<uint8_t>* out) {
    const size_t begin = plain_cursor_;
    const size_t remaining = num_values_ - first;
    size_t end = begin;
    size_t n = 0;
    size_t estimate = 0;
    std::string_view previous;  // each page's stream restarts: its first value has no prefix
    while (n < remaining) {
      const std::string_view v = PlainAt(end);
      const size_t cost = v.size() - CommonPrefixLength(previous, v) + 2;
      if (n > 0 && estimate + cost > budget_bytes) break;
      estimate += cost;
      previous = v;
      end += 4 + v.size();
      ++n;
    }
    EncodeDeltaByteArray(std::span<const uint8_t>(plain_).subspan(begin, end - begin), n, out);
    plain_cursor_ = end;
    return n;
  }

  std::string_view Entry(uint32_t id) const {
    const size_t at = dict_offsets_[id];
    uint32_t len = 0;
    std::memcpy(&len, dict_.data() + at, 4);
    return {reinterpret_cast<const char*>(dict_.data() + at + 4), len};
  }

  /// Byte order of std::string_view comparison is unsigned (char_traits<char>::lt), which is the
  /// order the spec defines for BYTE_ARRAY statistics.
  void UpdateMinMax(std::string_view v) {
    if (!has_min_max_) {
      min_.assign(v);
      max_.assign(v);
      has_min_max_ = true;
    } else if (CompareBytes(v, min_) < 0) {
      min_.assign(v);
    } else if (CompareBytes(v, max_) > 0) {
      max_.assign(v);
    }
  }

  /// Unsigned byte order (memcmp's, and the spec's for BYTE_ARRAY statistics), inlined: every
  /// PLAIN value meets it twice, and most values are short.
  static int CompareBytes(std::string_view a, std::string_view b) {
    return OrderAfterPrefix(a, b, CommonPrefixLength(a, b));
  }

  /// The first 8 bytes of `v` as a big-endian word, zero-padded. Two values whose keys differ
  /// are ordered as their keys (a shorter value's padding is below any byte where the other
  /// value goes on); equal keys need CompareBytes. Random strings (emails, skus) are ordered
  /// against min and max by one integer comparison each.
  static uint64_t OrderKey(std::string_view v) {
    uint64_t word = 0;
    if (v.size() >= 8) {
      std::memcpy(&word, v.data(), 8);
    } else {
      for (size_t i = 0; i < v.size(); ++i) {
        word |= uint64_t{static_cast<unsigned char>(v[i])} << (8 * i);
      }
    }
    return __builtin_bswap64(word);
  }

  /// CompareBytes(a, b) given i = CommonPrefixLength(a, b).
  static int OrderAfterPrefix(std::string_view a, std::string_view b, size_t i) {
    if (i < a.size() && i < b.size()) {
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]) ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
  }

  /// Dictionary entries are told apart by their ShortKey first: short codes are hashed and
  /// compared without reading the dictionary buffer (half the cost of looking them up).
  void AddToDictionary(std::string_view v) {
    const ShortKey key = ShortKeyOf(v);
    const bool is_short = v.size() <= kShortKeyMaxSize;
    const auto equal = [&](uint32_t e) {
      return keys_[e] == key && (is_short || BytesEqual(Entry(e), v));
    };
    // Runs of one value (`_tier`, `_source`, an empty `_failed`, sorted codes) skip the hash.
    if (!indices_.empty() && equal(indices_.back())) {
      indices_.push_back(indices_.back());
      ProbeDictionary();
      return;
    }
    bool inserted = false;
    const uint64_t hash =
        is_short ? Mix64(key.bits ^ (uint64_t{key.size} << 59)) : XXH3_64bits(v.data(), v.size());
    const uint32_t id = hash_.FindOrInsert(hash, equal, &inserted);
    indices_.push_back(id);
    if (inserted) {
      dict_offsets_.push_back(static_cast<uint32_t>(dict_.size()));
      keys_.push_back(key);
      AppendPlain(v, &dict_);
      UpdateMinMax(v);  // a value already in the dictionary cannot move min or max
      if (dict_.size() > options_.dictionary_max_bytes) FallBackToPlain();
    }
    ProbeDictionary();
  }

  void ProbeDictionary() {
    if (dict_active_ &&
        GiveUpDictionary(indices_.size(), dict_offsets_.size(), dict_.size(), plain_bytes_)) {
      FallBackToPlain();
    }
  }

  void FallBackToPlain() {
    plain_.clear();
    plain_.reserve(plain_bytes_);
    std::string_view previous;
    uint64_t shared = 0;
    for (uint32_t id : indices_) {
      const std::string_view v = Entry(id);
      shared += CommonPrefixLength(previous, v);
      previous = v;
      last_value_at_ = plain_.size();
      const size_t at = dict_offsets_[id];
      plain_.insert(plain_.end(), dict_.begin() + at, dict_.begin() + at + 4 + v.size());
    }
    shared_prefix_bytes_ = shared;
    dict_.clear();
    dict_offsets_.clear();
    keys_.clear();
    indices_.clear();
    hash_.Clear();
    dict_active_ = false;
  }

  UninitVector<uint8_t> plain_;  ///< PLAIN-encoded non-null values, when not dictionary-encoded
  std::vector<uint8_t> dict_;    ///< PLAIN-encoded dictionary entries
  std::vector<uint32_t> dict_offsets_;
  std::vector<ShortKey> keys_;  ///< per dictionary entry
  std::vector<uint32_t> indices_;
  DictionaryHash hash_;
  size_t num_values_ = 0;
  bool dict_active_ = true;
  bool chosen_dictionary_ = false;
  int bit_width_ = 1;
  size_t plain_cursor_ = 0;  ///< byte offset in plain_ of the next value EncodeValues writes
  bool chosen_delta_ = false;
  bool chosen_delta_length_ = false;
  /// Sum over PLAIN values of the prefix each shares with the previous value: the bytes
  /// DELTA_BYTE_ARRAY leaves out. Counted as values are appended (or on falling back to PLAIN).
  uint64_t shared_prefix_bytes_ = 0;
  static constexpr size_t kNoValue = std::numeric_limits<size_t>::max();
  size_t last_value_at_ = kNoValue;  ///< byte offset in plain_ of the last value appended
  bool has_min_max_ = false;
  std::string min_;
  std::string max_;
};

/// BOOLEAN columns: PLAIN, bit-packed. A dictionary cannot beat one bit per value.
class BoolWriter final : public ColumnChunkWriter {
 public:
  BoolWriter(const ParquetColumnSpec& spec, const ColumnChunkOptions& options)
      : ColumnChunkWriter(spec, options) {}

 protected:
  Status ValidateValues(const ColumnValues& values, const RowRange& rows) const override {
    if (values.i64 == nullptr && HasNonNull(values, rows)) return MissingArray(spec_, "i64");
    return Status::Ok();
  }

  void AppendValues(const ColumnValues& values, const RowRange& rows) override {
    for (size_t k = 0; k < rows.count; ++k) {
      const uint32_t r = rows[k];
      if (values.valid != nullptr && values.valid[r] == 0) continue;
      const bool v = values.i64[r] != 0;
      values_.push_back(v ? 1 : 0);
      (v ? has_true_ : has_false_) = true;
    }
    plain_bytes_ = values_.size() / 8 + 1;
  }

  Encoding ChooseEncoding() override { return Encoding::kPlain; }
  int32_t EncodeDictionary(std::vector<uint8_t>* /*out*/) override { return 0; }

  size_t EncodeValues(size_t first, size_t budget_bytes, std::vector<uint8_t>* out) override {
    const size_t n = std::clamp<size_t>(budget_bytes * 8, 1, values_.size() - first);
    EncodePlainBooleans(std::span<const uint8_t>(values_).subspan(first, n), out);
    return n;
  }

  void FillMinMax(format::Statistics* stats) const override {
    if (!has_true_ && !has_false_) return;
    stats->min_value = std::string(1, has_false_ ? '\0' : '\1');
    stats->max_value = std::string(1, has_true_ ? '\1' : '\0');
  }

  void ResetValues() override {
    values_.clear();
    has_true_ = has_false_ = false;
  }

 private:
  std::vector<uint8_t> values_;  ///< one 0/1 per non-null value
  bool has_true_ = false;
  bool has_false_ = false;
};

format::CompressionCodec CodecOf(Compression c) {
  switch (c) {
    case Compression::kNone: return format::CompressionCodec::kUncompressed;
    case Compression::kSnappy: return format::CompressionCodec::kSnappy;
    case Compression::kZstd: return format::CompressionCodec::kZstd;
  }
  return format::CompressionCodec::kUncompressed;
}

}  // namespace

std::unique_ptr<ColumnChunkWriter> ColumnChunkWriter::Make(const ParquetColumnSpec& spec,
                                                           const ColumnChunkOptions& options) {
  switch (spec.type) {
    case ParquetType::kInt64:
    case ParquetType::kTimestampMicros:
      return std::make_unique<FixedWriter<int64_t>>(spec, options);
    case ParquetType::kDate: return std::make_unique<FixedWriter<int32_t>>(spec, options);
    case ParquetType::kDouble: return std::make_unique<FixedWriter<double>>(spec, options);
    case ParquetType::kBoolean: return std::make_unique<BoolWriter>(spec, options);
    case ParquetType::kString: return std::make_unique<StringWriter>(spec, options);
  }
  return nullptr;
}

format::Type ColumnChunkWriter::physical_type() const {
  switch (spec_.type) {
    case ParquetType::kInt64:
    case ParquetType::kTimestampMicros: return format::Type::kInt64;
    case ParquetType::kDate: return format::Type::kInt32;
    case ParquetType::kDouble: return format::Type::kDouble;
    case ParquetType::kBoolean: return format::Type::kBoolean;
    case ParquetType::kString: return format::Type::kByteArray;
  }
  return format::Type::kByteArray;
}

format::SchemaElement ColumnChunkWriter::SchemaElement() const {
  format::SchemaElement e;
  e.type = physical_type();
  e.repetition_type = spec_.nullable ? format::FieldRepetitionType::kOptional
                                     : format::FieldRepetitionType::kRequired;
  e.name = spec_.name;
  switch (spec_.type) {
    case ParquetType::kString:
      e.converted_type = format::ConvertedType::kUtf8;
      e.logical_type = format::LogicalKind::kString;
      break;
    case ParquetType::kTimestampMicros:
      e.converted_type = format::ConvertedType::kTimestampMicros;
      e.logical_type = format::LogicalKind::kTimestampMicrosUtc;
      break;
    case ParquetType::kDate:
      e.converted_type = format::ConvertedType::kDate;
      e.logical_type = format::LogicalKind::kDate;
      break;
    case ParquetType::kInt64:
    case ParquetType::kDouble:
    case ParquetType::kBoolean: break;
  }
  return e;
}

Status ColumnChunkWriter::Validate(const ColumnValues& values, const RowRange& rows) const {
  if (!spec_.nullable && values.valid != nullptr) {
    for (size_t k = 0; k < rows.count; ++k) {
      if (values.valid[rows[k]] == 0) {
        return InvalidArgument("column '" + spec_.name + "' is not nullable but row " +
                               std::to_string(rows[k]) + " is null");
      }
    }
  }
  return ValidateValues(values, rows);
}

void ColumnChunkWriter::Append(const ColumnValues& values, const RowRange& rows) {
  if (spec_.nullable) {
    const size_t at = def_levels_.size();
    def_levels_.resize(at + rows.count);
    uint8_t* levels = def_levels_.data() + at;
    if (values.valid == nullptr) {
      std::memset(levels, 1, rows.count);
    } else {
      size_t nulls = 0;
      for (size_t k = 0; k < rows.count; ++k) {
        const uint8_t present = values.valid[rows[k]] != 0 ? 1 : 0;
        levels[k] = present;
        nulls += present ^ 1;
      }
      null_count_ += nulls;
    }
  }
  AppendValues(values, rows);
  num_rows_ += rows.count;
}

Status ColumnChunkWriter::WritePage(Compressor& compressor, format::PageHeader header,
                                    PageBuffers& scratch, std::vector<uint8_t>* out,
                                    int64_t* uncompressed_total) {
  std::span<const uint8_t> body = scratch.page;
  if (compressor.codec() != Compression::kNone) {
    scratch.compressed.clear();
    RETURN_IF_ERROR(compressor.Compress(scratch.page, &scratch.compressed));
    body = scratch.compressed;
  }
  constexpr size_t kMaxPage = std::numeric_limits<int32_t>::max();
  if (scratch.page.size() > kMaxPage || body.size() > kMaxPage) {
    return InvalidArgument("column '" + spec_.name + "': page of " +
                           std::to_string(scratch.page.size()) +
                           " bytes exceeds the i32 page size");
  }
  header.uncompressed_page_size = static_cast<int32_t>(scratch.page.size());
  header.compressed_page_size = static_cast<int32_t>(body.size());
  scratch.header.clear();
  CompactWriter w(&scratch.header);
  header.Write(w);
  out->insert(out->end(), scratch.header.begin(), scratch.header.end());
  out->insert(out->end(), body.begin(), body.end());
  *uncompressed_total += static_cast<int64_t>(scratch.header.size() + scratch.page.size());
  return Status::Ok();
}

Status ColumnChunkWriter::Flush(Compressor& compressor, int64_t file_offset, PageBuffers& scratch,
                                std::vector<uint8_t>* out, format::ColumnChunk* chunk) {
  const size_t start = out->size();
  auto offset_now = [&] { return file_offset + static_cast<int64_t>(out->size() - start); };
  format::ColumnMetaData& md = chunk->meta_data;
  md = format::ColumnMetaData{};
  md.type = physical_type();
  md.path_in_schema = {spec_.name};
  md.codec = CodecOf(compressor.codec());
  md.num_values = static_cast<int64_t>(num_rows_);
  int64_t uncompressed_total = 0;

  const Encoding value_encoding = ChooseEncoding();
  const bool dictionary = value_encoding == Encoding::kRleDictionary;
  if (dictionary) {
    md.dictionary_page_offset = offset_now();
    scratch.page.clear();
    format::PageHeader header;
    header.type = PageType::kDictionaryPage;
    header.dictionary_page_header = format::DictionaryPageHeader{
        .num_values = EncodeDictionary(&scratch.page), .encoding = Encoding::kPlain};
    RETURN_IF_ERROR(WritePage(compressor, header, scratch, out, &uncompressed_total));
    md.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
  }

  md.data_page_offset = offset_now();
  const size_t num_values = num_rows_ - null_count_;
  size_t row = 0;
  size_t value = 0;
  int32_t pages = 0;
  do {
    scratch.values.clear();
    const size_t n =
        value < num_values ? EncodeValues(value, options_.page_max_bytes, &scratch.values) : 0;
    // The page holds the rows of those n values and the nulls that follow them.
    size_t end_row = row + n;
    if (spec_.nullable) {
      size_t seen = 0;
      end_row = row;
      while (end_row < num_rows_ && (seen < n || def_levels_[end_row] == 0)) {
        seen += def_levels_[end_row];
        ++end_row;
      }
    }
    scratch.page.clear();
    if (spec_.nullable) {
      scratch.page.resize(4);  // V1 pages prefix the levels with their byte length
      EncodeRleHybrid(std::span<const uint8_t>(def_levels_).subspan(row, end_row - row), 1,
                      &scratch.page);
      const auto len = static_cast<uint32_t>(scratch.page.size() - 4);
      std::memcpy(scratch.page.data(), &len, 4);
    }
    scratch.page.insert(scratch.page.end(), scratch.values.begin(), scratch.values.end());
    format::PageHeader header;
    header.type = PageType::kDataPage;
    header.data_page_header = format::DataPageHeader{
        .num_values = static_cast<int32_t>(end_row - row),
        .encoding = value_encoding,
        .definition_level_encoding = Encoding::kRle,
        .repetition_level_encoding = Encoding::kRle,
    };
    RETURN_IF_ERROR(WritePage(compressor, header, scratch, out, &uncompressed_total));
    ++pages;
    row = end_row;
    value += n;
  } while (row < num_rows_);
  md.encoding_stats.push_back({PageType::kDataPage, value_encoding, pages});

  // The dictionary page's encoding, or the values'.
  md.encodings.push_back(dictionary ? Encoding::kPlain : value_encoding);
  if (spec_.nullable) md.encodings.push_back(Encoding::kRle);
  if (dictionary) md.encodings.push_back(Encoding::kRleDictionary);
  md.total_uncompressed_size = uncompressed_total;
  md.total_compressed_size = static_cast<int64_t>(out->size() - start);
  format::Statistics stats;
  stats.null_count = static_cast<int64_t>(null_count_);
  FillMinMax(&stats);
  md.statistics = std::move(stats);
  chunk->file_offset = file_offset;

  num_rows_ = 0;
  null_count_ = 0;
  plain_bytes_ = 0;
  def_levels_.clear();
  ResetValues();
  return Status::Ok();
}

}  // namespace assay::sinks
