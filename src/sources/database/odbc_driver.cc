// Any database with an ODBC driver, through the unixODBC driver manager: the JDBC of C. The URL
// names a DSN (odbc://user:password@DSN, defined in odbc.ini) or carries a whole connection
// string (odbc:Driver=/path/to/driver.so;Database=...), so no system-wide odbcinst.ini is
// needed. Rows are fetched one at a time with SQLFetch and read column by column with
// SQLGetData. Whether the driver itself streams is the driver's setting: the drivers we know
// are told to (StreamingKeywords, docs/database-sources.md).
#include <fmt/format.h>
#include <sql.h>
#include <sqlext.h>

#include <charconv>
#include <cstring>

#include "core/ascii.h"
#include "sources/database/drivers.h"

namespace assay::sources::db {
namespace {

// ODBC passes integer attributes in its pointer argument.
SQLPOINTER IntegerAttribute(SQLULEN value) {
  return reinterpret_cast<SQLPOINTER>(value);  // NOLINT(performance-no-int-to-ptr)
}

// SQL Server's DATETIMEOFFSET, the one standard-ish "with time zone" type ODBC has.
constexpr SQLSMALLINT kSqlSsTimestampOffset = -155;

bool IsWide(SQLSMALLINT sql_type) {
  return sql_type == SQL_WCHAR || sql_type == SQL_WVARCHAR || sql_type == SQL_WLONGVARCHAR;
}

// The mapping of docs/database-sources.md "ODBC".
DbType TypeOfSql(SQLSMALLINT sql_type) {
  switch (sql_type) {
    case SQL_CHAR:
    case SQL_VARCHAR:
    case SQL_LONGVARCHAR:
    case SQL_WCHAR:
    case SQL_WVARCHAR:
    case SQL_WLONGVARCHAR: return DbType::kText;
    case SQL_TINYINT:
    case SQL_SMALLINT:
    case SQL_INTEGER:
    case SQL_BIGINT: return DbType::kInteger;
    case SQL_BIT: return DbType::kBoolean;
    case SQL_DECIMAL:
    case SQL_NUMERIC: return DbType::kDecimal;
    case SQL_REAL:
    case SQL_FLOAT:
    case SQL_DOUBLE: return DbType::kFloat;
    case SQL_TYPE_DATE:
    case SQL_DATE: return DbType::kDate;
    case SQL_TYPE_TIME:
    case SQL_TIME: return DbType::kTime;
    case SQL_TYPE_TIMESTAMP:
    case SQL_TIMESTAMP: return DbType::kTimestamp;
    case kSqlSsTimestampOffset: return DbType::kTimestampTz;
    case SQL_BINARY:
    case SQL_VARBINARY:
    case SQL_LONGVARBINARY: return DbType::kBinary;
    default: return DbType::kOther;
  }
}

// The SQLSTATEs that mean the connection or the server, not the statement: worth a retry.
bool TransientState(std::string_view state) {
  return state.starts_with("08") || state.starts_with("HYT") || state.starts_with("40") ||
         state == "57P01" || state == "57014";
}

// Every diagnostic record of `handle`, "SQLSTATE: message", joined; the first state decides the
// code. The caller redacts.
Status Diagnostics(SQLSMALLINT handle_type, SQLHANDLE handle, std::string_view what,
                   StatusCode fallback) {
  std::string message(what);
  std::string first_state;
  for (SQLSMALLINT i = 1; i <= 8; ++i) {
    SQLCHAR state[6] = {};
    SQLCHAR text[1024] = {};
    SQLINTEGER native = 0;
    SQLSMALLINT length = 0;
    const SQLRETURN rc =
        SQLGetDiagRec(handle_type, handle, i, state, &native, text, sizeof(text), &length);
    if (!SQL_SUCCEEDED(rc)) break;
    const std::string_view state_text(reinterpret_cast<const char*>(state));
    if (first_state.empty()) first_state = state_text;
    message += fmt::format("{} [{}] {}", i == 1 ? ":" : ";", state_text,
                           reinterpret_cast<const char*>(text));
  }
  StatusCode code = fallback;
  if (TransientState(first_state)) {
    code = StatusCode::kUnavailable;
  } else if (first_state.starts_with("28")) {  // invalid authorization: the login was refused
    code = StatusCode::kPermissionDenied;
  } else if (first_state.starts_with("IM") || first_state.starts_with("42") ||
             first_state.starts_with("22") || first_state.starts_with("07")) {
    code = StatusCode::kInvalidArgument;
  }
  if (first_state.starts_with("HYT") || first_state == "57014") {
    message += " [statement_timeout reached]";
  }
  return Status(code, std::move(message));
}

// unixODBC's SQLWCHAR is UTF-16; rows hold UTF-8.
void AppendUtf8(std::string& out, const SQLWCHAR* data, size_t units) {
  for (size_t i = 0; i < units; ++i) {
    uint32_t c = data[i];
    if (c >= 0xD800 && c < 0xDC00 && i + 1 < units && data[i + 1] >= 0xDC00 &&
        data[i + 1] < 0xE000) {
      c = 0x10000 + ((c - 0xD800) << 10) + (data[++i] - 0xDC00);
    }
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else if (c < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (c >> 12)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (c >> 18)));
      out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
}

void AppendFraction(std::string& out, SQLUINTEGER nanoseconds) {
  if (nanoseconds == 0) return;
  std::string digits = fmt::format("{:09d}", nanoseconds);
  while (digits.size() > 6 && digits.back() == '0') digits.pop_back();
  out += '.';
  out += digits;
}

class OdbcCursor final : public DbCursor {
 public:
  OdbcCursor(SQLHSTMT stmt, const ConnectOptions* options) : stmt_(stmt), options_(options) {}
  ~OdbcCursor() override {
    SQLCloseCursor(stmt_);
    SQLFreeHandle(SQL_HANDLE_STMT, stmt_);
  }
  OdbcCursor(const OdbcCursor&) = delete;
  OdbcCursor& operator=(const OdbcCursor&) = delete;

