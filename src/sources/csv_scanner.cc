#include "sources/csv_scanner.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <cstring>

#include "sources/byte_stream.h"

namespace assay::sources {
namespace {

uint64_t CountNewlines(const char* begin, const char* end) {
  return static_cast<uint64_t>(std::count(begin, end, '\n'));
}

/// First byte in [p, end) equal to `a`, `b` or `c`, or end. 16 bytes at a time: loads may run
/// up to 15 bytes past `end` (ChunkedInput keeps kPadding readable bytes there), and a hit past
/// `end` is clamped.
const char* FindAny(const char* p, const char* end, char a, char b, char c) {
#if defined(__SSE2__)
  static_assert(ChunkedInput::kPadding >= 16);
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  const __m128i vc = _mm_set1_epi8(c);
  while (p < end) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hits =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(bytes, va), _mm_cmpeq_epi8(bytes, vb)),
                     _mm_cmpeq_epi8(bytes, vc));
    const unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
    if (mask != 0) {
      p += __builtin_ctz(mask);
      return p < end ? p : end;
    }
    p += 16;
  }
  return end;
#else
  while (p < end && *p != a && *p != b && *p != c) ++p;
  return p;
#endif
}

}  // namespace

CsvScanner::CsvScanner(const CsvOptions& options)
    : delimiter_(options.delimiter),
      quote_(options.quote),
      quoting_(options.quoting),
      strict_quotes_(options.strict_quotes),
      null_values_(options.null_values),
      null_is_empty_only_(options.null_values.size() == 1 && options.null_values[0].empty()) {}

CsvScanner::Scan CsvScanner::Split(const char* p, const char* end, bool eof, bool framed,
                                   Record* record) {
  // `framed`: [p, end) is exactly a record's text, its terminator already cut off, so only
  // `end` ends it (a CR there is content, not the start of a CRLF).
  num_spans_ = 0;
  record->begin = p;
  record->newlines = 0;
  record->error = {};
  const char d = delimiter_;
  const char q = quote_;
  while (true) {
    // One field per iteration. `continuation`: text after a closing quote, scanned only to find
    // where the (rejected) record ends.
    bool continuation = false;
    if (quoting_ && p < end && *p == q) {
      const char* content = p + 1;
      bool escaped = false;
      const char* close = nullptr;
      if (FindClosingQuote(content, end, eof, &close, &escaped) == Scan::kNeedMore) {
        return Scan::kNeedMore;
      }
      if (close == nullptr) {
        PushSpan(content, static_cast<size_t>(end - content), true, escaped);
        return Unterminated(content, end, record);
      }
      record->newlines += CountNewlines(content, close);
      PushSpan(content, static_cast<size_t>(close - content), true, escaped);
      p = close + 1;
      if (p == end) {  // eof: otherwise kNeedMore above
        record->content_end = end;
        record->next = end;
        return Scan::kRecord;
      }
      if (*p == d) {
        ++p;
        continue;
      }
      if (*p == '\n') {
        record->content_end = p;
        record->next = p + 1;
        ++record->newlines;
        return Scan::kRecord;
      }
      if (*p == '\r' && !framed) {
        if (p + 1 == end) {
          if (!eof) return Scan::kNeedMore;
          record->content_end = p;
          record->next = end;
          return Scan::kRecord;
        }
        if (p[1] == '\n') {
          record->content_end = p;
          record->next = p + 2;
          ++record->newlines;
          return Scan::kRecord;
        }
      }
      // `"abc"def`: the value is ambiguous, so the row is rejected in either quote mode.
      if (record->error.empty()) record->error = kCsvStrayQuote;
      continuation = true;
    }
    const char* start = p;
    while (true) {
      p = FindStop(p, end);
      if (p < end && quoting_ && *p == q) {  // a quote inside an unquoted field
        if (strict_quotes_ && record->error.empty()) record->error = kCsvStrayQuote;
        ++p;
        continue;
      }
      break;
    }
    if (p == end) {
      if (!eof) return Scan::kNeedMore;
      const char* field_end = end;
      if (!framed && field_end > start && field_end[-1] == '\r') --field_end;
      if (!continuation) PushSpan(start, static_cast<size_t>(field_end - start), false, false);
      record->content_end = field_end;
      record->next = end;
      return Scan::kRecord;
    }
    if (*p == d) {
      if (!continuation) PushSpan(start, static_cast<size_t>(p - start), false, false);
      ++p;
      continue;
    }
    // '\n'; a CR before it belongs to the terminator.
    const char* field_end = p;
    if (field_end > start && field_end[-1] == '\r') --field_end;
    if (!continuation) PushSpan(start, static_cast<size_t>(field_end - start), false, false);
    record->content_end = field_end;
    record->next = p + 1;
    ++record->newlines;
    return Scan::kRecord;
  }
}

CsvScanner::Scan CsvScanner::FindClosingQuote(const char* content, const char* end, bool eof,
                                              const char** close, bool* escaped) const {
  const char* from = content;
  while (true) {
    const char* q =
        static_cast<const char*>(std::memchr(from, quote_, static_cast<size_t>(end - from)));
    if (q == nullptr) {
      *close = nullptr;
      return eof ? Scan::kRecord : Scan::kNeedMore;
    }
    if (q + 1 == end && !eof) return Scan::kNeedMore;  // "" may straddle the chunk
    if (q + 1 < end && q[1] == quote_) {
      *escaped = true;
      from = q + 2;
      continue;
    }
    *close = q;
    return Scan::kRecord;
  }
}

CsvScanner::Scan CsvScanner::Unterminated(const char* content, const char* end, Record* record) {
  record->newlines += CountNewlines(content, end);
  record->error = kCsvUnterminatedQuote;
  record->content_end = end;
  record->next = end;
  return Scan::kRecord;
}

