// The end-to-end benchmark of `make bench`: Assay vs DuckDB, input file -> graded Parquet tiers.
// See bench/README.md for what is compared and how to read the results.
//
//   node bench/run.mjs [--sizes 1000000,10000000] [--runs 5] [--formats csv,ndjson]
//                      [--threads <nproc>,1] [--seed 42] [--build-dir build]
//                      [--as-of 2026-11-24T00:00:00Z] [--results-dir bench/results]
//                      [--verify-only]
//
// 1. Generates the inputs it lacks with <build-dir>/bench/bench_data_generator into bench/data/
//    (cached by rows, seed and format). It builds nothing itself.
// 2. Checks, per input, that Assay and DuckDB put the same number of rows in each tier (and that
//    the CSV and NDJSON files of one size grade alike). Any difference stops the benchmark with
//    a per-check diff and exit code 1: no timing is reported for classifications that differ.
// 3. Times whole processes (/usr/bin/time for peak RSS), Assay and DuckDB alternating, `--runs`
//    times per tool, format, size and thread count, and reports medians.
// 4. Times `assay --validate-config` on config/data_sources.yml.
// 5. Prints the results and writes <results-dir>/results.md and results.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nproc = cpus().length;

// ---------------------------------------------------------------------------------------------
// Options
const opts = {
  sizes: [1_000_000, 10_000_000],
  runs: 5,
  formats: ['csv', 'ndjson'],
  threads: [...new Set([nproc, 1])],
  seed: 42,
  buildDir: 'build',
  asOf: '2026-11-24T00:00:00Z',
  resultsDir: join(repo, 'bench/results'),
  verifyOnly: false,
  validateRuns: 10,
};
{
  const a = process.argv.slice(2);
  const list = (v, f = Number) => v.split(',').filter(Boolean).map(f);
  for (let i = 0; i < a.length; ++i) {
    const v = () => {
      if (i + 1 >= a.length) fail(`${a[i]} needs a value`, 64);
      return a[++i];
    };
    switch (a[i]) {
      case '--sizes': opts.sizes = list(v()); break;
      case '--runs': opts.runs = Number(v()); break;
      case '--formats': opts.formats = list(v(), String); break;
      case '--threads': opts.threads = list(v()); break;
      case '--seed': opts.seed = Number(v()); break;
      case '--build-dir': opts.buildDir = v(); break;
      case '--as-of': opts.asOf = v(); break;
      case '--results-dir': opts.resultsDir = resolve(v()); break;
      case '--verify-only': opts.verifyOnly = true; break;
      case '-h':
      case '--help':
        console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(0, 9).join('\n'));
        process.exit(0);
      default: fail(`unknown option ${a[i]} (see --help)`, 64);
    }
  }
  if (!(opts.runs >= 1)) fail('--runs must be at least 1', 64);
  if (opts.sizes.some((n) => !(n >= 1))) fail('--sizes must be positive row counts', 64);
  if (opts.formats.some((f) => f !== 'csv' && f !== 'ndjson')) fail('--formats: csv, ndjson', 64);
  if (opts.threads.some((t) => !(Number.isInteger(t) && t >= 1))) fail('--threads: integers >= 1', 64);
}

function fail(msg, code = 1) {
  console.error(`bench/run.mjs: ${msg}`);
  process.exit(code);
}