  Status Describe() {
    SQLSMALLINT n = 0;
    if (!SQL_SUCCEEDED(SQLNumResultCols(stmt_, &n))) return Error("describing the result failed");
    if (n == 0) return InvalidArgument("query failed: the statement returns no rows");
    for (SQLUSMALLINT c = 1; c <= static_cast<SQLUSMALLINT>(n); ++c) {
      SQLCHAR name[512] = {};
      SQLSMALLINT name_length = 0, sql_type = 0, digits = 0, nullable = 0;
      SQLULEN size = 0;
      if (!SQL_SUCCEEDED(SQLDescribeCol(stmt_, c, name, sizeof(name), &name_length, &sql_type,
                                        &size, &digits, &nullable))) {
        return Error("describing the result failed");
      }
      SQLCHAR type_name[128] = {};
      SQLColAttribute(stmt_, c, SQL_DESC_TYPE_NAME, type_name, sizeof(type_name), nullptr, nullptr);
      const std::string native(reinterpret_cast<const char*>(type_name));
      DbType type = TypeOfSql(sql_type);
      // psqlodbc's default BoolsAsChar=1 reports booleans as characters: the name tells.
      if (type == DbType::kText && (native == "bool" || native == "boolean")) {
        type = DbType::kBoolean;
      }
      columns_.push_back(DbColumn{reinterpret_cast<const char*>(name), type, native});
      sql_types_.push_back(sql_type);
    }
    return Status::Ok();
  }

  const std::vector<DbColumn>& columns() const override { return columns_; }

  Result<size_t> Fetch(RowChunk& out, size_t max_rows) override {
    size_t rows = 0;
    while (!done_ && rows < max_rows) {
      const SQLRETURN rc = SQLFetch(stmt_);
      if (rc == SQL_NO_DATA) {
        done_ = true;
        break;
      }
      if (!SQL_SUCCEEDED(rc)) {
        done_ = true;
        return Error("reading the result failed", StatusCode::kUnavailable);
      }
      for (size_t c = 0; c < columns_.size(); ++c) RETURN_IF_ERROR(AppendCell(out, c));
      ++out.num_rows;
      ++rows;
    }
    return rows;
  }

 private:
  Status Error(std::string_view what, StatusCode fallback = StatusCode::kInvalidArgument) const {
    Status st = Diagnostics(SQL_HANDLE_STMT, stmt_, what, fallback);
    return Status(st.code(), Redact(st.message(), *options_));
  }

