#pragma once

#include <cstdint>

#include "config/config.h"
#include "core/result.h"
#include "events/state_store.h"
#include "pipeline/pipeline.h"
#include "pipeline/run_context.h"
#include "schema/registry.h"
#include "schema/schema_detector.h"

namespace assay::pipeline {

/// Feeds `detector` the first `source.schema_sample_rows` rows of the source's files that are
/// not ingested yet (by path, size and mtime in the state store; every file with `reprocess`),
/// in glob order, every field each file has: a CSV file's header columns, the top-level keys
/// of JSON records. Unparseable rows are left out (the detector skips them). kNotFound when the
/// glob matches nothing.
Status SampleSource(const config::SourceConfig& source, const config::PipelineConfig& pipeline,
                    events::StateStore& store, bool reprocess, schema::SchemaDetector& detector);

/// Resolves the schema of a `schema: auto` source at the start of a run (docs/schema-registry.md,
/// "Schema detection"), before it reads anything:
/// - no live version of the subject (the source name) yet: the sample's schema is registered as
///   version 1, the subject gets the lenient JSON Schema policy unless it has a policy of its
///   own, and `schema.detected` is published;
/// - else the latest version is kept if the sample fits it, or widened (WidenJsonSchema) and
///   registered as a new version when the subject's compatibility allows it; when it does not,
///   a kFailedPrecondition error names the subject, the level and the offending fields.
/// Sets `source.schema`, `schema_text`, `subject` and `subject_version`, and writes the schema in
/// force to `<state_dir>/schemas/<source>.json`. Returns false when there is nothing to grade
/// (no version yet and no rows to detect one from).
Result<bool> ResolveDetectedSchema(const RunContext& run, schema::SchemaRegistry& registry,
                                   events::StateStore& store, PreparedSource& source);

}  // namespace assay::pipeline
