#include "sources/database/database_url.h"

#include <gtest/gtest.h>

#include "sources/database/database.h"

namespace assay::sources::db {
namespace {

TEST(DatabaseUrlTest, PostgresWithEveryPart) {
  auto url = ParseDatabaseUrl("postgresql://ana:s%40cret@db.example.com:6543/shop?sslmode=require");
  ASSERT_TRUE(url.ok()) << url.status().message();
  EXPECT_EQ(url->driver, Driver::kPostgres);
  EXPECT_EQ(url->user, "ana");
  EXPECT_EQ(url->password, "s@cret");
  EXPECT_EQ(url->host, "db.example.com");
  EXPECT_EQ(url->port, 6543);
  EXPECT_EQ(url->database, "shop");
  EXPECT_EQ(url->Param("sslmode"), "require");
  EXPECT_EQ(url->Redacted(), "postgresql://ana:***@db.example.com:6543/shop?sslmode=require");
}

TEST(DatabaseUrlTest, SchemeAliasesAndPythonDialects) {
  EXPECT_EQ(ParseDatabaseUrl("postgres://h/db")->driver, Driver::kPostgres);
  EXPECT_EQ(ParseDatabaseUrl("postgresql+psycopg2://h/db")->driver, Driver::kPostgres);
  EXPECT_EQ(ParseDatabaseUrl("mysql://u@h/db")->driver, Driver::kMariaDb);
  EXPECT_EQ(ParseDatabaseUrl("mariadb+pymysql://u@h:3307/db")->port, 3307);
}

TEST(DatabaseUrlTest, SqlitePathsFollowSqlAlchemy) {
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///data/shop.db")->database, "data/shop.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite:////var/lib/shop.db")->database, "/var/lib/shop.db");
  EXPECT_EQ(ParseDatabaseUrl("sqlite:///:memory:")->database, ":memory:");
  EXPECT_FALSE(ParseDatabaseUrl("sqlite://shop.db").ok());
  EXPECT_FALSE(ParseDatabaseUrl("sqlite:///").ok());
}

TEST(DatabaseUrlTest, OdbcDsnOrConnectionString) {
  auto dsn = ParseDatabaseUrl("odbc://bob:pw@SalesDSN");
  ASSERT_TRUE(dsn.ok());
  EXPECT_EQ(dsn->database, "SalesDSN");
  EXPECT_EQ(dsn->user, "bob");
  EXPECT_EQ(dsn->Redacted(), "odbc://bob:***@SalesDSN");
  auto cs = ParseDatabaseUrl("odbc:Driver={PostgreSQL Unicode};Server=127.0.0.1;PWD=hunter2");
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->odbc_connection_string, "Driver={PostgreSQL Unicode};Server=127.0.0.1;PWD=hunter2");
  EXPECT_EQ(cs->Redacted(), "odbc:Driver={PostgreSQL Unicode};Server=127.0.0.1;PWD=***");
}

TEST(DatabaseUrlTest, IPv6HostsAndSocketDirectories) {
  auto v6 = ParseDatabaseUrl("postgresql://u@[::1]:5433/db");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 5433);
  EXPECT_EQ(v6->Redacted(), "postgresql://u@[::1]:5433/db");
  auto socket = ParseDatabaseUrl("postgresql://u@/db?host=/run/postgresql");
  ASSERT_TRUE(socket.ok()) << socket.status().message();
  EXPECT_EQ(socket->Param("host"), "/run/postgresql");
}

TEST(DatabaseUrlTest, ErrorsSayWhatIsWrongWithoutThePassword) {
  for (const char* bad :
       {"shop.db", "oracle://h/db", "postgresql:h/db", "postgresql://u:pw@h:99999/db",
        "postgresql://u:pw%zz@h/db", "postgresql:///db", "odbc://"}) {
    auto url = ParseDatabaseUrl(bad);
    ASSERT_FALSE(url.ok()) << bad;
    EXPECT_EQ(url.status().code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(url.status().message().find("pw"), std::string::npos) << url.status().message();
  }
}

TEST(DatabaseUrlTest, RedactHidesPasswordsInDriverMessages) {
  ConnectOptions options;
  options.url = *ParseDatabaseUrl("postgresql://u:hunter2@h/db");
  options.password = "s3cr3t";
  EXPECT_EQ(Redact("login with hunter2 and s3cr3t failed", options),
            "login with *** and *** failed");
  EXPECT_EQ(Redact("bad conninfo: host=h password=abc user=u", options),
            "bad conninfo: host=h password=*** user=u");
  EXPECT_EQ(Redact("[unixODBC]DSN=x;PWD=zz;UID=u", options), "[unixODBC]DSN=x;PWD=***;UID=u");
}

}  // namespace
}  // namespace assay::sources::db