const buildDir = resolve(repo, opts.buildDir);
const assayBin = join(buildDir, 'assay');
const generatorBin = join(buildDir, 'bench', 'bench_data_generator');
const timeBin = '/usr/bin/time';
const benchConfig = join(repo, 'bench/config/bench.yml');
const dataDir = join(repo, 'bench/data');
const outRoot = join(repo, 'bench/data/out'); // scratch output of the runs (git-ignored)
for (const [path, hint] of [
  [assayBin, `build Assay first (make build, or --build-dir)`],
  [generatorBin, `build the bench_data_generator target first`],
  [timeBin, `install the Debian package 'time' (scripts/setup.sh)`],
]) {
  if (!existsSync(path)) fail(`${path} not found: ${hint}`);
}
try {
  await import('@duckdb/node-api');
} catch (e) {
  fail(`@duckdb/node-api is not installed; run \`npm ci\` (${e.message})`);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function run(cmd, args, { env = {}, cwd = repo, timed = false } = {}) {
  const rssFile = join(outRoot, 'time.txt');
  const argv = timed ? [timeBin, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv[1], {
    cwd, env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 64 << 20,
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error) fail(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) {
    fail(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}\n${r.stderr}${r.stdout}`);
  }
  let rssKiB = null;
  if (timed) rssKiB = Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
  return { stdout: r.stdout, stderr: r.stderr, seconds, rssMiB: rssKiB / 1024 };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmt = (n, d = 2) => n.toFixed(d);

function inputPath(rows, format) {
  return join(dataDir, `orders_${rows}_s${opts.seed}.${format}`);
}

function ensureInput(rows, format) {
  const path = inputPath(rows, format);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    process.stdout.write(`generating ${path} ... `);
    const r = run(generatorBin, ['--rows', String(rows), '--seed', String(opts.seed), '--format', format, '--out', path]);
    console.log(`${fmt(r.seconds)} s`);
  }
  return path;
}

// One Assay run into a fresh warehouse and state store; returns the summary and the timing.
function runAssay(input, format, threads, { timed = true } = {}) {
  const out = join(outRoot, 'assay');
  rmSync(out, { recursive: true, force: true });
  const r = run(assayBin, ['--config', benchConfig, '--as-of', opts.asOf, '--no-progress', '--summary-json'], {
    timed,
    env: { BENCH_INPUT: input, BENCH_FORMAT: format, BENCH_THREADS: String(threads), BENCH_OUT: out },
  });
  const summary = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const src = summary.sources[0];
  if (!summary.ok || !src?.ok) fail(`assay failed on ${input}: ${src?.error ?? r.stdout}`);
  return { ...r, rows: src.rows, tiers: src.tiers, out };
}

function runDuckdb(input, format, threads, { count = false, timed = true } = {}) {
  const out = join(outRoot, 'duckdb');
  rmSync(out, { recursive: true, force: true });
  const args = [join(repo, 'bench/duckdb_run.mjs'), input, out, String(threads), format, '--as-of', opts.asOf];
  if (count) args.push('--count');
  const r = run(process.execPath, args, { timed });
  const res = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return { ...r, rows: res.rows, tiers: res.tiers, out };
}

async function duckdbQuery(sql) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  return (await conn.runAndReadAll(sql)).getRowsJson();
}

// Failures per check name in one tool's output: where two classifications differ, this shows
// which check disagrees.
async function failuresPerCheck(glob) {
  const rows = await duckdbQuery(
    `SELECT c, count(*)::BIGINT FROM (SELECT unnest(string_split(_failed, ',')) AS c ` +
    `FROM read_parquet('${glob}', union_by_name = true, hive_partitioning = false) WHERE _failed <> '') GROUP BY c`);
  return Object.fromEntries(rows.map(([c, n]) => [c, Number(n)]));
}

const TIERS = ['gold', 'silver', 'bronze', 'rejected'];
const sameTiers = (a, b) => TIERS.every((t) => (a[t] ?? 0) === (b[t] ?? 0));
const tierText = (t) => TIERS.map((k) => `${k} ${t[k] ?? 0}`).join(', ');

// ---------------------------------------------------------------------------------------------
// Machine

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? 'unknown';
  const kernel = spawnSync('uname', ['-srm'], { encoding: 'utf8' }).stdout.trim();
  const os = /PRETTY_NAME="([^"]*)"/.exec(existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '')?.[1] ?? '';
  const pkg = JSON.parse(readFileSync(join(repo, 'node_modules/@duckdb/node-api/package.json'), 'utf8'));
  const assayVersion = spawnSync(assayBin, ['--version'], { encoding: 'utf8' }).stdout.trim();
  const commit = spawnSync('git', ['-C', repo, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['-C', repo, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).stdout.trim() !== '';
  return {
    nproc, cpu: model, memGiB: +(totalmem() / 2 ** 30).toFixed(1), kernel, os, node: process.version,
    duckdb: pkg.version, assay: assayVersion, commit: commit + (dirty ? ' (src/ modified)' : ''),
    assayBuilt: statSync(assayBin).mtime.toISOString().replace(/\.\d+Z$/, 'Z'),
    buildType: /CMAKE_BUILD_TYPE:STRING=(.*)/.exec(readFileSync(join(buildDir, 'CMakeCache.txt'), 'utf8'))?.[1] ?? '',
  };
}

// ---------------------------------------------------------------------------------------------
// 1 + 2: inputs and the classification check

mkdirSync(outRoot, { recursive: true });
const mach = machine();
console.log(`machine: ${mach.nproc} cores, ${mach.cpu}, ${mach.memGiB} GiB, ${mach.kernel}; DuckDB ${mach.duckdb}; ${mach.assay} at ${mach.commit}`);

const inputs = [];
for (const rows of opts.sizes) {
  for (const format of opts.formats) {
    const path = ensureInput(rows, format);
    inputs.push({ rows, format, path, bytes: statSync(path).size });
  }
}

console.log('\nchecking that Assay and DuckDB grade alike (tier counts) ...');
const verification = [];
let mismatch = false;
for (const inp of inputs) {
  const a = runAssay(inp.path, inp.format, nproc, { timed: false });
  const d = runDuckdb(inp.path, inp.format, nproc, { count: true, timed: false });
  // Also the failures per check, so that equal tier counts are not a coincidence.
  const fa = await failuresPerCheck(join(a.out, 'warehouse', '**', '*.parquet'));
  const fd = await failuresPerCheck(join(d.out, '**', '*.parquet'));
  const checkNames = [...new Set([...Object.keys(fa), ...Object.keys(fd)])].sort();
  const checkDiffs = checkNames.filter((c) => (fa[c] ?? 0) !== (fd[c] ?? 0));
  const ok = a.rows === inp.rows && d.rows === inp.rows && sameTiers(a.tiers, d.tiers) && checkDiffs.length === 0;
  verification.push({ rows: inp.rows, format: inp.format, assay: a.tiers, duckdb: d.tiers, failuresPerCheck: fa, ok });
  console.log(`  ${inp.format} ${fmtInt(inp.rows)} rows: assay {${tierText(a.tiers)}} duckdb {${tierText(d.tiers)}} ` +
    `${ok ? `OK (and ${checkNames.length} checks fail equally often)` : 'MISMATCH'}`);
  if (!ok) {
    mismatch = true;
    console.log('    failures per check that differ (check: assay vs duckdb):');
    for (const c of checkDiffs) console.log(`      ${c}: ${fa[c] ?? 0} vs ${fd[c] ?? 0}`);
    console.log(`    outputs kept: ${a.out} and ${d.out}`);
    break;
  }
}
// The same rows as CSV and as NDJSON must grade alike (DESIGN.md §3a).
for (const rows of opts.sizes) {
  const vs = verification.filter((v) => v.rows === rows);
  if (vs.length === 2 && !sameTiers(vs[0].assay, vs[1].assay)) {
    console.log(`  MISMATCH: Assay grades the CSV and NDJSON files of ${fmtInt(rows)} rows differently`);
    mismatch = true;
  }
}
if (mismatch) fail('tier counts differ: no timing is reported (see bench/README.md, "When the counts differ")');
console.log('  all tier counts agree');
if (opts.verifyOnly) process.exit(0);

// ---------------------------------------------------------------------------------------------
// 3: timed runs

console.log(`\ntiming: ${opts.runs} runs per tool, alternating; threads ${opts.threads.join(', ')}`);
const results = [];
for (const inp of inputs) {
  for (const threads of opts.threads) {
    const samples = { assay: [], duckdb: [] };
    for (let i = 0; i < opts.runs; ++i) {
      // Alternate which tool goes first, so neither always runs on a warmer machine.
      const order = i % 2 === 0 ? ['assay', 'duckdb'] : ['duckdb', 'assay'];
      for (const tool of order) {
        const r = tool === 'assay' ? runAssay(inp.path, inp.format, threads) : runDuckdb(inp.path, inp.format, threads);
        if (r.rows !== inp.rows) fail(`${tool} wrote ${r.rows} rows of ${inp.rows} (${inp.path})`);
        samples[tool].push({ seconds: r.seconds, rssMiB: r.rssMiB });
      }
    }
    for (const tool of ['assay', 'duckdb']) {
      const s = samples[tool];
      const wall = median(s.map((x) => x.seconds));
      const row = {
        tool, format: inp.format, rows: inp.rows, bytes: inp.bytes, threads,
        wallSeconds: wall, rowsPerSecond: inp.rows / wall, mbPerSecond: inp.bytes / 1e6 / wall,
        rssMiB: median(s.map((x) => x.rssMiB)), rssMaxMiB: Math.max(...s.map((x) => x.rssMiB)),
        samples: s,
      };
      results.push(row);
      console.log(`  ${tool.padEnd(6)} ${inp.format.padEnd(6)} ${fmtInt(inp.rows).padStart(10)} rows  ${threads} thr: ` +
        `${fmt(wall)} s  ${fmtInt(row.rowsPerSecond)} rows/s  ${fmt(row.mbPerSecond, 1)} MB/s  ${fmt(row.rssMiB, 0)} MiB` +
        `  (runs: ${s.map((x) => fmt(x.seconds)).join(' ')})`);
    }
  }
}

// 4: validate-config
const validateSamples = [];
for (let i = 0; i < opts.validateRuns; ++i) {
  validateSamples.push(run(assayBin, ['--config', 'config/data_sources.yml', '--validate-config']).seconds);
}
const validateMs = median(validateSamples) * 1000;

// ---------------------------------------------------------------------------------------------
// 5: targets and report

const find = (tool, format, rows, threads) =>
  results.find((r) => r.tool === tool && r.format === format && r.rows === rows && r.threads === threads);
const allCores = Math.max(...opts.threads);
const targets = [];
const target = (name, met, detail) => targets.push({ name, met, detail });
const pairs = (threads) => inputs.map((i) => [find('assay', i.format, i.rows, threads), find('duckdb', i.format, i.rows, threads)]).filter(([a, d]) => a && d);

if (allCores === nproc) {
  const p = pairs(nproc);
  const ratios = p.map(([a, d]) => a.rowsPerSecond / d.rowsPerSecond);
  target(`Assay ≥ 3× DuckDB throughput, all ${nproc} cores`, ratios.every((r) => r >= 3),
    p.map(([a], k) => `${a.format} ${fmtInt(a.rows)}: ${fmt(ratios[k])}×`).join('; '));
}
if (opts.threads.includes(1)) {
  const p = pairs(1);
  target('Assay 1 thread faster than DuckDB 1 thread', p.every(([a, d]) => a.wallSeconds < d.wallSeconds),
    p.map(([a, d]) => `${a.format} ${fmtInt(a.rows)}: ${fmt(a.rowsPerSecond / d.rowsPerSecond)}×`).join('; '));
}
{
  const a = results.filter((r) => r.tool === 'assay');
  const maxRss = Math.max(...a.map((r) => r.rssMaxMiB));
  target('Assay peak RSS < 200 MiB', maxRss < 200, `largest peak ${fmt(maxRss, 0)} MiB`);
  const small = Math.min(...opts.sizes), large = Math.max(...opts.sizes);
  if (small !== large) {
    const growth = [];
    for (const format of opts.formats) for (const threads of opts.threads) {
      const s = find('assay', format, small, threads), l = find('assay', format, large, threads);
      if (s && l) growth.push({ format, threads, ratio: l.rssMiB / s.rssMiB });
    }
    target(`Assay peak RSS about the same at ${fmtInt(small)} and ${fmtInt(large)} rows (within 25%)`,
      growth.every((g) => g.ratio <= 1.25),
      growth.map((g) => `${g.format} ${g.threads} thr: ×${fmt(g.ratio)}`).join('; '));
  }
}
if (opts.threads.includes(1) && opts.threads.includes(2)) {
  const sc = inputs.map((i) => [find('assay', i.format, i.rows, 2), find('assay', i.format, i.rows, 1)]).filter(([a, b]) => a && b);
  const r = sc.map(([two, one]) => two.rowsPerSecond / one.rowsPerSecond);
  target('Assay 2 threads ≥ 1.8× Assay 1 thread', r.every((x) => x >= 1.8),
    sc.map(([two], k) => `${two.format} ${fmtInt(two.rows)}: ${fmt(r[k])}×`).join('; '));
}
if (opts.formats.includes('csv') && opts.formats.includes('ndjson')) {
  const nd = [];
  for (const rows of opts.sizes) for (const threads of opts.threads) {
    const c = find('assay', 'csv', rows, threads), n = find('assay', 'ndjson', rows, threads);
    if (c && n) nd.push({ rows, threads, ratio: n.rowsPerSecond / c.rowsPerSecond });
  }
  target('Assay NDJSON throughput (rows/s) ≥ half of CSV', nd.every((x) => x.ratio >= 0.5),
    nd.map((x) => `${fmtInt(x.rows)} ${x.threads} thr: ${fmt(x.ratio)}`).join('; '));
}
target('`assay --validate-config` on config/data_sources.yml < 50 ms', validateMs < 50, `median ${fmt(validateMs, 1)} ms of ${opts.validateRuns}`);

const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const md = [];
md.push(`# End-to-end benchmark: Assay vs DuckDB`, '');
md.push(`Written by \`node bench/run.mjs\` (\`make bench\`) on ${now}. Method: [bench/README.md](../README.md), [docs/performance.md](../../docs/performance.md).`, '');
md.push(`**Machine:** ${mach.nproc} cores (${mach.cpu}), ${mach.memGiB} GiB RAM, ${mach.os}, ${mach.kernel}, Node ${mach.node}. ` +
  `**DuckDB** ${mach.duckdb} (npm @duckdb/node-api). **Assay** ${mach.assay} (${mach.buildType}, binary built ${mach.assayBuilt}; HEAD ${mach.commit}).`, '');
md.push(`**Run:** \`--sizes ${opts.sizes.join(',')} --runs ${opts.runs} --formats ${opts.formats.join(',')} --threads ${opts.threads.join(',')} --seed ${opts.seed}\`, ` +
  `as-of ${opts.asOf}. Medians of ${opts.runs} whole-process runs per cell, the two tools alternating; input in the page cache.`, '');
md.push('## Classification check', '', 'Rows per tier, same input, before any timing:', '');
md.push('| input | rows | Assay gold / silver / bronze / rejected | DuckDB gold / silver / bronze / rejected | |', '|---|---:|---|---|---|');
for (const v of verification) {
  const t = (x) => TIERS.map((k) => fmtInt(x[k] ?? 0)).join(' / ');
  md.push(`| ${v.format} | ${fmtInt(v.rows)} | ${t(v.assay)} | ${t(v.duckdb)} | ${v.ok ? 'equal' : '**differ**'} |`);
}
md.push('', '## Timings', '');
md.push('| format | rows | input MB | threads | tool | wall s (median) | rows/s | MB/s | peak RSS MiB | Assay/DuckDB throughput |');
md.push('|---|---:|---:|---:|---|---:|---:|---:|---:|---:|');
for (const inp of inputs) for (const threads of opts.threads) {
  const a = find('assay', inp.format, inp.rows, threads), d = find('duckdb', inp.format, inp.rows, threads);
  for (const r of [a, d]) {
    md.push(`| ${r.format} | ${fmtInt(r.rows)} | ${fmt(r.bytes / 1e6, 0)} | ${threads} | ${r.tool === 'assay' ? 'Assay' : 'DuckDB'} | ${fmt(r.wallSeconds)} | ` +
      `${fmtInt(r.rowsPerSecond)} | ${fmt(r.mbPerSecond, 1)} | ${fmt(r.rssMiB, 0)} | ${r.tool === 'assay' ? `**${fmt(d.wallSeconds / a.wallSeconds)}×**` : ''} |`);
  }
}
md.push('', `\`assay --validate-config\` on config/data_sources.yml: median ${fmt(validateMs, 1)} ms of ${opts.validateRuns} runs.`);
md.push('', '## Targets (issue 4)', '', '| target | verdict | detail |', '|---|---|---|');
for (const t of targets) md.push(`| ${t.name} | ${t.met ? 'met' : '**missed**'} | ${t.detail} |`);
md.push('');
const text = md.join('\n');

mkdirSync(opts.resultsDir, { recursive: true });
writeFileSync(join(opts.resultsDir, 'results.md'), text);
writeFileSync(join(opts.resultsDir, 'results.json'), JSON.stringify({
  date: now, machine: mach, options: { ...opts, resultsDir: undefined }, verification, results, validateConfigMs: validateMs, validateSamplesSeconds: validateSamples, targets,
}, null, 1) + '\n');
console.log('\n' + text);
console.log(`written: ${join(opts.resultsDir, 'results.md')}, results.json`);
rmSync(outRoot, { recursive: true, force: true });