CsvScanner::Scan CsvScanner::FrameRecord(const char* p, const char* end, bool eof,
                                         Record* record) const {
  // The same record ends as Split's: a line feed outside quotes ends the record (a CR before it
  // is terminator), the end of the input ends it too (a CR before that is terminator too,
  // unless a quote is open). Outside quotes only line feeds and quotes matter: a quote right
  // after the record start or a delimiter opens a quoted field, any other is an ordinary byte.
  const char* const begin = p;
  record->begin = begin;
  record->newlines = 0;
  record->error = {};
  while (true) {
    p = FindLineOrQuote(p, end);
    if (p == end) {
      if (!eof) return Scan::kNeedMore;
      record->content_end = end > begin && end[-1] == '\r' ? end - 1 : end;
      record->next = end;
      return Scan::kRecord;
    }
    if (*p == '\n') {
      record->content_end = p > begin && p[-1] == '\r' ? p - 1 : p;
      record->next = p + 1;
      ++record->newlines;
      return Scan::kRecord;
    }
    if (p != begin && p[-1] != delimiter_) {  // a quote inside an unquoted field
      ++p;
      continue;
    }
    const char* content = p + 1;
    bool escaped = false;
    const char* close = nullptr;
    if (FindClosingQuote(content, end, eof, &close, &escaped) == Scan::kNeedMore) {
      return Scan::kNeedMore;
    }
    if (close == nullptr) return Unterminated(content, end, record);
    record->newlines += CountNewlines(content, close);
    p = close + 1;
  }
}

std::string_view CsvScanner::SplitFramed(std::string_view text) {
  if (SplitWithoutQuotes(text)) return {};
  Record record;
  Split(text.data(), text.data() + text.size(), /*eof=*/true, /*framed=*/true, &record);
  return record.error;
}

bool CsvScanner::SplitWithoutQuotes(std::string_view text) {
#if defined(__SSE2__)
  // A framed record holds no line feed outside quotes, so without quotes every delimiter ends a
  // field and nothing else does. Delimiter bits of 16 bytes at a time, walked with tzcnt: the
  // field-by-field search was one long dependency chain per field. Loads may run up to 15 bytes
  // past the text, into the rest of its ChunkedInput buffer or the padding after it.
  static_assert(ChunkedInput::kPadding >= 16);
  const __m128i delimiter = _mm_set1_epi8(delimiter_);
  const __m128i quote = _mm_set1_epi8(quote_);
  const char* const begin = text.data();
  const size_t n = text.size();
  num_spans_ = 0;
  const char* field = begin;
  for (size_t i = 0; i < n; i += 16) {
    const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(begin + i));
    const unsigned in_text = n - i >= 16 ? 0xFFFFu : (1u << (n - i)) - 1;
    if (quoting_ &&
        (static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, quote))) & in_text) != 0) {
      return false;  // quotes: Split decides what they mean
    }
    unsigned ends =
        static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(bytes, delimiter))) & in_text;
    while (ends != 0) {
      const char* at = begin + i + static_cast<size_t>(__builtin_ctz(ends));
      PushSpan(field, static_cast<size_t>(at - field), false, false);
      field = at + 1;
      ends &= ends - 1;
    }
  }
  PushSpan(field, static_cast<size_t>(begin + n - field), false, false);
  return true;
#else
  (void)text;
  return false;
#endif
}

const char* CsvScanner::FindStop(const char* p, const char* end) const {
  return FindAny(p, end, delimiter_, '\n', quoting_ ? quote_ : '\n');
}

const char* CsvScanner::FindLineOrQuote(const char* p, const char* end) const {
  if (!quoting_) {
    const void* hit = std::memchr(p, '\n', static_cast<size_t>(end - p));
    return hit != nullptr ? static_cast<const char*>(hit) : end;
  }
  return FindAny(p, end, '\n', quote_, quote_);
}

std::string_view CsvScanner::Unescape(const FieldSpan& field, StringArena& arena) const {
  char* out = arena.Allocate(field.size);
  char* o = out;
  const char* s = field.begin;
  const char* e = field.begin + field.size;
  while (s < e) {
    const char* quote =
        static_cast<const char*>(std::memchr(s, quote_, static_cast<size_t>(e - s)));
    if (quote == nullptr) {
      std::memcpy(o, s, static_cast<size_t>(e - s));
      o += e - s;
      break;
    }
    // Keep one quote of the pair.
    size_t n = static_cast<size_t>(quote - s) + 1;
    std::memcpy(o, s, n);
    o += n;
    s = quote + 2;
  }
  return {out, static_cast<size_t>(o - out)};
}

void CsvScanner::SetCells(Batch& batch, size_t row, const std::vector<int>& column_to_field) const {
  for (size_t i = 0; i < num_spans_; ++i) {
    const int field = column_to_field[i];
    if (field < 0) continue;
    const FieldSpan& span = spans_[i];
    std::string_view value(span.begin, span.size);
    if (!span.quoted) {
      if (IsNull(value)) continue;  // AppendRow made the cell kNull
    } else if (span.escaped) {
      value = Unescape(span, batch.arena());
    }
    batch.SetCell(row, static_cast<size_t>(field), CellKind::kText, value);
  }
}

std::string CsvErrorMessage(std::string_view code, size_t expected, size_t found) {
  if (code == kCsvFieldCount) {
    return "expected " + std::to_string(expected) + " fields, found " + std::to_string(found);
  }
  if (code == kCsvUnterminatedQuote)
    return "quoted field is not closed before the end of the input";
  if (code == kCsvInvalidUtf8) return "record is not valid UTF-8";
  return "quote character inside an unquoted field or after a closing quote";
}

}  // namespace assay::sources
