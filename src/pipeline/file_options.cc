#include "pipeline/file_options.h"

namespace assay::pipeline {

sources::FileSourceOptions FileOptionsFor(const config::SourceConfig& source,
                                          const config::PipelineConfig& pipeline,
                                          std::vector<std::string> fields) {
  sources::FileSourceOptions fo;
  fo.path = source.path;
  fo.format = source.format;
  fo.compression = source.compression == "gzip"   ? sources::Compression::kGzip
                   : source.compression == "zstd" ? sources::Compression::kZstd
                   : source.compression == "none" ? sources::Compression::kNone
                                                  : sources::Compression::kAuto;
  fo.csv.header = source.csv.header;
  fo.csv.delimiter = source.csv.delimiter;
  fo.csv.quote = source.csv.quote;
  fo.csv.null_values = source.csv.null_values;
  fo.csv.column_names = source.csv.column_names;
  fo.csv.batch_max_bytes = pipeline.batch_max_bytes;
  fo.json.batch_max_bytes = pipeline.batch_max_bytes;
  fo.fields = std::move(fields);
  // Without a header, columns are the schema's properties in order unless named explicitly.
  if (!fo.csv.header && fo.csv.column_names.empty()) fo.csv.column_names = fo.fields;
  return fo;
}

}  // namespace assay::pipeline
