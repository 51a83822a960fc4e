// Assay's classification (DESIGN.md §3, docs/quality-rules.md) written as ONE DuckDB statement,
// for the end-to-end comparison of bench/run.mjs.
//
// The statement is generated from the same files Assay reads: the JSON schema
// (bench/schemas/bench_orders.json) gives the field checks, the config (bench/config/bench.yml)
// gives the SQL rules, which run in DuckDB as written with now() replaced by the --as-of time.
// It reads the input file as text (CSV: every column VARCHAR; NDJSON: every field as its JSON
// value, so the JSON kind can be checked as Assay's typer does), applies every check with
// Assay's three-valued outcome (TRUE pass, FALSE fail, NULL not applicable), computes the
// dimension scores, the score and the tier, and writes the graded rows with
//   COPY (...) TO dir (FORMAT parquet, PARTITION_BY (_tier), COMPRESSION zstd).
//
// What each field check means, from src/schema/typer.cc, src/core/value_parse.cc and
// src/quality/field_checks.cc:
//   required  the value is not null                                  (never not-applicable)
//   type      the text / JSON kind is of the type; NULL when the value is null
//   others    on the typed value; NULL (n/a) when null or mistyped
// A mistyped value is NULL in the typed columns and in rules.

import { readFileSync } from 'node:fs';

/** Quality dimensions in Assay's order (src/schema/check.h): the score sums them in this order. */
export const DIMENSIONS = ['completeness', 'accuracy', 'timeliness', 'schema', 'consistency'];

const sqlString = (s) => `'${String(s).replaceAll("'", "''")}'`;
const ident = (s) => `"${String(s).replaceAll('"', '""')}"`;

// Text rules of src/core/value_parse.cc as RE2 full matches (DuckDB's regexp_full_match is RE2).
const INTEGER_RE = '[+-]?[0-9]+';
const NUMBER_RE = '[+-]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?';
// Hours 00-23, minutes 00-59, seconds 00-60 (a leap second), offset up to 23:59.
const TIMESTAMP_RE =
  '[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])';
const DATE_RE = '[0-9]{4}-[0-9]{2}-[0-9]{2}';
// IsEmail of src/schema/typer.cc: one '@' with text on both sides, no byte <= ' ', and a domain
// whose last '.' is neither its first nor its last character, without '..'.
const EMAIL_RE = '[^@\\x00-\\x20]+@[^@\\x00-\\x20]+\\.[^@.\\x00-\\x20]+';
const UUID_RE = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const IPV4_RE =
  '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])){3}';

/** Reads the fields and checks of a schema, in Assay's check order (docs/quality-rules.md). */
export function loadSchema(path) {
  const doc = JSON.parse(readFileSync(path, 'utf8'));
  const required = new Set(doc.required ?? []);
  const fields = [];
  for (const [name, p] of Object.entries(doc.properties)) {
    let type = p.type ?? (p.format ? 'string' : 'any');
    let nullable = false;
    if (Array.isArray(type)) {
      nullable = type.includes('null');
      type = type.find((t) => t !== 'null');
    }
    let kind = type; // string | integer | number | boolean | timestamp | date | any
    if (type === 'string' && p.format === 'date-time') kind = 'timestamp';
    if (type === 'string' && p.format === 'date') kind = 'date';
    const format = kind === 'string' ? (p.format ?? null) : null;
    const sev = p['x-severity'];
    const severity = (kw) => (typeof sev === 'string' ? sev : (sev?.[kw] ?? 'error'));
    const checks = [];
    const add = (kw, dimension, extra = {}) =>
      checks.push({ name: `${name}.${kw}`, keyword: kw, dimension, severity: severity(kw), ...extra });
    if (required.has(name) && !nullable) add('required', 'completeness');
    if (kind !== 'any') add('type', 'schema');
    if (p.pattern !== undefined) add('pattern', 'accuracy', { pattern: p.pattern });
    if (p.enum !== undefined) add('enum', 'accuracy', { values: p.enum });
    if (p.const !== undefined) add('const', 'accuracy', { values: [p.const] });
    for (const kw of ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum']) {
      if (p[kw] !== undefined) add(kw, 'accuracy', { bound: p[kw] });
    }
    for (const kw of ['minLength', 'maxLength']) {
      if (p[kw] !== undefined) add(kw, 'accuracy', { length: p[kw] });
    }
    fields.push({ name, kind, format, checks });
  }
  return fields;
}

/**
 * Reads the rules of the first source of an Assay config. Only the shape bench/config/bench.yml
 * uses is understood: a `rules:` list of maps with one-line `name`, `dimension`, `severity` and
 * `expr` values.
 */
