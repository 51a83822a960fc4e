#pragma once

#include <memory>

#include "core/result.h"
#include "sources/database/database.h"

/// One factory per driver file; database.cc's Connect picks by the URL's scheme.
namespace assay::sources::db {

Result<std::unique_ptr<DbConnection>> ConnectSqlite(const ConnectOptions& options);
Result<std::unique_ptr<DbConnection>> ConnectPostgres(const ConnectOptions& options);
Result<std::unique_ptr<DbConnection>> ConnectMariaDb(const ConnectOptions& options);
Result<std::unique_ptr<DbConnection>> ConnectOdbc(const ConnectOptions& options);

}  // namespace assay::sources::db