  // Reads a variable-length value in pieces (SQLGetData returns 01004 while more remains).
  // Returns false for NULL.
  Result<bool> GetVariable(SQLUSMALLINT column, SQLSMALLINT c_type, size_t terminator,
                           std::string& value) {
    value.clear();
    while (true) {
      SQLLEN indicator = 0;
      const SQLRETURN rc =
          SQLGetData(stmt_, column, c_type, scratch_, sizeof(scratch_), &indicator);
      if (rc == SQL_NO_DATA) return true;
      if (!SQL_SUCCEEDED(rc)) return Error("reading a value failed", StatusCode::kUnavailable);
      if (indicator == SQL_NULL_DATA) return false;
      const size_t room = sizeof(scratch_) - terminator;
      const size_t got = indicator == SQL_NO_TOTAL || static_cast<size_t>(indicator) > room
                             ? room
                             : static_cast<size_t>(indicator);
      value.append(scratch_, got);
      if (rc == SQL_SUCCESS) return true;
    }
  }

  // Reads a fixed-size value into `target`; returns false for NULL.
  Result<bool> GetFixed(SQLUSMALLINT column, SQLSMALLINT c_type, void* target, SQLLEN size) {
    SQLLEN indicator = 0;
    const SQLRETURN rc = SQLGetData(stmt_, column, c_type, target, size, &indicator);
    if (!SQL_SUCCEEDED(rc)) return Error("reading a value failed", StatusCode::kUnavailable);
    return indicator != SQL_NULL_DATA;
  }

  Status AppendCell(RowChunk& out, size_t c) {
    const DbType type = columns_[c].type;
    const SQLSMALLINT sql_type = sql_types_[c];
    const auto column = static_cast<SQLUSMALLINT>(c + 1);
    char buf[64];
    switch (type) {
      case DbType::kFloat: {
        double v = 0;
        ASSIGN_OR_RETURN(bool present, GetFixed(column, SQL_C_DOUBLE, &v, sizeof(v)));
        if (!present) break;
        // REAL is single precision: print it at that width, as the database would.
        auto [end, ec] = sql_type == SQL_REAL
                             ? std::to_chars(buf, buf + sizeof(buf), static_cast<float>(v))
                             : std::to_chars(buf, buf + sizeof(buf), v);
        out.Append(DbType::kFloat, std::string_view(buf, end - buf));
        return Status::Ok();
      }
      case DbType::kTimestamp: {
        SQL_TIMESTAMP_STRUCT ts{};
        ASSIGN_OR_RETURN(bool present, GetFixed(column, SQL_C_TYPE_TIMESTAMP, &ts, sizeof(ts)));
        if (!present) break;
        out.AppendWith(DbType::kTimestamp, [&ts](std::string& s) {
          fmt::format_to(std::back_inserter(s), "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}",
                         ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second);
          AppendFraction(s, ts.fraction);
          s.push_back('Z');
        });
        return Status::Ok();
      }
      case DbType::kDate: {
        SQL_DATE_STRUCT d{};
        ASSIGN_OR_RETURN(bool present, GetFixed(column, SQL_C_TYPE_DATE, &d, sizeof(d)));
        if (!present) break;
        out.AppendWith(DbType::kDate, [&d](std::string& s) {
          fmt::format_to(std::back_inserter(s), "{:04d}-{:02d}-{:02d}", d.year, d.month, d.day);
        });
        return Status::Ok();
      }
      case DbType::kBinary: {
        ASSIGN_OR_RETURN(bool present, GetVariable(column, SQL_C_BINARY, 0, value_));
        if (!present) break;
        out.AppendWith(DbType::kBinary, [this](std::string& s) { AppendHex(s, value_); });
        return Status::Ok();
      }
      default: {
        const bool wide = IsWide(sql_type);
        ASSIGN_OR_RETURN(bool present, GetVariable(column, wide ? SQL_C_WCHAR : SQL_C_CHAR,
                                                   wide ? sizeof(SQLWCHAR) : 1, value_));
        if (!present) break;
        if (wide) {
          out.AppendWith(type, [this](std::string& s) {
            AppendUtf8(s, reinterpret_cast<const SQLWCHAR*>(value_.data()),
                       value_.size() / sizeof(SQLWCHAR));
          });
        } else if (type == DbType::kBoolean) {
          if (value_ == "1" || value_ == "t" || value_ == "true") {
            out.Append(DbType::kBoolean, "true");
          } else if (value_ == "0" || value_ == "f" || value_ == "false") {
            out.Append(DbType::kBoolean, "false");
          } else {
            out.Append(DbType::kText, value_);
          }
        } else {
          out.Append(type, value_);
        }
        return Status::Ok();
      }
    }
    out.AppendNull(type);
    return Status::Ok();
  }

