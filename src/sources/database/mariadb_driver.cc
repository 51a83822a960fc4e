// MariaDB and MySQL through libmariadb (MariaDB Connector/C). Results are read with
// mysql_use_result, so rows stream from the socket one at a time and a table of any size is read
// in constant memory. Values come in the text protocol, which already holds each type's exact
// text (DECIMAL digits, DATETIME fractions); the driver only rewrites them into the canonical
// forms of database.h. Parameters are bound as escaped literals in the statement text: the text
// protocol has no placeholders, and a prepared statement would switch results to the binary
// protocol, whose conversions we would then have to redo.
#include <errmsg.h>
#include <fmt/format.h>
#include <mysql.h>
#include <mysqld_error.h>

#include <charconv>
#include <cmath>
#include <mutex>

#include "sources/database/drivers.h"

namespace assay::sources::db {
namespace {

constexpr unsigned kBinaryCharset = 63;  // charsetnr of binary strings (BLOB, VARBINARY)

bool IsStringType(enum_field_types type) {
  switch (type) {
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB: return true;
    default: return false;
  }
}

bool IsJson(const MYSQL_FIELD& field) {
  if (field.type == MYSQL_TYPE_JSON) return true;  // MySQL's own JSON type
  // MariaDB's JSON is LONGTEXT; the server names the format in the extended metadata.
  MARIADB_CONST_STRING format{};
  return mariadb_field_attr(&format, &field, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0 &&
         std::string_view(format.str, format.length) == "json";
}

// The mapping of docs/database-sources.md "MariaDB and MySQL".
DbType TypeOfField(const MYSQL_FIELD& field) {
  switch (field.type) {
    case MYSQL_TYPE_TINY:  // BOOLEAN is TINYINT(1), and BIT(1) is the other usual boolean
    case MYSQL_TYPE_BIT: return field.length == 1 ? DbType::kBoolean : DbType::kInteger;
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
    case MYSQL_TYPE_YEAR: return DbType::kInteger;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: return DbType::kDecimal;
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE: return DbType::kFloat;
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2: return DbType::kTimestamp;
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2: return DbType::kTimestampTz;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: return DbType::kDate;
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2: return DbType::kTime;
    case MYSQL_TYPE_JSON: return DbType::kJson;
    case MYSQL_TYPE_GEOMETRY: return DbType::kBinary;
    case MYSQL_TYPE_ENUM:
    case MYSQL_TYPE_SET: return DbType::kText;
    default: break;
  }
  if (IsStringType(field.type)) {
    if (IsJson(field)) return DbType::kJson;
    return field.charsetnr == kBinaryCharset ? DbType::kBinary : DbType::kText;
  }
  return DbType::kOther;
}

std::string NativeTypeName(const MYSQL_FIELD& field, DbType type) {
  switch (field.type) {
    case MYSQL_TYPE_TINY: return type == DbType::kBoolean ? "TINYINT(1)" : "TINYINT";
    case MYSQL_TYPE_SHORT: return "SMALLINT";
    case MYSQL_TYPE_INT24: return "MEDIUMINT";
    case MYSQL_TYPE_LONG: return "INT";
    case MYSQL_TYPE_LONGLONG: return "BIGINT";
    case MYSQL_TYPE_YEAR: return "YEAR";
    case MYSQL_TYPE_BIT: return "BIT";
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: return "DECIMAL";
    case MYSQL_TYPE_FLOAT: return "FLOAT";
    case MYSQL_TYPE_DOUBLE: return "DOUBLE";
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2: return "DATETIME";
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2: return "TIMESTAMP";
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE: return "DATE";
    case MYSQL_TYPE_TIME:
    case MYSQL_TYPE_TIME2: return "TIME";
    case MYSQL_TYPE_JSON: return "JSON";
    case MYSQL_TYPE_GEOMETRY: return "GEOMETRY";
    case MYSQL_TYPE_ENUM: return "ENUM";
    case MYSQL_TYPE_SET: return "SET";
    default: break;
  }
  if (field.flags & ENUM_FLAG) return "ENUM";
  if (field.flags & SET_FLAG) return "SET";
  if (type == DbType::kJson) return "JSON";
  const bool binary = type == DbType::kBinary;
  switch (field.type) {
    case MYSQL_TYPE_STRING: return binary ? "BINARY" : "CHAR";
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR: return binary ? "VARBINARY" : "VARCHAR";
    default: return binary ? "BLOB" : "TEXT";
  }
}

// MySQL's zero dates ('0000-00-00', '2024-00-10') are not dates: they stay text and fail a
// date check instead of passing as a date that does not exist.
bool IsZeroDate(std::string_view value) {
  return value.size() >= 10 &&
         (value.substr(0, 4) == "0000" || value.substr(5, 2) == "00" || value.substr(8, 2) == "00");
}

void AppendValue(RowChunk& out, const MYSQL_FIELD& field, DbType type, std::string_view value) {
  switch (type) {
    case DbType::kBoolean: {
      uint64_t v = 0;
      if (field.type == MYSQL_TYPE_BIT) {
        for (unsigned char c : value) v = (v << 8) | c;
      } else if (value == "0" || value == "1") {
        v = value == "1";
      } else {  // TINYINT(1) holds -128..127: anything but 0/1 is a number, not a boolean
        out.Append(DbType::kInteger, value);
        return;
      }
      out.Append(DbType::kBoolean, v ? "true" : "false");
      return;
    }
    case DbType::kInteger:
      if (field.type == MYSQL_TYPE_BIT) {  // BIT(n) arrives as n/8 big-endian bytes
        uint64_t v = 0;
        for (unsigned char c : value) v = (v << 8) | c;
        out.AppendWith(DbType::kInteger,
                       [v](std::string& s) { fmt::format_to(std::back_inserter(s), "{}", v); });
        return;
      }
      out.Append(DbType::kInteger, value);
      return;
    case DbType::kFloat: {
      // The server prints FLOAT to float precision: reparse at that width for the shortest form.
      char buf[32];
      std::to_chars_result printed{};
      if (field.type == MYSQL_TYPE_FLOAT) {
        float v = 0;
        std::from_chars(value.data(), value.data() + value.size(), v);
        printed = std::to_chars(buf, buf + sizeof(buf), v);
      } else {
        double v = 0;
        std::from_chars(value.data(), value.data() + value.size(), v);
        printed = std::to_chars(buf, buf + sizeof(buf), v);
      }
      out.Append(DbType::kFloat, std::string_view(buf, printed.ptr - buf));
      return;
    }
    case DbType::kTimestamp:
    case DbType::kTimestampTz:
      if (IsZeroDate(value) || value.size() < 19) {
        out.Append(DbType::kText, value);
        return;
      }
      out.AppendWith(type, [value](std::string& s) {
        s.append(value.substr(0, 10));
        s.push_back('T');
        s.append(value.substr(11));
        s.push_back('Z');
      });
      return;
    case DbType::kDate:
      out.Append(IsZeroDate(value) ? DbType::kText : DbType::kDate, value);
      return;
    case DbType::kBinary:
      out.AppendWith(DbType::kBinary, [value](std::string& s) { AppendHex(s, value); });
      return;
    default: out.Append(type, value); return;
  }
}

// A login the server refused fails the same way on every attempt: kPermissionDenied, not
// retried. So is a database that does not exist (kNotFound); the rest (no server, a lost
// handshake, too many connections) may pass.
Status ConnectError(MYSQL* mysql) {
  const unsigned code = mysql_errno(mysql);
  std::string message = fmt::format("cannot connect: {} (error {})", mysql_error(mysql), code);
  switch (code) {
    case ER_ACCESS_DENIED_ERROR:
    case ER_DBACCESS_DENIED_ERROR:
    case ER_ACCESS_DENIED_NO_PASSWORD_ERROR:
    case ER_HOST_NOT_PRIVILEGED: return Status(StatusCode::kPermissionDenied, std::move(message));
    case ER_BAD_DB_ERROR: return NotFound(std::move(message));
    default: return Unavailable(std::move(message));
  }
}

// libmariadb's client error codes (2000-2999) mean the connection failed; the server's own
// codes mean the statement did, except the few that are about the session's life.
Status QueryError(MYSQL* mysql, std::string_view what) {
  const unsigned code = mysql_errno(mysql);
  std::string message = fmt::format("{}: {} (error {})", what, mysql_error(mysql), code);
  const bool transient = (code >= CR_MIN_ERROR && code <= CR_MAX_ERROR) ||
                         code == ER_STATEMENT_TIMEOUT || code == ER_LOCK_WAIT_TIMEOUT ||
                         code == ER_LOCK_DEADLOCK || code == ER_SERVER_SHUTDOWN ||
                         code == ER_CONNECTION_KILLED || code == ER_QUERY_INTERRUPTED;
  if (code == ER_STATEMENT_TIMEOUT) message += " [statement_timeout reached]";
  return transient ? Unavailable(std::move(message)) : InvalidArgument(std::move(message));
}

// Replaces each `?` placeholder outside quotes and comments with the matching literal.
Result<std::string> SubstituteParams(std::string_view sql,
                                     const std::vector<std::string>& literals) {
  std::string out;
  out.reserve(sql.size());
  size_t next = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"' || c == '`') {  // a quoted string or name, up to its closing quote
      size_t j = i + 1;
      for (; j < sql.size(); ++j) {
        if (sql[j] == '\\' && c != '`') {
          ++j;
        } else if (sql[j] == c) {
          if (j + 1 < sql.size() && sql[j + 1] == c) {
            ++j;  // a doubled quote
          } else {
            break;
          }
        }
      }
      out.append(sql.substr(i, j + 1 - i));
      i = j;
    } else if (c == '#' || (c == '-' && i + 2 < sql.size() && sql[i + 1] == '-' &&
                            std::isspace(static_cast<unsigned char>(sql[i + 2])))) {
      const size_t end = sql.find('\n', i);
      const size_t stop = end == std::string_view::npos ? sql.size() : end;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      const size_t end = sql.find("*/", i + 2);
      const size_t stop = end == std::string_view::npos ? sql.size() : end + 2;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
    } else if (c == '?') {
      if (next < literals.size()) out += literals[next];
      ++next;
    } else {
      out.push_back(c);
    }
  }
  if (next != literals.size()) {
    return InvalidArgument(
        fmt::format("query has {} placeholders for {} parameters", next, literals.size()));
  }
  return out;
}

bool AllOf(std::string_view s, std::string_view allowed) {
  return !s.empty() && s.find_first_not_of(allowed) == std::string_view::npos;
}

class MariaDbConnection;

class MariaDbCursor final : public DbCursor {
 public:
  MariaDbCursor(MariaDbConnection* connection, MYSQL* mysql, MYSQL_RES* result);
  ~MariaDbCursor() override;
  MariaDbCursor(const MariaDbCursor&) = delete;
  MariaDbCursor& operator=(const MariaDbCursor&) = delete;

