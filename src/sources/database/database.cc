#include "sources/database/database.h"

#include <fmt/format.h>

#include <cctype>

#include "core/ascii.h"
#include "sources/database/drivers.h"

namespace assay::sources::db {

std::string_view DbTypeName(DbType type) {
  switch (type) {
    case DbType::kText: return "text";
    case DbType::kInteger: return "integer";
    case DbType::kDecimal: return "decimal";
    case DbType::kFloat: return "float";
    case DbType::kBoolean: return "boolean";
    case DbType::kTimestamp: return "timestamp";
    case DbType::kTimestampTz: return "timestamptz";
    case DbType::kDate: return "date";
    case DbType::kTime: return "time";
    case DbType::kJson: return "json";
    case DbType::kBinary: return "binary";
    case DbType::kOther: return "other";
  }
  return "?";
}

std::string SqlDialect::QuoteName(std::string_view name) const {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t dot = name.find('.', start);
    std::string_view part = name.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (start > 0) out += '.';
    out += identifier_quote;
    for (char c : part) {
      if (c == identifier_quote) out += identifier_quote;  // doubled, as SQL escapes it
      out += c;
    }
    out += identifier_quote;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

std::string SqlDialect::Placeholder(int index) const {
  return numbered_placeholders ? fmt::format("${}", index) : std::string("?");
}

Result<std::unique_ptr<DbConnection>> Connect(const ConnectOptions& options) {
  Result<std::unique_ptr<DbConnection>> connection = Unimplemented("no driver");
  switch (options.url.driver) {
    case Driver::kRedis:
      return InvalidArgument("redis:// is not an SQL database: read it with a type: redis source");
    case Driver::kSqlite: connection = ConnectSqlite(options); break;
    case Driver::kPostgres: connection = ConnectPostgres(options); break;
    case Driver::kMariaDb: connection = ConnectMariaDb(options); break;
    case Driver::kOdbc: connection = ConnectOdbc(options); break;
  }
  if (connection.ok()) return connection;
  StatusCode code = connection.status().code();
  // ODBC drivers (psqlODBC: 08001) report a refused login like an unreachable server; only the
  // server's words tell them apart, and a refused login is not worth retrying.
  if (code == StatusCode::kUnavailable && IsRefusedLogin(connection.status().message())) {
    code = StatusCode::kPermissionDenied;
  }
  // Drivers put the server's words in their messages; none may carry the password out.
  return Status(code, fmt::format("{}: {}", options.url.Redacted(),
                                  Redact(connection.status().message(), options)));
}

bool IsRefusedLogin(std::string_view message) {
  const std::string lower = AsciiLower(message);
  for (std::string_view refused :
       {"authentication failed", "access denied", "login failed", "no password supplied",
        "invalid password", "no pg_hba.conf entry", "wrongpass", "permission denied"}) {
    if (lower.find(refused) != std::string::npos) return true;
  }
  return false;
}

void AppendHex(std::string& out, std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
}

std::string Redact(std::string_view message, const ConnectOptions& options) {
  std::string out(message);
  auto hide = [&out](const std::string& secret) {
    if (secret.empty()) return;
    for (size_t at = out.find(secret); at != std::string::npos; at = out.find(secret, at + 3)) {
      out.replace(at, secret.size(), "***");
    }
  };
  if (options.password) hide(*options.password);
  if (options.url.password) hide(*options.url.password);
  // key=value secrets in connection strings the driver may echo (password=..., PWD=...).
  std::string lower = AsciiLower(out);
  for (const char* key : {"password=", "pwd=", "passwd="}) {
    const std::string_view k(key);
    for (size_t at = lower.find(k); at != std::string::npos; at = lower.find(k, at + 1)) {
      const size_t value = at + k.size();
      size_t end = out.find_first_of("; '\"\n", value);
      if (end == std::string::npos) end = out.size();
      if (end > value && out.compare(value, end - value, "***") != 0) {
        out.replace(value, end - value, "***");
        lower.replace(value, end - value, "***");
      }
    }
  }
  return out;
}

}  // namespace assay::sources::db