  SQLHSTMT stmt_;
  const ConnectOptions* options_;
  std::vector<DbColumn> columns_;
  std::vector<SQLSMALLINT> sql_types_;
  std::string value_;
  char scratch_[16384];
  bool done_ = false;
};

// One bound parameter: its text (or bytes) must stay put until the statement has run.
struct BoundParam {
  std::string data;
  SQLLEN length = 0;
  SQLSMALLINT c_type = SQL_C_CHAR;
  SQLSMALLINT sql_type = SQL_VARCHAR;
  SQLULEN column_size = 0;
  SQLSMALLINT digits = 0;
};

Result<BoundParam> ToBound(const DbParam& p) {
  BoundParam b;
  b.data = p.text;
  switch (p.type) {
    case DbType::kInteger:
      b.sql_type = SQL_BIGINT;
      b.column_size = 20;
      break;
    case DbType::kDecimal: {
      // Text to a DECIMAL parameter: the driver sends the exact digits, never a double.
      b.sql_type = SQL_DECIMAL;
      const size_t dot = p.text.find('.');
      b.digits = static_cast<SQLSMALLINT>(dot == std::string::npos ? 0 : p.text.size() - dot - 1);
      b.column_size = std::max<size_t>(1, p.text.size());
      break;
    }
    case DbType::kFloat:
      b.sql_type = SQL_DOUBLE;
      b.column_size = 17;
      break;
    case DbType::kBoolean:
      b.sql_type = SQL_BIT;
      b.data = p.text == "true" ? "1" : "0";
      b.column_size = 1;
      break;
    case DbType::kTimestamp:
    case DbType::kTimestampTz: {
      // Back from "YYYY-MM-DDTHH:MM:SS[.ffffff]Z" to the form ODBC's escape syntax uses.
      b.sql_type = SQL_TYPE_TIMESTAMP;
      if (b.data.size() >= 20 && b.data[10] == 'T' && b.data.back() == 'Z') {
        b.data[10] = ' ';
        b.data.pop_back();
      }
      const size_t dot = b.data.find('.');
      b.digits = static_cast<SQLSMALLINT>(dot == std::string::npos ? 0 : b.data.size() - dot - 1);
      b.column_size = b.data.size();
      break;
    }
    case DbType::kDate:
      b.sql_type = SQL_TYPE_DATE;
      b.column_size = 10;
      break;
    case DbType::kBinary: {
      b.c_type = SQL_C_BINARY;
      b.sql_type = SQL_VARBINARY;
      b.data.clear();
      for (size_t i = 0; i + 1 < p.text.size(); i += 2) {
        unsigned byte = 0;
        auto [end, ec] = std::from_chars(p.text.data() + i, p.text.data() + i + 2, byte, 16);
        if (ec != std::errc() || end != p.text.data() + i + 2) {
          return InvalidArgument(fmt::format("parameter '{}' is not hex", p.text));
        }
        b.data.push_back(static_cast<char>(byte));
      }
      b.column_size = std::max<size_t>(1, b.data.size());
      break;
    }
    default:
      b.sql_type = SQL_VARCHAR;
      b.column_size = std::max<size_t>(1, p.text.size());
      break;
  }
  b.length = static_cast<SQLLEN>(b.data.size());
  return b;
}

// A connection-string value, in braces when it holds characters that would end it.
std::string Braced(const std::string& value) {
  if (value.find_first_of(";{}= ") == std::string::npos) return value;
  std::string out = "{";
  for (char c : value) {
    out += c;
    if (c == '}') out += '}';
  }
  return out + "}";
}

bool HasKey(const std::string& connection_string, std::string_view key) {
  const std::string lower = AsciiLower(connection_string);
  for (size_t at = lower.find(key); at != std::string::npos; at = lower.find(key, at + 1)) {
    if (at == 0 || lower[at - 1] == ';' || lower[at - 1] == ' ') return true;
  }
  return false;
}

std::string ConnectionString(const ConnectOptions& options) {
  const DatabaseUrl& url = options.url;
  std::string out;
  if (!url.odbc_connection_string.empty()) {
    out = url.odbc_connection_string;
  } else {
    out = "DSN=" + Braced(url.database);
    if (!url.user.empty()) out += ";UID=" + Braced(url.user);
    if (url.password && !options.password) out += ";PWD=" + Braced(*url.password);
  }
  if (options.password && !HasKey(out, "pwd=") && !HasKey(out, "password=")) {
    if (!out.empty() && out.back() != ';') out += ';';
    out += "PWD=" + Braced(*options.password);
  }
  return out;
}

// The connected driver's file name (psqlodbcw.so, libsqlite3odbc-0.9998.so), or "".
std::string DriverName(SQLHDBC dbc) {
  SQLCHAR name[256] = {};
  SQLSMALLINT length = 0;
  if (!SQL_SUCCEEDED(SQLGetInfo(dbc, SQL_DRIVER_NAME, name, sizeof(name), &length))) return "";
  return reinterpret_cast<const char*>(name);
}

// Connection-string keywords that make a known driver stream a result instead of reading all
// of it at execute time, minus those `connection_string` sets itself: psqlODBC reads through a
// cursor (UseDeclareFetch), `fetch_rows` rows per round trip (Fetch); the SQLite driver steps
// through the result (StepAPI) instead of sqlite3_get_table.
std::string StreamingKeywords(std::string_view driver, const std::string& connection_string,
                              size_t fetch_rows) {
  if (driver.starts_with("psqlodbc") && !HasKey(connection_string, "usedeclarefetch=")) {
    std::string out = "UseDeclareFetch=1";
    if (!HasKey(connection_string, "fetch=")) out += fmt::format(";Fetch={}", fetch_rows);
    return out;
  }
  if ((driver.starts_with("libsqlite3odbc") || driver.starts_with("sqlite3odbc")) &&
      !HasKey(connection_string, "stepapi=")) {
    return "StepAPI=1";
  }
  return "";
}

class OdbcConnection final : public DbConnection {
 public:
  OdbcConnection(SQLHENV env, SQLHDBC dbc, ConnectOptions options)
      : env_(env), dbc_(dbc), options_(std::move(options)) {
    SQLCHAR quote[8] = {};
    SQLSMALLINT length = 0;
    if (SQL_SUCCEEDED(SQLGetInfo(dbc_, SQL_IDENTIFIER_QUOTE_CHAR, quote, sizeof(quote), &length)) &&
        length == 1 && quote[0] != ' ') {
      dialect_.identifier_quote = static_cast<char>(quote[0]);
    }
  }
  ~OdbcConnection() override {
    SQLDisconnect(dbc_);
    SQLFreeHandle(SQL_HANDLE_DBC, dbc_);
    SQLFreeHandle(SQL_HANDLE_ENV, env_);
  }
  OdbcConnection(const OdbcConnection&) = delete;
  OdbcConnection& operator=(const OdbcConnection&) = delete;

