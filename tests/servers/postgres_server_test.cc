#include "tests/servers/postgres_server.h"

#include <gtest/gtest.h>

#include <string>

namespace assay::testing {
namespace {

/// psql over TCP as the test role with `password`, as a client that is not ours would connect.
Result<CommandOutput> PsqlOverTcp(const PostgresServer& server, const std::string& password) {
  Result<std::filesystem::path> bin = PostgresBinDir();
  if (!bin.ok()) return bin.status();
  ProcessOptions psql;
  psql.argv = {(*bin / "psql").string(),
               "-X",
               "-At",
               "-h",
               server.host(),
               "-p",
               std::to_string(server.port()),
               "-U",
               std::string(PostgresServer::kUser),
               "-d",
               std::string(PostgresServer::kDatabase),
               "-c",
               "SELECT current_user, current_setting('password_encryption')"};
  psql.env = {{"PGPASSWORD", password}, {"PGCONNECT_TIMEOUT", "10"}};
  return RunCommand(psql);
}

using PostgresServerTest = PostgresTest;

TEST_F(PostgresServerTest, TheTestRoleLogsInWithItsPasswordOnly) {
  Result<CommandOutput> good = PsqlOverTcp(server(), std::string(PostgresServer::kPassword));
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->exit_code, 0) << good->output;
  EXPECT_EQ(good->output, std::string(PostgresServer::kUser) + "|scram-sha-256\n");

  Result<CommandOutput> bad = PsqlOverTcp(server(), "not-the-password");
  ASSERT_TRUE(bad.ok()) << bad.status().ToString();
  EXPECT_NE(bad->exit_code, 0);
  EXPECT_NE(bad->output.find("password authentication failed"), std::string::npos) << bad->output;
}

TEST_F(PostgresServerTest, SqlRunsStatementsOneByOne) {
  Result<std::string> out = server().Sql(
      "CREATE TABLE t (a int, b text);\n"
      "INSERT INTO t VALUES (1, 'x'), (2, NULL);\n"
      "SELECT a, b FROM t ORDER BY a;\n");
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, "1|x\n2|\n");
  Result<std::string> error = server().Sql("SELECT * FROM no_such_table");
  EXPECT_EQ(error.status().code(), StatusCode::kInvalidArgument);
}

TEST(PostgresServer, StopsAndDeletesItsDirectory) {
  Result<std::unique_ptr<PostgresServer>> server = PostgresServer::Start();
  ASSERT_TRUE(server.ok()) << server.status().ToString();
  const std::filesystem::path dir = (*server)->directory();
  const int port = (*server)->port();
  EXPECT_TRUE(std::filesystem::exists(dir / "data/PG_VERSION"));
  EXPECT_TRUE(TcpPortAccepts(port));
  server->reset();
  EXPECT_FALSE(std::filesystem::exists(dir));
  EXPECT_FALSE(TcpPortAccepts(port));
}

TEST(PostgresServer, TwoServersRunSideBySide) {
  Result<std::unique_ptr<PostgresServer>> a = PostgresServer::Start();
  Result<std::unique_ptr<PostgresServer>> b = PostgresServer::Start();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_NE((*a)->port(), (*b)->port());
  ASSERT_TRUE((*a)->Sql("CREATE TABLE only_in_a (x int)").ok());
  EXPECT_FALSE((*b)->Sql("SELECT * FROM only_in_a").ok());
}

}  // namespace
}  // namespace assay::testing
