// PostgreSQL through libpq. A query runs as a server-side cursor (DECLARE ... NO SCROLL CURSOR)
// inside a READ ONLY REPEATABLE READ transaction and is read with FETCH FORWARD `fetch_rows`, so
// memory holds one round trip's rows whatever the result's size, and every row comes from one
// snapshot. Values arrive in PostgreSQL's text form, which the session settings (TimeZone UTC,
// DateStyle ISO, bytea hex, round-trip floats) make canonical; the few that differ from
// database.h's forms (booleans, timestamps, bytea) are rewritten as they are copied.
#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <map>
#include <string_view>

#include "sources/database/drivers.h"

namespace assay::sources::db {
namespace {

// Built-in type OIDs (src/include/catalog/pg_type.dat); they never change between versions.
struct BuiltinType {
  Oid oid;
  DbType type;
  std::string_view name;
};
constexpr std::array<BuiltinType, 26> kBuiltinTypes = {{
    {16, DbType::kBoolean, "boolean"},
    {17, DbType::kBinary, "bytea"},
    {18, DbType::kText, "\"char\""},
    {19, DbType::kText, "name"},
    {20, DbType::kInteger, "bigint"},
    {21, DbType::kInteger, "smallint"},
    {23, DbType::kInteger, "integer"},
    {25, DbType::kText, "text"},
    {26, DbType::kInteger, "oid"},
    {114, DbType::kJson, "json"},
    {142, DbType::kOther, "xml"},
    {700, DbType::kFloat, "real"},
    {701, DbType::kFloat, "double precision"},
    {790, DbType::kOther, "money"},
    {869, DbType::kOther, "inet"},
    {1042, DbType::kText, "character"},
    {1043, DbType::kText, "character varying"},
    {1082, DbType::kDate, "date"},
    {1083, DbType::kTime, "time without time zone"},
    {1114, DbType::kTimestamp, "timestamp without time zone"},
    {1184, DbType::kTimestampTz, "timestamp with time zone"},
    {1186, DbType::kOther, "interval"},
    {1266, DbType::kOther, "time with time zone"},
    {1700, DbType::kDecimal, "numeric"},
    {2950, DbType::kOther, "uuid"},
    {3802, DbType::kJson, "jsonb"},
}};

const BuiltinType* FindBuiltin(Oid oid) {
  for (const BuiltinType& t : kBuiltinTypes) {
    if (t.oid == oid) return &t;
  }
  return nullptr;
}

// The session settings that make PostgreSQL print values in database.h's canonical forms.
constexpr std::string_view kSessionSetup =
    "SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; "
    "SET bytea_output = 'hex'; SET extra_float_digits = 3";

constexpr std::array<std::string_view, 6> kSslModes = {"disable", "allow",     "prefer",
                                                       "require", "verify-ca", "verify-full"};

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

// libpq's messages span lines ("...unexpectedly\n\tThis probably means..."): one line for ours.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == '\n' || c == '\t' || c == ' ';
    if (!space) {
      out.push_back(c);
    } else if (!out.empty() && out.back() != ' ') {
      out.push_back(' ');
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// What a refused connection means for the caller. libpq gives no SQLSTATE for it, only the
// server's words: a role that does not exist fails the same way on every attempt, so it is
// kPermissionDenied and not retried (wrong passwords and pg_hba.conf refusals are recognised
// for every driver by Connect, IsRefusedLogin); a missing database is kNotFound; anything else
// (no server, a server starting up or shutting down, too many connections) may pass.
StatusCode ConnectFailureCode(std::string_view message) {
  const bool missing = message.find("does not exist") != std::string_view::npos;
  if (missing && message.find("role \"") != std::string_view::npos) {
    return StatusCode::kPermissionDenied;
  }
  if (missing && message.find("database \"") != std::string_view::npos) {
    return StatusCode::kNotFound;
  }
  return StatusCode::kUnavailable;
}

// What a failed statement means for the caller (CONVENTIONS.md §3), by SQLSTATE class.
StatusCode CodeOf(std::string_view sqlstate, bool connection_lost) {
  if (connection_lost || sqlstate.empty()) return StatusCode::kUnavailable;
  const std::string_view cls = sqlstate.substr(0, 2);
  if (cls == "08" || cls == "53" || cls == "57" || cls == "40" || cls == "58") {
    return StatusCode::kUnavailable;  // connection, resources, shutdown/cancel, serialization
  }
  if (sqlstate == "42P01" || sqlstate == "3D000" || sqlstate == "3F000") {
    return StatusCode::kNotFound;  // no such table, database or schema
  }
  if (cls == "28" || sqlstate == "42501") return StatusCode::kPermissionDenied;
  return StatusCode::kInvalidArgument;  // syntax, undefined column, bad data in the query
}

// "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" (ISO DateStyle in UTC) as "YYYY-MM-DDTHH:MM:SS[.f]Z".
// Anything else (infinity, BC dates, years past 9999) is left as PostgreSQL printed it: the
// schema's date-time check then rejects it with the value in view.
void AppendTimestamp(std::string& out, std::string_view v, bool with_zone) {
  if (with_zone && v.size() > 3 && v.substr(v.size() - 3) == "+00") v.remove_suffix(3);
  const bool iso = v.size() >= 19 && v[4] == '-' && v[10] == ' ' && v[13] == ':' &&
                   std::all_of(v.begin() + 19, v.end(),
                               [](char c) { return c == '.' || (c >= '0' && c <= '9'); });
  if (!iso) {
    out.append(v);
    return;
  }
  out.append(v.substr(0, 10));
  out.push_back('T');
  out.append(v.substr(11));
  out.push_back('Z');
}

class PostgresConnection;

class PostgresCursor final : public DbCursor {
 public:
  PostgresCursor(PostgresConnection& connection, std::string name, std::vector<DbColumn> columns,
                 ResultPtr first)
      : connection_(connection),
        name_(std::move(name)),
        columns_(std::move(columns)),
        buffered_(std::move(first)) {
    done_ = PQntuples(buffered_.get()) < static_cast<int>(FetchRows());
  }
  ~PostgresCursor() override;
  PostgresCursor(const PostgresCursor&) = delete;
  PostgresCursor& operator=(const PostgresCursor&) = delete;

  const std::vector<DbColumn>& columns() const override { return columns_; }
  Result<size_t> Fetch(RowChunk& out, size_t max_rows) override;

 private:
  size_t FetchRows() const;
  void AppendCell(RowChunk& out, int row, int column) const;

  PostgresConnection& connection_;
  std::string name_;
  std::vector<DbColumn> columns_;
  ResultPtr buffered_;  ///< the last FETCH's rows
  int next_row_ = 0;    ///< the first row of buffered_ not handed out yet
  bool done_ = false;   ///< the last FETCH returned fewer rows than asked: no more
  Status failed_;       ///< the error of a failed FETCH, returned again by later calls
};

class PostgresConnection final : public DbConnection {
 public:
  PostgresConnection(PGconn* conn, ConnectOptions options)
      : conn_(conn), options_(std::move(options)) {
    dialect_.identifier_quote = '"';
    dialect_.numbered_placeholders = true;
    // libpq prints the server's NOTICEs and WARNINGs (a query's RAISE NOTICE, say) to stderr;
    // they are not the source's data nor its errors, which come back as results.
    PQsetNoticeProcessor(
        conn_, [](void*, const char*) {}, nullptr);
  }
  ~PostgresConnection() override { PQfinish(conn_); }
  PostgresConnection(const PostgresConnection&) = delete;
  PostgresConnection& operator=(const PostgresConnection&) = delete;

  const SqlDialect& dialect() const override { return dialect_; }

  Result<std::unique_ptr<DbCursor>> Query(const std::string& sql,
                                          const std::vector<DbParam>& params) override;

  Status Ping() override {
    ResultPtr r(PQexec(conn_, "SELECT 1"));
    return Check(r.get(), PGRES_TUPLES_OK, "ping");
  }

  /// Runs a statement without parameters; an error unless it ends with `expected`.
  Status Exec(const std::string& sql, ExecStatusType expected, std::string_view what) {
    ResultPtr r(PQexec(conn_, sql.c_str()));
    return Check(r.get(), expected, what);
  }

  /// The Status of a result: ok when it has the `expected` status, else the server's error
  /// with its SQLSTATE, the password taken out.
  Status Check(const PGresult* r, ExecStatusType expected, std::string_view what) const {
    if (r != nullptr && PQresultStatus(r) == expected) return Status::Ok();
    const bool lost = PQstatus(conn_) == CONNECTION_BAD;
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    const char* primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
    std::string message = primary != nullptr ? primary : OneLine(PQerrorMessage(conn_));
    if (message.empty()) message = "no result from the server";
    if (state != nullptr) message += fmt::format(" (SQLSTATE {})", state);
    if (lost) message += " (the connection to the server was lost)";
    return Status(CodeOf(state ? state : "", lost),
                  Redact(fmt::format("{} failed: {}", what, message), options_));
  }

  PGconn* conn() const { return conn_; }
  /// Rows per FETCH; libpq counts a result's rows in an int.
  size_t fetch_rows() const { return std::clamp<size_t>(options_.fetch_rows, 1, 10'000'000); }
  void CursorClosed() { cursor_open_ = false; }

 private:
  Result<std::vector<DbColumn>> Describe(const PGresult* r);

  PGconn* conn_;
  ConnectOptions options_;
  SqlDialect dialect_;
  bool cursor_open_ = false;
  uint64_t cursors_ = 0;  ///< numbers the cursors' names
};

PostgresCursor::~PostgresCursor() {
  buffered_.reset();
  // ROLLBACK closes the cursor and ends the read-only transaction in one round trip; on a lost
  // connection it fails quietly, and the connection is of no further use anyway.
  if (PQstatus(connection_.conn()) == CONNECTION_OK) {
    (void)connection_.Exec("ROLLBACK", PGRES_COMMAND_OK, "closing the cursor");
  }
  connection_.CursorClosed();
}

size_t PostgresCursor::FetchRows() const { return connection_.fetch_rows(); }

Result<size_t> PostgresCursor::Fetch(RowChunk& out, size_t max_rows) {
  if (!failed_.ok()) return failed_;
  size_t rows = 0;
  while (rows < max_rows) {
    if (next_row_ >= PQntuples(buffered_.get())) {
      if (done_) break;
      buffered_.reset();  // the previous round trip's rows go before the next arrive
      next_row_ = 0;
      ResultPtr r(PQexec(connection_.conn(),
                         fmt::format("FETCH FORWARD {} FROM {}", FetchRows(), name_).c_str()));
      if (Status st = connection_.Check(r.get(), PGRES_TUPLES_OK, "fetching rows"); !st.ok()) {
        // The transaction is aborted, so every later FETCH would fail for that reason instead:
        // this error is the answer from now on, after the rows this call has already added.
        failed_ = st;
        if (rows > 0) return rows;
        return st;
      }
      done_ = PQntuples(r.get()) < static_cast<int>(FetchRows());
      buffered_ = std::move(r);
      if (PQntuples(buffered_.get()) == 0) break;
    }
    const int available = PQntuples(buffered_.get()) - next_row_;
    const int take = static_cast<int>(std::min<size_t>(max_rows - rows, available));
    for (int row = next_row_; row < next_row_ + take; ++row) {
      for (int c = 0; c < static_cast<int>(columns_.size()); ++c) AppendCell(out, row, c);
      ++out.num_rows;
    }
    next_row_ += take;
    rows += static_cast<size_t>(take);
  }
  return rows;
}

void PostgresCursor::AppendCell(RowChunk& out, int row, int column) const {
  const PGresult* r = buffered_.get();
  const DbType type = columns_[static_cast<size_t>(column)].type;
  if (PQgetisnull(r, row, column)) {
    out.AppendNull(type);
    return;
  }
  const std::string_view v(PQgetvalue(r, row, column),
                           static_cast<size_t>(PQgetlength(r, row, column)));
  switch (type) {
    case DbType::kBoolean: out.Append(type, v == "t" ? "true" : "false"); return;
    case DbType::kTimestamp:
    case DbType::kTimestampTz:
      out.AppendWith(type,
                     [&](std::string& s) { AppendTimestamp(s, v, type == DbType::kTimestampTz); });
      return;
    case DbType::kBinary:  // "\x00ff": the hex without its prefix
      out.Append(type, v.substr(0, 2) == "\\x" ? v.substr(2) : v);
      return;
    default: out.Append(type, v); return;
  }
}

Result<std::unique_ptr<DbCursor>> PostgresConnection::Query(const std::string& sql,
                                                            const std::vector<DbParam>& params) {
  if (cursor_open_) {
    return FailedPrecondition("a PostgreSQL connection reads one query at a time");
  }
  RETURN_IF_ERROR(Exec("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", PGRES_COMMAND_OK,
                       "starting a read-only transaction"));
  cursor_open_ = true;
  // Until the cursor owns the transaction, an error here ends it.
  auto abandon = [this](Status status) {
    if (PQstatus(conn_) == CONNECTION_OK) (void)Exec("ROLLBACK", PGRES_COMMAND_OK, "rollback");
    cursor_open_ = false;
    return status;
  };
  // Parameters go as text of unknown type: the server gives each the type of what it is
  // compared with, so a watermark binds as exactly the column's type (a real compares as a
  // real, not as the double its text would make).
  std::vector<std::string> texts;
  texts.reserve(params.size());
  for (const DbParam& p : params) {
    texts.push_back(p.type == DbType::kBinary ? "\\x" + p.text : p.text);
  }
  std::vector<const char*> values;
  values.reserve(texts.size());
  for (const std::string& t : texts) values.push_back(t.c_str());
  const std::string name = fmt::format("assay_cursor_{}", ++cursors_);
  const std::string declare = fmt::format("DECLARE {} NO SCROLL CURSOR FOR {}", name, sql);
  ResultPtr declared(PQexecParams(conn_, declare.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0));
  if (Status st = Check(declared.get(), PGRES_COMMAND_OK, "query"); !st.ok()) return abandon(st);
  // The first FETCH runs the query and describes its columns.
  ResultPtr first(
      PQexec(conn_, fmt::format("FETCH FORWARD {} FROM {}", fetch_rows(), name).c_str()));
  if (Status st = Check(first.get(), PGRES_TUPLES_OK, "query"); !st.ok()) return abandon(st);
  Result<std::vector<DbColumn>> columns = Describe(first.get());
  if (!columns.ok()) return abandon(columns.status());
  return std::unique_ptr<DbCursor>(
      std::make_unique<PostgresCursor>(*this, name, std::move(*columns), std::move(first)));
}

// Each column's DbType by its type OID (a domain's column arrives as its base type). Types that
// are not built in (enums, citext, arrays, ...) are looked up in pg_type: enums and string-like
// types are text, the rest kOther.
Result<std::vector<DbColumn>> PostgresConnection::Describe(const PGresult* r) {
  std::vector<DbColumn> columns;
  std::string unknown;  // "{oid,oid,...}" for the lookup
  for (int c = 0; c < PQnfields(r); ++c) {
    const Oid oid = PQftype(r, c);
    DbColumn column{PQfname(r, c), DbType::kOther, ""};
    if (const BuiltinType* t = FindBuiltin(oid)) {
      column.type = t->type;
      column.native_type = std::string(t->name);
    } else {
      unknown += fmt::format("{}{}", unknown.empty() ? "{" : ",", oid);
    }
    columns.push_back(std::move(column));
  }
  if (unknown.empty()) return columns;
  unknown += '}';
  const char* values[] = {unknown.c_str()};
  ResultPtr types(PQexecParams(conn_,
                               "SELECT t.oid, format_type(t.oid, NULL), t.typcategory, "
                               "t.typtype FROM pg_type t "
                               "WHERE t.oid = ANY($1::oid[])",
                               1, nullptr, values, nullptr, nullptr, 0));
  RETURN_IF_ERROR(Check(types.get(), PGRES_TUPLES_OK, "looking up column types"));
  std::map<Oid, std::pair<DbType, std::string>> found;
  for (int i = 0; i < PQntuples(types.get()); ++i) {
    const Oid oid = static_cast<Oid>(std::strtoul(PQgetvalue(types.get(), i, 0), nullptr, 10));
    const std::string_view category = PQgetvalue(types.get(), i, 2);
    const std::string_view kind = PQgetvalue(types.get(), i, 3);
    const DbType type = category == "S" || kind == "e" ? DbType::kText : DbType::kOther;
    found[oid] = {type, PQgetvalue(types.get(), i, 1)};
  }
  for (int c = 0; c < PQnfields(r); ++c) {
    auto it = found.find(PQftype(r, c));
    if (FindBuiltin(PQftype(r, c)) == nullptr && it != found.end()) {
      columns[static_cast<size_t>(c)].type = it->second.first;
      columns[static_cast<size_t>(c)].native_type = it->second.second;
    }
  }
  return columns;
}

}  // namespace

Result<std::unique_ptr<DbConnection>> ConnectPostgres(const ConnectOptions& options) {
  const DatabaseUrl& url = options.url;
  // libpq's own keywords from the URL's query string (sslmode, application_name, ...), then
  // the parts of the URL and the source's keys, which win.
  std::map<std::string, std::string> params;
  {
    PQconninfoOption* defaults = PQconndefaults();
    if (defaults == nullptr) return Internal("libpq: out of memory");
    for (const auto& [key, value] : url.params) {
      bool known = false;
      for (const PQconninfoOption* o = defaults; o->keyword != nullptr; ++o) {
        if (key == o->keyword) known = true;
      }
      if (!known) {
        PQconninfoFree(defaults);
        return InvalidArgument(
            fmt::format("unknown connection parameter '{}' in the url (libpq knows: sslmode, "
                        "sslrootcert, application_name, options, ...)",
                        key));
      }
      params[key] = value;
    }
    PQconninfoFree(defaults);
  }
  if (!url.host.empty()) params["host"] = url.host;
  if (url.port) params["port"] = std::to_string(*url.port);
  if (!url.database.empty()) params["dbname"] = url.database;
  if (!url.user.empty()) params["user"] = url.user;
  if (options.password) {
    params["password"] = *options.password;
  } else if (url.password) {
    params["password"] = *url.password;
  }
  if (!options.tls_mode.empty()) params["sslmode"] = options.tls_mode;
  if (!options.tls_ca_file.empty()) params["sslrootcert"] = options.tls_ca_file;
  if (auto mode = params.find("sslmode"); mode != params.end()) {
    if (std::find(kSslModes.begin(), kSslModes.end(), mode->second) == kSslModes.end()) {
      return InvalidArgument(fmt::format(
          "tls mode '{}' is not one of disable, allow, prefer, require, verify-ca, verify-full",
          mode->second));
    }
  }
  // libpq counts whole seconds and takes anything under 2 as 2.
  const auto timeout_ms = options.connect_timeout.count();
  params["connect_timeout"] = std::to_string(std::max<int64_t>(2, (timeout_ms + 999) / 1000));
  params.emplace("application_name", "assay");
  params["client_encoding"] = "UTF8";
  // A server that vanishes without closing the connection is noticed instead of waited on
  // forever.
  params.emplace("keepalives", "1");
  params.emplace("keepalives_idle", "30");
  params.emplace("keepalives_interval", "10");
  params.emplace("keepalives_count", "3");

  std::vector<const char*> keywords, values;
  for (const auto& [key, value] : params) {
    keywords.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keywords.data(), values.data(), 0);
  if (conn == nullptr) return Internal("libpq: out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return Status(ConnectFailureCode(message), Redact(message, options));
  }
  auto connection = std::make_unique<PostgresConnection>(conn, options);
  std::string setup(kSessionSetup);
  if (options.statement_timeout.count() > 0) {
    setup += fmt::format("; SET statement_timeout = {}", options.statement_timeout.count());
  }
  RETURN_IF_ERROR(connection->Exec(setup, PGRES_COMMAND_OK, "setting up the session"));
  return std::unique_ptr<DbConnection>(std::move(connection));
}

}  // namespace assay::sources::db