  const SqlDialect& dialect() const override { return dialect_; }

  Result<std::unique_ptr<DbCursor>> Query(const std::string& sql,
                                          const std::vector<DbParam>& params) override {
    SQLHSTMT stmt = SQL_NULL_HSTMT;
    if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_STMT, dbc_, &stmt))) {
      return Error(SQL_HANDLE_DBC, dbc_, "query failed", StatusCode::kUnavailable);
    }
    auto cursor = std::make_unique<OdbcCursor>(stmt, &options_);  // frees stmt on any return
    if (options_.statement_timeout.count() > 0) {
      // Drivers that cannot time out answer 01S02 or HYC00; the query then runs without one.
      const auto seconds = static_cast<SQLULEN>((options_.statement_timeout.count() + 999) / 1000);
      SQLSetStmtAttr(stmt, SQL_ATTR_QUERY_TIMEOUT, IntegerAttribute(seconds), 0);
    }
    auto* text = reinterpret_cast<SQLCHAR*>(const_cast<char*>(sql.c_str()));
    SQLRETURN rc = SQL_SUCCESS;
    if (params.empty()) {
      rc = SQLExecDirect(stmt, text, static_cast<SQLINTEGER>(sql.size()));
    } else {
      if (!SQL_SUCCEEDED(SQLPrepare(stmt, text, static_cast<SQLINTEGER>(sql.size())))) {
        return Error(SQL_HANDLE_STMT, stmt, "query failed");
      }
      std::vector<BoundParam> bound;
      bound.reserve(params.size());
      for (size_t i = 0; i < params.size(); ++i) {
        ASSIGN_OR_RETURN(BoundParam b, ToBound(params[i]));
        bound.push_back(std::move(b));
        BoundParam& p = bound.back();
        if (!SQL_SUCCEEDED(SQLBindParameter(stmt, static_cast<SQLUSMALLINT>(i + 1), SQL_PARAM_INPUT,
                                            p.c_type, p.sql_type, p.column_size, p.digits,
                                            p.data.data(), p.length, &p.length))) {
          return Error(SQL_HANDLE_STMT, stmt, "binding a parameter failed");
        }
      }
      rc = SQLExecute(stmt);
    }
    if (!SQL_SUCCEEDED(rc) && rc != SQL_NO_DATA)
      return Error(SQL_HANDLE_STMT, stmt, "query failed");
    RETURN_IF_ERROR(cursor->Describe());
    return std::unique_ptr<DbCursor>(std::move(cursor));
  }

  Status Ping() override {
    Result<std::unique_ptr<DbCursor>> cursor = Query("SELECT 1", {});
    if (cursor.ok()) {
      RowChunk chunk;
      return (*cursor)->Fetch(chunk, 1).status();
    }
    // Not every database takes a bare SELECT 1 (Oracle wants FROM DUAL): then ask the driver.
    if (cursor.status().code() != StatusCode::kInvalidArgument) return cursor.status();
    SQLUINTEGER dead = SQL_CD_FALSE;
    SQLGetConnectAttr(dbc_, SQL_ATTR_CONNECTION_DEAD, &dead, 0, nullptr);
    return dead == SQL_CD_TRUE ? Unavailable("the connection is dead") : Status::Ok();
  }

 private:
  Status Error(SQLSMALLINT type, SQLHANDLE handle, std::string_view what,
               StatusCode fallback = StatusCode::kInvalidArgument) const {
    Status st = Diagnostics(type, handle, what, fallback);
    return Status(st.code(), Redact(st.message(), options_));
  }

  SQLHENV env_;
  SQLHDBC dbc_;
  ConnectOptions options_;
  SqlDialect dialect_;
};

}  // namespace

