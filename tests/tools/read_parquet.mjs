// Reads a Parquet file with DuckDB, an independent reader, and prints what the C++ tests assert on.
//
// Usage: node tests/tools/read_parquet.mjs FILE
// Prints one JSON object:
//   columns:  [{name, type}]        names and DuckDB types from DESCRIBE
//   row_count: number
//   rows:     [[value, ...]]        BIGINT, TIMESTAMP and DATE values as strings (exact), NaN as "NaN"
//   metadata: [{...}]               parquet_metadata(): one object per column chunk
//   file:     {...}                 parquet_file_metadata(): created_by, num_rows, num_row_groups
//   schema:   [{...}]               parquet_schema(): converted and logical types per element
//   kv:       [{key, value}]        parquet_kv_metadata(), decoded as text
// Exits 2 with a message when @duckdb/node-api is missing (run `npm ci` in the repo root), 1 when
// DuckDB cannot read the file.

let DuckDBInstance;
try {
  ({ DuckDBInstance } = await import('@duckdb/node-api'));
} catch (e) {
  console.error(`read_parquet.mjs: @duckdb/node-api is not installed; run \`npm ci\` in the repository root (${e.message})`);
  process.exit(2);
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node tests/tools/read_parquet.mjs FILE');
  process.exit(64);
}

try {
  const instance = await DuckDBInstance.create(':memory:');
  const con = await instance.connect();
  // Timestamps with time zone print in the session zone: pin it so output does not depend on the host.
  await con.run("SET TimeZone = 'UTC'");
  const quoted = `'${file.replaceAll("'", "''")}'`;
  const all = async (sql) => (await con.runAndReadAll(sql)).getRowObjectsJson();

  const describe = await all(`DESCRIBE SELECT * FROM read_parquet(${quoted})`);
  const data = await con.runAndReadAll(`SELECT * FROM read_parquet(${quoted})`);
  const rows = data.getRowsJson();
  const out = {
    columns: describe.map((c) => ({ name: c.column_name, type: c.column_type })),
    row_count: rows.length,
    rows,
    metadata: await all(`SELECT * FROM parquet_metadata(${quoted}) ORDER BY row_group_id, column_id`),
    file: (await all(`SELECT * FROM parquet_file_metadata(${quoted})`))[0],
    schema: await all(`SELECT * FROM parquet_schema(${quoted})`),
    kv: await all(`SELECT decode(key) AS key, decode(value) AS value FROM parquet_kv_metadata(${quoted})`),
  };
  process.stdout.write(JSON.stringify(out));
  process.stdout.write('\n');
} catch (e) {
  console.error(`read_parquet.mjs: ${e.message}`);
  process.exit(1);
}
