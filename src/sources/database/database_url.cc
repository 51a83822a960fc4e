#include "sources/database/database_url.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

#include "core/ascii.h"

namespace assay::sources::db {
namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986 percent-decoding; '+' stays '+' (only form encoding means a space by it).
Result<std::string> PercentDecode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) {
      return InvalidArgument(fmt::format("database url: incomplete %-escape in the {}", what));
    }
    const int hi = HexDigit(text[i + 1]), lo = HexDigit(text[i + 2]);
    if (hi < 0 || lo < 0) {
      return InvalidArgument(fmt::format("database url: bad %-escape in the {}", what));
    }
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

Result<Driver> DriverOfScheme(std::string_view scheme) {
  if (const size_t plus = scheme.find('+'); plus != std::string_view::npos) {
    scheme = scheme.substr(0, plus);  // postgresql+psycopg2: the dialect's Python driver
  }
  if (scheme == "postgresql" || scheme == "postgres") return Driver::kPostgres;
  if (scheme == "mysql" || scheme == "mariadb") return Driver::kMariaDb;
  if (scheme == "sqlite") return Driver::kSqlite;
  if (scheme == "odbc") return Driver::kOdbc;
  if (scheme == "redis") return Driver::kRedis;
  return InvalidArgument(fmt::format(
      "database url: unknown scheme '{}' (expected postgresql, mysql, mariadb, sqlite or odbc)",
      scheme));
}

// "key=value&key=value" into `params`.
Status ParseQuery(std::string_view query, DatabaseUrl& url) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq), "query string"));
    std::string value;
    if (eq != std::string_view::npos) {
      ASSIGN_OR_RETURN(value, PercentDecode(pair.substr(eq + 1), "query string"));
    }
    url.params.emplace_back(std::move(key), std::move(value));
  }
  return Status::Ok();
}

// "user[:password]@" off the front of `authority`.
Status ParseUserInfo(std::string_view& authority, DatabaseUrl& url) {
  const size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return Status::Ok();
  std::string_view info = authority.substr(0, at);
  authority = authority.substr(at + 1);
  const size_t colon = info.find(':');
  ASSIGN_OR_RETURN(url.user, PercentDecode(info.substr(0, colon), "user name"));
  if (colon != std::string_view::npos) {
    ASSIGN_OR_RETURN(std::string password, PercentDecode(info.substr(colon + 1), "password"));
    url.password = std::move(password);
  }
  return Status::Ok();
}

// host[:port], with [v6] literals.
Status ParseHostPort(std::string_view hostport, DatabaseUrl& url) {
  std::string_view host = hostport, port;
  if (hostport.starts_with('[')) {
    const size_t close = hostport.find(']');
    if (close == std::string_view::npos) {
      return InvalidArgument("database url: unterminated [IPv6] host");
    }
    host = hostport.substr(1, close - 1);
    std::string_view rest = hostport.substr(close + 1);
    if (rest.starts_with(':')) port = rest.substr(1);
  } else if (const size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    host = hostport.substr(0, colon);
    port = hostport.substr(colon + 1);
  }
  ASSIGN_OR_RETURN(url.host, PercentDecode(host, "host"));
  if (!port.empty()) {
    int value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value < 1 || value > 65535) {
      return InvalidArgument(fmt::format("database url: bad port '{}'", port));
    }
    url.port = value;
  }
  return Status::Ok();
}

}  // namespace

std::string_view DriverName(Driver driver) {
  switch (driver) {
    case Driver::kPostgres: return "postgresql";
    case Driver::kMariaDb: return "mariadb";
    case Driver::kSqlite: return "sqlite";
    case Driver::kOdbc: return "odbc";
    case Driver::kRedis: return "redis";
  }
  return "?";
}

Result<DatabaseUrl> ParseDatabaseUrl(std::string_view text) {
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgument(
        "database url: expected scheme://..., e.g. postgresql://user@host:5432/db");
  }
  DatabaseUrl url;
  ASSIGN_OR_RETURN(url.driver, DriverOfScheme(text.substr(0, colon)));
  std::string_view rest = text.substr(colon + 1);

  if (url.driver == Driver::kOdbc) {
    std::string_view body = rest.starts_with("//") ? rest.substr(2) : rest;
    if (body.find('=') != std::string_view::npos) {  // a connection string: DRIVER=...;...
      url.odbc_connection_string = std::string(body);
      return url;
    }
    RETURN_IF_ERROR(ParseUserInfo(body, url));
    ASSIGN_OR_RETURN(url.database, PercentDecode(body, "data source name"));
    if (url.database.empty()) {
      return InvalidArgument("database url: odbc:// needs a DSN or a connection string");
    }
    return url;
  }

  if (!rest.starts_with("//")) {
    return InvalidArgument(
        fmt::format("database url: expected '{}://' after the scheme", DriverName(url.driver)));
  }
  rest.remove_prefix(2);
  std::string_view query;
  if (const size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  RETURN_IF_ERROR(ParseQuery(query, url));

  if (url.driver == Driver::kSqlite) {
    // sqlite:///relative.db has an empty authority and the path "relative.db"; a fourth slash
    // makes the path absolute.
    if (!rest.starts_with('/')) {
      return InvalidArgument(
          "database url: SQLite needs sqlite:///relative/path.db or sqlite:////absolute/path.db");
    }
    ASSIGN_OR_RETURN(url.database, PercentDecode(rest.substr(1), "path"));
    if (url.database.empty()) return InvalidArgument("database url: SQLite needs a file path");
    return url;
  }

  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    ASSIGN_OR_RETURN(url.database, PercentDecode(rest.substr(slash + 1), "database name"));
  }
  RETURN_IF_ERROR(ParseUserInfo(authority, url));
  RETURN_IF_ERROR(ParseHostPort(authority, url));
  if (url.host.empty() && !url.Param("host")) {
    return InvalidArgument(fmt::format("database url: {} needs a host (or ?host=/socket/dir)",
                                       DriverName(url.driver)));
  }
  return url;
}

std::optional<std::string> DatabaseUrl::Param(std::string_view key) const {
  for (const auto& [k, v] : params) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string DatabaseUrl::Redacted() const {
  auto secret_key = [](std::string_view key) {
    return EqualsIgnoringCase(key, "password") || EqualsIgnoringCase(key, "pwd") ||
           EqualsIgnoringCase(key, "passwd");
  };
  std::string out(DriverName(driver));
  if (driver == Driver::kOdbc && !odbc_connection_string.empty()) {
    out += ':';
    std::string_view rest = odbc_connection_string;
    bool first = true;
    while (!rest.empty()) {
      const size_t semi = rest.find(';');
      std::string_view part = rest.substr(0, semi);
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      if (!first) out += ';';
      first = false;
      const size_t eq = part.find('=');
      if (eq != std::string_view::npos && secret_key(part.substr(0, eq))) {
        out += part.substr(0, eq + 1);
        out += "***";
      } else {
        out += part;
      }
    }
    return out;
  }
  out += "://";
  if (driver == Driver::kSqlite) return out + "/" + database;
  if (!user.empty() || password) {
    out += user;
    if (password) out += ":***";
    out += '@';
  }
  if (driver == Driver::kOdbc) return out + database;
  out += host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port) out += fmt::format(":{}", *port);
  out += "/" + database;
  char sep = '?';
  for (const auto& [k, v] : params) {
    out += sep;
    sep = '&';
    out += k + "=" + (secret_key(k) ? std::string("***") : v);
  }
  return out;
}

}  // namespace assay::sources::db