export function loadRules(path) {
  const rules = [];
  let inRules = false;
  let indent = -1;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (/^\s*#/.test(line) || line.trim() === '') continue;
    const lead = line.length - line.trimStart().length;
    if (/^\s*rules:\s*$/.test(line)) {
      inRules = true;
      indent = lead;
      continue;
    }
    if (!inRules) continue;
    if (lead <= indent) break;
    const m = /^\s*(-\s+)?(name|dimension|severity|expr):\s*(.*)$/.exec(line);
    if (!m) throw new Error(`${path}: cannot read rule line: ${line}`);
    if (m[1]) rules.push({ dimension: 'consistency', severity: 'error' });
    let value = m[3].trim();
    if (value.startsWith('"')) value = JSON.parse(value);
    else if (value.startsWith("'")) value = value.slice(1, -1).replaceAll("''", "'");
    rules.at(-1)[m[2]] = value;
  }
  return rules;
}

// Per field, from the input relation `src`: the raw cell, whether it is null, and its typed value
// (NULL when null or mistyped).
function typedColumns(field, format) {
  const f = ident(field.name);
  const rawName = ident(`raw_${field.name}`);
  if (format === 'csv') {
    // Every cell is text; an unquoted empty field is already NULL.
    const t = rawName;
    let value;
    switch (field.kind) {
      case 'any':
      case 'string': {
        const fmt = { email: EMAIL_RE, uuid: UUID_RE, ipv4: IPV4_RE }[field.format];
        value = fmt ? emailAware(field, t, fmt) : t;
        break;
      }
      case 'integer':
        value = `CASE WHEN regexp_full_match(${t}, ${sqlString(INTEGER_RE)}) THEN TRY_CAST(${t} AS BIGINT) END`;
        break;
      case 'number':
        value = `CASE WHEN regexp_full_match(${t}, ${sqlString(NUMBER_RE)}) THEN nullif_nonfinite(TRY_CAST(${t} AS DOUBLE)) END`;
        break;
      case 'boolean':
        value = `CASE lower(${t}) WHEN 'true' THEN TRUE WHEN 'false' THEN FALSE END`;
        break;
      case 'timestamp':
        value = `CASE WHEN regexp_full_match(${t}, ${sqlString(TIMESTAMP_RE)}) THEN ${timestampCast(t)} END`;
        break;
      case 'date':
        value = `CASE WHEN regexp_full_match(${t}, ${sqlString(DATE_RE)}) THEN TRY_CAST(${t} AS DATE) END`;
        break;
      default:
        throw new Error(`unknown kind ${field.kind}`);
    }
    return { raw: `${f} AS ${rawName}`, isNull: `${rawName} IS NULL`, value };
  }
  // NDJSON: the JSON value of the key; an absent key and JSON null are both null. The JSON kind
  // decides the type check: a string is never a number, a number never a string.
  const j = rawName; // the JSON value, SQL NULL for an absent key or JSON null
  const jt = `json_type(${j})`;
  const str = `json_extract_string(${j}, '$')`;
  let value;
  switch (field.kind) {
    case 'any':
      value = `CASE WHEN ${jt} = 'VARCHAR' THEN ${str} ELSE ${j}::VARCHAR END`;
      break;
    case 'string': {
      const fmt = { email: EMAIL_RE, uuid: UUID_RE, ipv4: IPV4_RE }[field.format];
      value = `CASE WHEN ${jt} = 'VARCHAR' THEN ${str} END`;
      if (fmt) value = emailAware(field, `(${value})`, fmt);
      break;
    }
    case 'integer':
      // yyjson reads a literal of digits as UBIGINT (>= 0) or BIGINT (< 0) and anything with a
      // fraction or exponent (`12.0`, `1e2`) as DOUBLE; the TRY_CAST keeps 64-bit signed range.
      // That is Assay's integer rule: the literal's text must be integer text.
      value = `CASE WHEN ${jt} IN ('BIGINT', 'UBIGINT') THEN TRY_CAST(${j} AS BIGINT) END`;
      break;
    case 'number':
      value = `CASE WHEN ${jt} IN ('BIGINT', 'UBIGINT', 'DOUBLE') THEN nullif_nonfinite(${j}::DOUBLE) END`;
      break;
    case 'boolean':
      value = `CASE WHEN ${jt} = 'BOOLEAN' THEN ${j}::BOOLEAN END`;
      break;
    case 'timestamp':
      value = `CASE WHEN ${jt} = 'VARCHAR' AND regexp_full_match(${str}, ${sqlString(TIMESTAMP_RE)}) THEN ${timestampCast(str)} END`;
      break;
    case 'date':
      value = `CASE WHEN ${jt} = 'VARCHAR' AND regexp_full_match(${str}, ${sqlString(DATE_RE)}) THEN TRY_CAST(${str} AS DATE) END`;
      break;
    default:
      throw new Error(`unknown kind ${field.kind}`);
  }
  return {
    raw: `CASE WHEN json_type(${f}) = 'NULL' THEN NULL ELSE ${f} END AS ${rawName}`,
    isNull: `${rawName} IS NULL`,
    value,
  };
}