  const std::vector<DbColumn>& columns() const override { return columns_; }

  Result<size_t> Fetch(RowChunk& out, size_t max_rows) override {
    size_t rows = 0;
    const size_t n = columns_.size();
    while (!done_ && rows < max_rows) {
      MYSQL_ROW row = mysql_fetch_row(result_);
      if (row == nullptr) {
        done_ = true;
        if (mysql_errno(mysql_) != 0) return QueryError(mysql_, "reading the result failed");
        break;
      }
      const unsigned long* lengths = mysql_fetch_lengths(result_);
      for (size_t c = 0; c < n; ++c) {
        if (row[c] == nullptr) {
          out.AppendNull(columns_[c].type);
        } else {
          AppendValue(out, fields_[c], columns_[c].type, std::string_view(row[c], lengths[c]));
        }
      }
      ++out.num_rows;
      ++rows;
    }
    return rows;
  }

 private:
  MariaDbConnection* connection_;
  MYSQL* mysql_;
  MYSQL_RES* result_;
  MYSQL_FIELD* fields_;
  std::vector<DbColumn> columns_;
  bool done_ = false;
};

Result<MYSQL*> Open(const ConnectOptions& options) {
  static std::once_flag library_init;
  std::call_once(library_init, [] { mysql_library_init(0, nullptr, nullptr); });
  const DatabaseUrl& url = options.url;
  std::string socket;
  for (const auto& [key, value] : url.params) {
    if (key == "unix_socket" || key == "host") {
      socket = value;
    } else {
      return InvalidArgument(fmt::format(
          "database url: unknown parameter '{}' for MariaDB (known: unix_socket)", key));
    }
  }
  MYSQL* mysql = mysql_init(nullptr);
  if (mysql == nullptr) return Internal("mysql_init failed: out of memory");
  auto seconds = [](std::chrono::milliseconds ms) {
    return static_cast<unsigned>((ms.count() + 999) / 1000);
  };
  const unsigned connect_timeout = std::max(1U, seconds(options.connect_timeout));
  mysql_optionsv(mysql, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
  if (options.statement_timeout.count() > 0) {
    // A server that stops answering mid-result (not one that dies: that closes the socket)
    // would block a read for ever; the statement timeout bounds the whole query anyway.
    const unsigned read_timeout = seconds(options.statement_timeout) + connect_timeout;
    mysql_optionsv(mysql, MYSQL_OPT_READ_TIMEOUT, &read_timeout);
  }
  mysql_optionsv(mysql, MYSQL_SET_CHARSET_NAME, "utf8mb4");
  const std::string& mode = options.tls_mode;
  // Setting any TLS option turns TLS on in Connector/C: disable must set none.
  if (!options.tls_ca_file.empty() && mode != "disable") {
    mysql_optionsv(mysql, MYSQL_OPT_SSL_CA, options.tls_ca_file.c_str());
  }
  if (mode == "prefer" || mode == "require" || mode == "verify-ca" || mode == "verify-full") {
    const my_bool yes = 1;
    mysql_optionsv(mysql, MYSQL_OPT_SSL_ENFORCE, &yes);
    if (mode == "verify-ca" || mode == "verify-full") {
      mysql_optionsv(mysql, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &yes);
    }
  } else if (!mode.empty() && mode != "disable") {
    mysql_close(mysql);
    return InvalidArgument(fmt::format(
        "unknown sslmode '{}' (disable, prefer, require, verify-ca or verify-full)", mode));
  }
  const std::string& password = options.password ? *options.password : url.password.value_or("");
  const char* host = url.host.empty() ? nullptr : url.host.c_str();
  const unsigned port = url.port ? static_cast<unsigned>(*url.port) : 0;
  if (mysql_real_connect(mysql, host, url.user.empty() ? nullptr : url.user.c_str(),
                         password.c_str(), url.database.empty() ? nullptr : url.database.c_str(),
                         port, socket.empty() ? nullptr : socket.c_str(), 0) == nullptr) {
    Status error = ConnectError(mysql);
    mysql_close(mysql);
    return error;
  }
  // Connector/C falls back to plain text when the server has no TLS; require means require.
  if (mode == "require" && mysql_get_ssl_cipher(mysql) == nullptr) {
    mysql_close(mysql);
    return Unavailable("sslmode require: the server does not offer TLS");
  }
  // TIMESTAMP values come out in UTC, and DATETIME literals we send are read as UTC.
  std::string setup = "SET time_zone = '+00:00'";
  if (mysql_real_query(mysql, setup.data(), setup.size()) != 0) {
    Status error = QueryError(mysql, "setting the session time zone failed");
    mysql_close(mysql);
    return error;
  }
  if (options.statement_timeout.count() > 0) {
    const double timeout = static_cast<double>(options.statement_timeout.count()) / 1000.0;
    setup = fmt::format("SET SESSION max_statement_time = {}", timeout);  // MariaDB
    if (mysql_real_query(mysql, setup.data(), setup.size()) != 0) {
      // MySQL calls it max_execution_time, in milliseconds (SELECTs only).
      setup = fmt::format("SET SESSION max_execution_time = {}", options.statement_timeout.count());
      if (mysql_real_query(mysql, setup.data(), setup.size()) != 0) {
        Status error = QueryError(mysql, "setting the statement timeout failed");
        mysql_close(mysql);
        return error;
      }
    }
  }
  return mysql;
}

class MariaDbConnection final : public DbConnection {
 public:
  MariaDbConnection(MYSQL* mysql, ConnectOptions options)
      : mysql_(mysql), options_(std::move(options)) {
    dialect_.identifier_quote = '`';
  }
  ~MariaDbConnection() override { mysql_close(mysql_); }
  MariaDbConnection(const MariaDbConnection&) = delete;
  MariaDbConnection& operator=(const MariaDbConnection&) = delete;

  const SqlDialect& dialect() const override { return dialect_; }

  Result<std::unique_ptr<DbCursor>> Query(const std::string& sql,
                                          const std::vector<DbParam>& params) override {
    RETURN_IF_ERROR(ReconnectIfAbandoned());
    std::vector<std::string> literals;
    for (const DbParam& p : params) {
      ASSIGN_OR_RETURN(std::string literal, Literal(p));
      literals.push_back(std::move(literal));
    }
    ASSIGN_OR_RETURN(std::string text, SubstituteParams(sql, literals));
    if (mysql_real_query(mysql_, text.data(), text.size()) != 0) {
      return QueryError(mysql_, "query failed");
    }
    MYSQL_RES* result = mysql_use_result(mysql_);
    if (result == nullptr) {
      if (mysql_errno(mysql_) != 0) return QueryError(mysql_, "query failed");
      return InvalidArgument("query failed: the statement returns no rows");
    }
    return std::unique_ptr<DbCursor>(std::make_unique<MariaDbCursor>(this, mysql_, result));
  }

  Status Ping() override {
    RETURN_IF_ERROR(ReconnectIfAbandoned());
    if (mysql_ping(mysql_) != 0) return QueryError(mysql_, "ping failed");
    return Status::Ok();
  }

  /// A cursor closed far from its last row: the rest of the result is still on its way, and
  /// reading it all to reuse the connection could take as long as the whole table. Cancel instead.
  void Abandon() {
    mariadb_cancel(mysql_);
    abandoned_ = true;
  }

 private:
  Status ReconnectIfAbandoned() {
    if (!abandoned_) return Status::Ok();
    ASSIGN_OR_RETURN(MYSQL * fresh, Open(options_));
    mysql_close(mysql_);
    mysql_ = fresh;
    abandoned_ = false;
    return Status::Ok();
  }

  // The literal that compares with a column as the value the cursor returned does.
  Result<std::string> Literal(const DbParam& p) {
    const std::string& v = p.text;
    auto bad = [&v](std::string_view what) {
      return InvalidArgument(fmt::format("parameter '{}' is not {}", v, what));
    };
    switch (p.type) {
      case DbType::kInteger:
        if (!AllOf(v.starts_with('-') ? std::string_view(v).substr(1) : v, "0123456789")) {
          return bad("an integer");
        }
        return v;
      case DbType::kDecimal:  // unquoted: a quoted number would compare as a double
        if (!AllOf(v.starts_with('-') ? std::string_view(v).substr(1) : v, "0123456789.")) {
          return bad("a decimal");
        }
        return v;
      case DbType::kFloat: {
        double d = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
        if (ec != std::errc() || end != v.data() + v.size() || !std::isfinite(d)) {
          return bad("a finite number");
        }
        return v.find_first_of("eE") == std::string::npos ? v + "e0" : v;  // a DOUBLE literal
      }
      case DbType::kBoolean:
        if (v == "true" || v == "false") return std::string(v == "true" ? "TRUE" : "FALSE");
        return bad("true or false");
      case DbType::kBinary:
        if (v.size() % 2 != 0 || !(v.empty() || AllOf(v, "0123456789abcdefABCDEF"))) {
          return bad("hex");
        }
        return fmt::format("X'{}'", v);
      case DbType::kTimestamp:
      case DbType::kTimestampTz:
        // Back from "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" to the server's own form, read as UTC.
        if (v.size() >= 20 && v[10] == 'T' && v.back() == 'Z') {
          return Quote(v.substr(0, 10) + " " + v.substr(11, v.size() - 12));
        }
        return Quote(v);
      default: return Quote(v);
    }
  }

  std::string Quote(const std::string& text) {
    std::string out(text.size() * 2 + 3, '\0');
    out[0] = '\'';
    const unsigned long n =
        mysql_real_escape_string(mysql_, out.data() + 1, text.data(), text.size());
    out.resize(n + 1);
    out.push_back('\'');
    return out;
  }

  MYSQL* mysql_;
  ConnectOptions options_;
  SqlDialect dialect_;
  bool abandoned_ = false;
};

MariaDbCursor::MariaDbCursor(MariaDbConnection* connection, MYSQL* mysql, MYSQL_RES* result)
    : connection_(connection), mysql_(mysql), result_(result), fields_(mysql_fetch_fields(result)) {
  const unsigned n = mysql_num_fields(result_);
  for (unsigned c = 0; c < n; ++c) {
    const DbType type = TypeOfField(fields_[c]);
    columns_.push_back(DbColumn{std::string(fields_[c].name, fields_[c].name_length), type,
                                NativeTypeName(fields_[c], type)});
  }
}

MariaDbCursor::~MariaDbCursor() {
  // A result with a few rows left (a probe, a MIN/MAX) is cheaper to finish than to cancel.
  constexpr int kDrainRows = 1000;
  for (int i = 0; !done_ && i < kDrainRows; ++i) done_ = mysql_fetch_row(result_) == nullptr;
  if (!done_) connection_->Abandon();
  mysql_free_result(result_);
}

}  // namespace

Result<std::unique_ptr<DbConnection>> ConnectMariaDb(const ConnectOptions& options) {
  ASSIGN_OR_RETURN(MYSQL * mysql, Open(options));
  return std::unique_ptr<DbConnection>(std::make_unique<MariaDbConnection>(mysql, options));
}

}  // namespace assay::sources::db
