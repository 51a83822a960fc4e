// Round trips through clients we did not write (CONVENTIONS §7): the real `assay --web-only`
// driven by Debian's python3-confluent-kafka and by npm @kafkajs/confluent-schema-registry, both
// unmodified. The scripts in tests/registry_clients/ do the checks; a missing client makes them
// fail, and so the test, rather than skip.

#include "tests/assay_server.h"
#include "tests/test_util.h"

namespace assay::testing {
namespace {

constexpr const char* kToken = "client-token";
// The Debian package installs into Debian's Python; `python3` on PATH may be another one.
constexpr const char* kDebianPython = "/usr/bin/python3";

class RegistryClientsTest : public TempDirTest {
 protected:
  void SetUp() override {
    TempDirTest::SetUp();
    Write("assay.yml", R"(pipeline: {state_dir: ./state}
sources: [{name: a, type: file, path: a.csv}]
web: {token: "${ASSAY_TOKEN}"}
)");
  }

  void Start() {
    server_ = std::make_unique<AssayServer>();
    std::string error;
    ASSERT_TRUE(server_->Start({"--config", "assay.yml", "--web-only", "--port", "0"}, dir_,
                               {{"ASSAY_TOKEN", kToken}}, &error))
        << error;
  }

  std::string RegistryUrl() const { return server_->url() + "/registry"; }

  std::unique_ptr<AssayServer> server_;
};

TEST_F(RegistryClientsTest, PythonConfluentKafkaClient) {
  ASSERT_NO_FATAL_FAILURE(Start());
  std::string script = (SourceDir() / "tests/registry_clients/python_client_test.py").string();
  CommandResult write =
      assay::testing::Run({kDebianPython, script, RegistryUrl(), kToken, "write"}, dir_);
  ASSERT_EQ(write.exit_code, 0) << write.out << write.err << "\nassay:\n" << server_->Stderr();
  // The last line holds the ids the script registered.
  std::string out = write.out;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  std::string ids = out.substr(out.rfind('\n') + 1);
  ASSERT_TRUE(nlohmann::json::accept(ids)) << write.out;

  // Restart assay on the same state directory: a fresh client sees everything again.
  EXPECT_EQ(server_->Stop(), 0) << server_->Stderr();
  ASSERT_NO_FATAL_FAILURE(Start());
  CommandResult verify =
      assay::testing::Run({kDebianPython, script, RegistryUrl(), kToken, "verify", ids}, dir_);
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err << "\nassay:\n" << server_->Stderr();
  EXPECT_EQ(server_->Stop(), 0) << server_->Stderr();
}

TEST_F(RegistryClientsTest, NpmKafkajsConfluentSchemaRegistryClient) {
  ASSERT_NO_FATAL_FAILURE(Start());
  // Node resolves the package from the repository's node_modules (the script's ancestors).
  std::string script = (SourceDir() / "tests/registry_clients/npm_client_test.mjs").string();
  CommandResult r = assay::testing::Run({"node", script, RegistryUrl(), kToken}, dir_);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err << "\nassay:\n" << server_->Stderr();
  EXPECT_NE(r.out.find("npm client: all checks passed"), std::string::npos) << r.out;
  EXPECT_EQ(server_->Stop(), 0) << server_->Stderr();
}

}  // namespace
}  // namespace assay::testing