// An RFC 3339 text already matched by TIMESTAMP_RE as a TIMESTAMPTZ. DuckDB's cast wants upper
// case 'T' / 'Z' and no leap second; Assay folds second 60 onto the next second.
function timestampCast(t) {
  return `CASE WHEN substr(${t}, 18, 2) = '60' ` +
    `THEN TRY_CAST(upper(substr(${t}, 1, 17) || '59' || substr(${t}, 20)) AS TIMESTAMPTZ) + INTERVAL 1 SECOND ` +
    `ELSE TRY_CAST(upper(${t}) AS TIMESTAMPTZ) END`;
}

// A string with a format: the value when it matches (and, for email, has no '..' in its domain).
function emailAware(field, t, re) {
  const extra = field.format === 'email' ? ` AND NOT contains(split_part(${t}, '@', 2), '..')` : '';
  return `CASE WHEN regexp_full_match(${t}, ${sqlString(re)})${extra} THEN ${t} END`;
}

function literal(v) {
  return typeof v === 'string' ? sqlString(v) : typeof v === 'boolean' ? String(v) : String(v);
}

// One check's outcome: TRUE pass, FALSE fail, NULL not applicable.
function checkExpr(field, check) {
  const v = ident(field.name); // the typed value
  const raw = ident(`raw_${field.name}`);
  switch (check.keyword) {
    case 'required': return `${raw} IS NOT NULL`;
    case 'type': return `CASE WHEN ${raw} IS NULL THEN NULL ELSE ${v} IS NOT NULL END`;
    case 'pattern': return `regexp_full_match(${v}, ${sqlString(check.pattern)})`;
    case 'enum':
    case 'const': {
      const values = check.values.map((x) =>
        field.kind === 'timestamp' ? `TIMESTAMPTZ ${sqlString(x)}` : field.kind === 'date' ? `DATE ${sqlString(x)}` : literal(x));
      return `${v} IN (${values.join(', ')})`;
    }
    case 'minimum': return `${v} >= ${check.bound}`;
    case 'maximum': return `${v} <= ${check.bound}`;
    case 'exclusiveMinimum': return `${v} > ${check.bound}`;
    case 'exclusiveMaximum': return `${v} < ${check.bound}`;
    case 'minLength': return `length(${v}) >= ${check.length}`;
    case 'maxLength': return `length(${v}) <= ${check.length}`;
    default: throw new Error(`unknown keyword ${check.keyword}`);
  }
}

// now() is the run's reference time; current_timestamp / current_date likewise.
function ruleExpr(expr, asOfLiteral) {
  return expr
    .replace(/\bnow\s*\(\s*\)/gi, asOfLiteral)
    .replace(/\bcurrent_timestamp\b/gi, asOfLiteral)
    .replace(/\bcurrent_date\b/gi, `CAST(${asOfLiteral} AS DATE)`);
}

/**
 * The whole classification as one COPY statement.
 * @param {object} o
 * @param {string} o.input    input file
 * @param {'csv'|'ndjson'} o.format
 * @param {string} o.outDir   COPY target directory (PARTITION_BY _tier makes _tier=<tier>/...)
 * @param {string} o.asOf     RFC 3339 reference time
 * @param {string} o.schema   JSON schema path
 * @param {string} o.config   Assay config path (its rules are used)
 * @param {number} [o.goldMin=0.95]
 * @param {number} [o.silverMin=0.80]
 */
