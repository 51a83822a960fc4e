#include "quality/fixed_pattern.h"

#include <charconv>

namespace assay::quality {

/// Recursive descent over the accepted subset:
///   pattern := '^'? alternation '$'?
///   alternation := sequence ('|' sequence)*    (top level, or one group around everything)
///   sequence := (atom quantifier?)*
///   atom := ASCII literal | '\' escaped | '[' class ']'
///   quantifier := '{' n '}'                     (fixed counts only)
/// Everything else — '.', '*', '+', '?', '{n,m}', negated classes, non-ASCII, case folding,
/// nested groups — makes Compile give up, so no approximation can change an answer.
class FixedPattern::Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  std::optional<FixedPattern> Parse() {
    // Anchors at either end are no-ops for a whole-value match.
    Eat('^');
    const std::string_view body = p_.substr(i_);
    if (!body.empty() && body.back() == '$' && !EndsEscaped(body)) p_.remove_suffix(1);
    FixedPattern out;
    const bool grouped = Peek() == '(' && GroupSpansRest();
    if (grouped) {
      ++i_;
      if (p_.substr(i_, 2) == "?:") i_ += 2;
    }
    for (;;) {
      Branch branch;
      if (!ParseSequence(&branch)) return std::nullopt;
      out.branches_.push_back(std::move(branch));
      if (!Eat('|')) break;
    }
    if (grouped && !Eat(')')) return std::nullopt;
    if (i_ != p_.size()) return std::nullopt;
    return out;
  }

 private:
  static constexpr size_t kMaxLength = 1024;  ///< longer fixed shapes are left to RE2

  char Peek() const { return i_ < p_.size() ? p_[i_] : '\0'; }
  bool Eat(char c) {
    if (Peek() != c || i_ >= p_.size()) return false;
    ++i_;
    return true;
  }
  static bool EndsEscaped(std::string_view s) {
    size_t backslashes = 0;
    for (size_t k = s.size() - 1; k > 0 && s[k - 1] == '\\'; --k) ++backslashes;
    return backslashes % 2 == 1;
  }
  /// Whether the '(' at i_ closes at the very end, so the group is the whole pattern.
  bool GroupSpansRest() const {
    int depth = 0;
    bool in_class = false;
    for (size_t k = i_; k < p_.size(); ++k) {
      const char c = p_[k];
      if (c == '\\') {
        ++k;
        continue;
      }
      if (in_class) {
        if (c == ']') in_class = false;
        continue;
      }
      if (c == '[') {
        in_class = true;
      } else if (c == '(') {
        ++depth;
      } else if (c == ')' && --depth == 0) {
        return k + 1 == p_.size();
      }
    }
    return false;
  }

  bool ParseSequence(Branch* branch) {
    while (i_ < p_.size() && Peek() != '|' && Peek() != ')') {
      ByteSet set;
      if (!ParseAtom(&set)) return false;
      size_t count = 1;
      if (Peek() == '{' && !ParseCount(&count)) return false;
      if (Peek() == '*' || Peek() == '+' || Peek() == '?' || Peek() == '{') return false;
      if (branch->positions.size() + count > kMaxLength) return false;
      branch->positions.insert(branch->positions.end(), count, set);
    }
    return true;
  }

  bool ParseCount(size_t* count) {
    ++i_;  // '{'
    const char* first = p_.data() + i_;
    const char* last = p_.data() + p_.size();
    auto [end, ec] = std::from_chars(first, last, *count);
    if (ec != std::errc() || end == last || *end != '}') return false;
    i_ += static_cast<size_t>(end - first) + 1;
    return *count <= kMaxLength;
  }

  static bool IsPlainLiteral(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f) return false;
    switch (c) {
      case '.':
      case '*':
      case '+':
      case '?':
      case '(':
      case ')':
      case '[':
      case ']':
      case '{':
      case '}':
      case '|':
      case '^':
      case '$':
      case '\\': return false;
      default: return true;
    }
  }

  /// Escapes that stand for one ASCII byte or a fixed ASCII class.
  static bool EscapeSet(char c, ByteSet* set) {
    switch (c) {
      case 'd': AddRange('0', '9', set); return true;
      case 'w':
        AddRange('0', '9', set);
        AddRange('A', 'Z', set);
        AddRange('a', 'z', set);
        set->Add('_');
        return true;
      default:
        // Punctuation escapes (\. \- \+ ...) are that character; letters and digits after a
        // backslash are classes or assertions this subset does not model.
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) >= 0x7f) {
          return false;
        }
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) {
          return false;
        }
        set->Add(static_cast<unsigned char>(c));
        return true;
    }
  }

  static void AddRange(char lo, char hi, ByteSet* set) {
    for (int c = static_cast<unsigned char>(lo); c <= static_cast<unsigned char>(hi); ++c) {
      set->Add(static_cast<unsigned char>(c));
    }
  }

  bool ParseAtom(ByteSet* set) {
    const char c = Peek();
    if (c == '\\') {
      if (i_ + 1 >= p_.size()) return false;
      i_ += 2;
      return EscapeSet(p_[i_ - 1], set);
    }
    if (c == '[') return ParseClass(set);
    if (!IsPlainLiteral(c)) return false;
    set->Add(static_cast<unsigned char>(c));
    ++i_;
    return true;
  }

  /// One class item: a literal byte, or an escaped punctuation byte.
  bool ClassChar(char* out) {
    char c = Peek();
    if (c == '\\') {
      if (i_ + 1 >= p_.size()) return false;
      c = p_[i_ + 1];
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x21 || u >= 0x7f || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
          (c >= 'a' && c <= 'z')) {
        return false;
      }
      i_ += 2;
      *out = c;
      return true;
    }
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '[' || c == ']') return false;
    ++i_;
    *out = c;
    return true;
  }

  bool ParseClass(ByteSet* set) {
    ++i_;                             // '['
    if (Peek() == '^') return false;  // a negated class matches multi-byte code points
    bool any = false;
    while (i_ < p_.size() && Peek() != ']') {
      if (Peek() == '\\' && i_ + 1 < p_.size() && (p_[i_ + 1] == 'd' || p_[i_ + 1] == 'w')) {
        EscapeSet(p_[i_ + 1], set);
        i_ += 2;
        any = true;
        continue;
      }
      char lo = 0;
      if (!ClassChar(&lo)) return false;
      char hi = lo;
      if (Peek() == '-' && i_ + 1 < p_.size() && p_[i_ + 1] != ']') {
        ++i_;
        if (!ClassChar(&hi) || hi < lo) return false;
      }
      AddRange(lo, hi, set);
      any = true;
    }
    if (!Eat(']')) return false;
    return any;
  }

  std::string_view p_;
  size_t i_ = 0;
};

std::optional<FixedPattern> FixedPattern::Compile(std::string_view pattern) {
  return Parser(pattern).Parse();
}

}  // namespace assay::quality
