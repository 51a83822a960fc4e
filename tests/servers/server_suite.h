#pragma once

// One real server per test suite, for any server helper with a static Start(), running() and
// LogTail() (MariaDbServer; PostgresServer has the same shape): started in SetUpTestSuite,
// stopped in TearDownTestSuite (and by its destructor on any exit). A test fails, not skips,
// when the server cannot start: CI must have it.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace assay::testing {

template <typename Server>
class ServerSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<std::unique_ptr<Server>> started = Server::Start();
    if (started.ok()) {
      server_ = std::move(*started);
      start_error_.clear();
    } else {
      start_error_ = started.status().ToString();
    }
  }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override {
    ASSERT_NE(server_, nullptr) << "cannot start " << Server::kName << ": " << start_error_;
    ASSERT_TRUE(server_->running())
        << "the suite's " << Server::kName << " server is gone; its log ends:\n"
        << server_->LogTail();
  }
  /// The suite's server; only valid once SetUp has passed.
  static Server& server() { return *server_; }

 private:
  static inline std::unique_ptr<Server> server_;
  static inline std::string start_error_;
};

}  // namespace assay::testing
