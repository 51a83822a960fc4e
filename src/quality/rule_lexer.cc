#include "quality/rule_lexer.h"

#include <fmt/format.h>

namespace assay::quality {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentStart(char c) {
  // Bytes >= 0x80 are UTF-8 letters of non-English field names.
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         static_cast<unsigned char>(c) >= 0x80;
}
bool IsIdentPart(char c) { return IsIdentStart(c) || IsDigit(c) || c == '$'; }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

class Lexer {
 public:
  explicit Lexer(const RuleSource& source) : source_(source), text_(source.text) {}

  Result<std::vector<Token>> Run() {
    std::vector<Token> tokens;
    while (true) {
      SkipSpaceAndComments();
      if (pos_ >= text_.size()) break;
      ASSIGN_OR_RETURN(Token token, Next());
      tokens.push_back(std::move(token));
    }
    Token end;
    end.kind = TokenKind::kEnd;
    end.pos = text_.size();
    tokens.push_back(std::move(end));
    return tokens;
  }

 private:
  void SkipSpaceAndComments() {
    while (pos_ < text_.size()) {
      if (IsSpace(text_[pos_])) {
        ++pos_;
      } else if (text_.substr(pos_, 2) == "--") {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else {
        break;
      }
    }
  }

  Token Make(TokenKind kind, size_t begin) {
    Token token;
    token.kind = kind;
    token.pos = begin;
    token.text = text_.substr(begin, pos_ - begin);
    token.value = std::string(token.text);
    return token;
  }

  Result<Token> Next() {
    const size_t begin = pos_;
    const char c = text_[pos_];
    if (IsIdentStart(c)) {
      while (pos_ < text_.size() && IsIdentPart(text_[pos_])) ++pos_;
      return Make(TokenKind::kIdent, begin);
    }
    if (IsDigit(c) || (c == '.' && pos_ + 1 < text_.size() && IsDigit(text_[pos_ + 1]))) {
      return Number(begin);
    }
    if (c == '\'') return Quoted(begin, '\'', TokenKind::kString);
    if (c == '"') return Quoted(begin, '"', TokenKind::kQuotedIdent);

    auto two = text_.substr(pos_, 2);
    struct Op {
      std::string_view text;
      TokenKind kind;
    };
    // Two-character operators first so that `<=` is not read as `<` `=`.
    static constexpr Op kOps[] = {
        {"//", TokenKind::kSlashSlash}, {"||", TokenKind::kConcat},      {"==", TokenKind::kEq},
        {"!=", TokenKind::kNe},         {"<>", TokenKind::kNe},          {"<=", TokenKind::kLe},
        {">=", TokenKind::kGe},         {"::", TokenKind::kDoubleColon}, {"(", TokenKind::kLParen},
        {")", TokenKind::kRParen},      {",", TokenKind::kComma},        {"+", TokenKind::kPlus},
        {"-", TokenKind::kMinus},       {"*", TokenKind::kStar},         {"/", TokenKind::kSlash},
        {"%", TokenKind::kPercent},     {"=", TokenKind::kEq},           {"<", TokenKind::kLt},
        {">", TokenKind::kGt},
    };
    for (const Op& op : kOps) {
      if (two.substr(0, op.text.size()) == op.text) {
        pos_ += op.text.size();
        return Make(op.kind, begin);
      }
    }
    if (c == '|') return source_.Error(begin, "unexpected character '|' (use || to concatenate)");
    if (c == '!') return source_.Error(begin, "unexpected character '!' (use NOT or !=)");
    if (c == '&') return source_.Error(begin, "unexpected character '&' (use AND)");
    return source_.Error(
        begin, fmt::format("unexpected character {}", QuoteForMessage(text_.substr(begin, 1))));
  }

  Result<Token> Number(size_t begin) {
    bool is_integer = true;
    while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      is_integer = false;
      ++pos_;
      while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      size_t exp = pos_ + 1;
      if (exp < text_.size() && (text_[exp] == '+' || text_[exp] == '-')) ++exp;
      if (exp < text_.size() && IsDigit(text_[exp])) {
        is_integer = false;
        pos_ = exp;
        while (pos_ < text_.size() && IsDigit(text_[pos_])) ++pos_;
      }
    }
    // `12abc` is a typo, not the number 12 followed by the field abc.
    if (pos_ < text_.size() && (IsIdentPart(text_[pos_]) || text_[pos_] == '.')) {
      while (pos_ < text_.size() && (IsIdentPart(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      return source_.Error(begin, fmt::format("invalid number {}",
                                              QuoteForMessage(text_.substr(begin, pos_ - begin))));
    }
    return Make(is_integer ? TokenKind::kInteger : TokenKind::kNumber, begin);
  }

  // A quoted string or identifier; the quote character is escaped by doubling it.
  Result<Token> Quoted(size_t begin, char quote, TokenKind kind) {
    std::string value;
    ++pos_;
    while (true) {
      if (pos_ >= text_.size()) {
        return source_.Error(begin, kind == TokenKind::kString
                                        ? "unterminated string (a ' is missing)"
                                        : "unterminated quoted name (a \" is missing)");
      }
      char c = text_[pos_++];
      if (c == quote) {
        if (pos_ < text_.size() && text_[pos_] == quote) {
          value += quote;
          ++pos_;
          continue;
        }
        break;
      }
      value += c;
    }
    if (kind == TokenKind::kQuotedIdent && value.empty()) {
      return source_.Error(begin, "empty quoted name");
    }
    Token token = Make(kind, begin);
    token.value = std::move(value);
    return token;
  }

  const RuleSource& source_;
  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool EqualsKeyword(std::string_view word, std::string_view lower_keyword) {
  if (word.size() != lower_keyword.size()) return false;
  for (size_t i = 0; i < word.size(); ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_keyword[i]) return false;
  }
  return true;
}

Result<std::vector<Token>> LexRule(const RuleSource& source) { return Lexer(source).Run(); }

}  // namespace assay::quality
