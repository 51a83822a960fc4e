// Runs one SQL statement in DuckDB (an independent reader of Assay's Parquet files) and prints
// its rows as a JSON array of arrays (DuckDB's JSON conversion: BIGINT and timestamps as text).
// Usage: node tests/tools/duckdb_query.mjs "SELECT ..."   (relative paths: the working directory)
let DuckDBInstance;
try {
  ({ DuckDBInstance } = await import('@duckdb/node-api'));
} catch (e) {
  console.error(`duckdb_query.mjs: @duckdb/node-api is not installed; run \`npm ci\` (${e.message})`);
  process.exit(2);
}
const sql = process.argv[2];
if (!sql) {
  console.error('usage: node tests/tools/duckdb_query.mjs SQL');
  process.exit(64);
}
try {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(sql);
  process.stdout.write(JSON.stringify(reader.getRowsJson()));
} catch (e) {
  console.error(`duckdb_query.mjs: ${e.message}`);
  process.exit(1);
}