export function buildClassifySql(o) {
  const fields = loadSchema(o.schema);
  const rules = loadRules(o.config);
  const asOf = `TIMESTAMPTZ ${sqlString(o.asOf)}`;
  const goldMin = o.goldMin ?? 0.95;
  const silverMin = o.silverMin ?? 0.8;

  let source;
  if (o.format === 'csv') {
    const cols = fields.map((f) => `${sqlString(f.name)}: 'VARCHAR'`).join(', ');
    // Quoted "" is the empty string, not null (allow_quoted_nulls=false), as in Assay.
    source = `read_csv(${sqlString(o.input)}, header = true, auto_detect = false, delim = ',', ` +
      `quote = '"', escape = '"', nullstr = '', allow_quoted_nulls = false, columns = {${cols}})`;
  } else {
    const cols = fields.map((f) => `${sqlString(f.name)}: 'JSON'`).join(', ');
    source = `read_json(${sqlString(o.input)}, format = 'newline_delimited', records = true, ` +
      `columns = {${cols}})`;
  }

  const typed = fields.map((f) => typedColumns(f, o.format));
  const checks = [];
  for (const f of fields) for (const c of f.checks) checks.push({ ...c, expr: checkExpr(f, c) });
  for (const r of rules) {
    checks.push({ name: r.name, dimension: r.dimension, severity: r.severity, expr: `(${ruleExpr(r.expr, asOf)})` });
  }
  const k = (i) => ident(`k${i}`);

  const dimCols = DIMENSIONS.map((d) => {
    const idx = checks.map((c, i) => (c.dimension === d ? i : -1)).filter((i) => i >= 0);
    if (idx.length === 0) return { d, score: null };
    const applicable = idx.map((i) => `(${k(i)} IS NOT NULL)::INTEGER`).join(' + ');
    const passed = idx.map((i) => `(${k(i)} IS TRUE)::INTEGER`).join(' + ');
    return { d, applicable, passed };
  }).filter((x) => x.applicable);

  const failedWith = (sev) => {
    const idx = checks.map((c, i) => (c.severity === sev ? i : -1)).filter((i) => i >= 0);
    return idx.length ? idx.map((i) => `${k(i)} IS FALSE`).join(' OR ') : 'FALSE';
  };

  // Score: the dimension scores summed in Assay's order, divided by how many apply (so the
  // floating-point result is the same double); no applicable check at all scores 1.
  const dimScores = dimCols.map((x) => `CASE WHEN a_${x.d} > 0 THEN p_${x.d}::DOUBLE / a_${x.d} ELSE 0 END`);
  const dimCount = dimCols.map((x) => `(a_${x.d} > 0)::INTEGER`).join(' + ');
  const score = `CASE WHEN (${dimCount}) = 0 THEN 1.0 ELSE (0.0 + ${dimScores.join(' + ')}) / (${dimCount}) END`;

  const fieldList = fields.map((f) => ident(f.name)).join(', ');
  return `COPY (
WITH src AS (
  SELECT * FROM ${source}
), typed AS (
  SELECT ${typed.map((t) => t.raw).join(',\n         ')}
  FROM src
), typed2 AS (
  SELECT *, ${fields.map((f, i) => `${typed[i].value} AS ${ident(f.name)}`).join(',\n         ')}
  FROM typed
), checked AS (
  SELECT ${fieldList},
         ${checks.map((c, i) => `${c.expr} AS ${k(i)}`).join(',\n         ')}
  FROM typed2
), counted AS (
  SELECT *,
         ${dimCols.map((x) => `${x.applicable} AS a_${x.d}, ${x.passed} AS p_${x.d}`).join(',\n         ')},
         (${failedWith('critical')}) AS critical_failed,
         (${failedWith('error')}) AS error_failed,
         concat_ws(',', ${checks.map((c, i) => `CASE WHEN ${k(i)} IS FALSE THEN ${sqlString(c.name)} END`).join(', ')}) AS _failed
  FROM checked
), scored AS (
  SELECT *, ${score} AS _score FROM counted
)
SELECT ${fieldList}, _score,
       CASE WHEN critical_failed THEN 'rejected'
            WHEN NOT error_failed AND _score >= ${goldMin} - 1e-9 THEN 'gold'
            WHEN _score >= ${silverMin} - 1e-9 THEN 'silver'
            ELSE 'bronze' END AS _tier,
       _failed
FROM scored
) TO ${sqlString(o.outDir)} (FORMAT parquet, PARTITION_BY (_tier), COMPRESSION zstd, OVERWRITE_OR_IGNORE)`;
}

/** Statements to run before the COPY: UTC session, and the finite-double helper. */
export function setupSql(threads) {
  return [
    "SET TimeZone = 'UTC'",
    ...(threads > 0 ? [`SET threads = ${threads}`] : []),
    // Assay's number type check wants a finite double (no inf / nan).
    'CREATE OR REPLACE TEMP MACRO nullif_nonfinite(x) AS CASE WHEN isfinite(x) THEN x END',
  ];
}