Result<std::unique_ptr<DbConnection>> ConnectOdbc(const ConnectOptions& options) {
  if (!options.tls_mode.empty() || !options.tls_ca_file.empty()) {
    return InvalidArgument(
        "ODBC takes TLS settings in the connection string (e.g. SSLmode=require for "
        "psqlodbc), not sslmode/ssl_ca_file");
  }
  SQLHENV env = SQL_NULL_HENV;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_ENV, SQL_NULL_HANDLE, &env))) {
    return Internal("cannot allocate an ODBC environment");
  }
  SQLSetEnvAttr(env, SQL_ATTR_ODBC_VERSION, IntegerAttribute(SQL_OV_ODBC3), 0);
  SQLHDBC dbc = SQL_NULL_HDBC;
  if (!SQL_SUCCEEDED(SQLAllocHandle(SQL_HANDLE_DBC, env, &dbc))) {
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return Internal("cannot allocate an ODBC connection");
  }
  const auto seconds =
      static_cast<SQLULEN>(std::max<int64_t>(1, (options.connect_timeout.count() + 999) / 1000));
  SQLSetConnectAttr(dbc, SQL_ATTR_LOGIN_TIMEOUT, IntegerAttribute(seconds), 0);
  SQLSetConnectAttr(dbc, SQL_ATTR_ACCESS_MODE, IntegerAttribute(SQL_MODE_READ_ONLY), 0);
  std::string in = ConnectionString(options);
  auto connect = [&]() -> Status {
    SQLCHAR out[1024];
    SQLSMALLINT out_length = 0;
    const SQLRETURN rc = SQLDriverConnect(dbc, nullptr, reinterpret_cast<SQLCHAR*>(in.data()),
                                          static_cast<SQLSMALLINT>(in.size()), out, sizeof(out),
                                          &out_length, SQL_DRIVER_NOPROMPT);
    if (SQL_SUCCEEDED(rc)) return Status::Ok();
    Status st = Diagnostics(SQL_HANDLE_DBC, dbc, "cannot connect", StatusCode::kUnavailable);
    return Status(st.code(), Redact(st.message(), options));
  };
  Status connected = connect();
  // Some drivers read a whole result into memory when the query executes: on a large table,
  // the table in RAM. Those we know are told to stream, unless the connection string chose;
  // they are found by the driver's name, since a DSN hides it.
  if (connected.ok()) {
    const std::string streaming = StreamingKeywords(DriverName(dbc), in, options.fetch_rows);
    if (!streaming.empty()) {
      SQLDisconnect(dbc);
      if (!in.empty() && in.back() != ';') in += ';';
      in += streaming;
      connected = connect();
    }
  }
  if (!connected.ok()) {
    SQLFreeHandle(SQL_HANDLE_DBC, dbc);
    SQLFreeHandle(SQL_HANDLE_ENV, env);
    return connected;
  }
  return std::unique_ptr<DbConnection>(std::make_unique<OdbcConnection>(env, dbc, options));
}

}  // namespace assay::sources::db
