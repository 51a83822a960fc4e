// The DuckDB side of the end-to-end benchmark: one process, one statement (bench/duckdb_classify.mjs)
// that reads the input as text, grades every row as Assay does, and writes Parquet tiers.
//
//   node bench/duckdb_run.mjs <input> <outdir> <threads> <csv|ndjson>
//        [--as-of T] [--schema F] [--config F] [--count] [--print-sql]
//
// threads 0 = DuckDB's default (one per core). Prints {"rows": N} (what COPY wrote); with --count
// also "tiers": {"gold":..,"silver":..,"bronze":..,"rejected":..}, counted from the Parquet files
// it wrote (bench/run.mjs leaves --count out of timed runs).
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClassifySql, setupSql } from './duckdb_classify.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const positional = [];
const opts = {
  asOf: '2026-11-24T00:00:00Z',
  schema: join(here, 'schemas/bench_orders.json'),
  config: join(here, 'config/bench.yml'),
  count: false,
  printSql: false,
};
for (let i = 0; i < args.length; ++i) {
  const a = args[i];
  if (a === '--as-of') opts.asOf = args[++i];
  else if (a === '--schema') opts.schema = args[++i];
  else if (a === '--config') opts.config = args[++i];
  else if (a === '--count') opts.count = true;
  else if (a === '--print-sql') opts.printSql = true;
  else if (a.startsWith('--')) usage(`unknown option ${a}`);
  else positional.push(a);
}
if (positional.length !== 4) usage('expected <input> <outdir> <threads> <format>');
const [input, outDir, threadsText, format] = positional;
const threads = Number(threadsText);
if (!Number.isInteger(threads) || threads < 0) usage('threads must be an integer >= 0');
if (format !== 'csv' && format !== 'ndjson') usage('format must be csv or ndjson');

function usage(why) {
  console.error(`duckdb_run.mjs: ${why}\nusage: node bench/duckdb_run.mjs <input> <outdir> <threads> <csv|ndjson> [--as-of T] [--schema F] [--config F] [--count] [--print-sql]`);
  process.exit(64);
}

const sql = buildClassifySql({ input, format, outDir, asOf: opts.asOf, schema: opts.schema, config: opts.config });
if (opts.printSql) {
  console.log([...setupSql(threads), sql].join(';\n') + ';');
  process.exit(0);
}

const { DuckDBInstance } = await import('@duckdb/node-api');
try {
  rmSync(outDir, { recursive: true, force: true });
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  for (const s of setupSql(threads)) await connection.run(s);
  const copied = await connection.runAndReadAll(sql); // COPY returns the number of rows written
  const result = { rows: Number(copied.getRowsJson()[0]?.[0] ?? 0) };
  if (opts.count) {
    const reader = await connection.runAndReadAll(
      `SELECT _tier, count(*)::BIGINT FROM read_parquet('${join(outDir, '**', '*.parquet').replaceAll("'", "''")}', hive_partitioning = true) GROUP BY _tier`);
    const tiers = { gold: 0, silver: 0, bronze: 0, rejected: 0 };
    for (const [tier, n] of reader.getRowsJson()) tiers[tier] = Number(n);
    result.tiers = tiers;
  }
  process.stdout.write(JSON.stringify(result) + '\n');
} catch (e) {
  console.error(`duckdb_run.mjs: ${e.message}`);
  process.exit(1);
}
