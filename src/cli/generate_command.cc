#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "common/civil_time.h"
#include "datagen/generator.h"

namespace leadscore::cli {

void RegisterGenerate(CLI::App& app, Status* result) {
  struct Flags {
    GenerateOptions options;
    std::string source = "synthetic";
    std::string format = "jsonl.gz";
    std::string out_dir = "data/raw";
    std::string olist_dir = "data/olist";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write the raw layer as the real tools export it: GA4 BigQuery export events\n"
      "(OUT/ga4/events_YYYYMMDD.jsonl.gz or .parquet), HubSpot CRM v3 contacts and deals\n"
      "(OUT/hubspot/*.jsonl) and OUT/truth.csv, as of the export time (synthetic: the end\n"
      "of the one-year window; olist: the latest moment in the data).\n"
      "Formats: docs/sources.md; the data story and its formulas: docs/data.md.");
  cmd->add_option("--rows", flags->options.rows, "Number of leads (contacts) to generate")
      ->envname("LEADSCORE_ROWS")
      ->capture_default_str();
  cmd->add_option("--seed", flags->options.seed, "Random seed; the same seed gives identical files")
      ->envname("LEADSCORE_SEED")
      ->capture_default_str();
  cmd->add_option("--out", flags->out_dir, "Output directory")
      ->envname("LEADSCORE_RAW_DIR")
      ->capture_default_str();
  cmd->add_option("--source", flags->source,
                  "synthetic: the data story; olist: the real Olist leads and outcomes "
                  "with synthetic sessions (--rows caps the lead count)")
      ->capture_default_str();
  cmd->add_option("--format", flags->format,
                  "GA4 event files: jsonl.gz (events_YYYYMMDD.jsonl.gz, as bq extract writes\n"
                  "NEWLINE_DELIMITED_JSON with GZIP) or parquet (events_YYYYMMDD.parquet, as\n"
                  "bq extract writes PARQUET; ~2.5x smaller, faster to load)")
      ->capture_default_str();
  cmd->add_option("--gzip-level", flags->options.gzip_level,
                  "zlib level of the GA4 event files (parquet: of their pages): 1 fastest .. 9 "
                  "smallest")
      ->capture_default_str();
  cmd->add_option("--olist-dir", flags->olist_dir, "Folder with the Olist marketing funnel CSVs")
      ->envname("LEADSCORE_OLIST_DIR")
      ->capture_default_str();
  cmd->callback([flags, result] {
    auto source = ParseDataSource(flags->source);
    if (!source.ok()) {
      *result = source.status();
      return;
    }
    auto format = ParseGa4FileFormat(flags->format);
    if (!format.ok()) {
      *result = format.status();
      return;
    }
    GenerateOptions options = flags->options;
    options.source = source.value();
    options.format = format.value();
    options.out_dir = flags->out_dir;
    options.olist_dir = flags->olist_dir;
    const auto started = std::chrono::steady_clock::now();
    auto summary = Generate(options);
    if (!summary.ok()) {
      *result = summary.status();
      return;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const GenerateSummary& s = summary.value();
    spdlog::info(
        "wrote {} as of {}: {} leads ({} won, {:.1f}%), {} visitors, {} sessions, {} GA4 events "
        "({} duplicate rows) in {} daily files, {} deals ({} still open at as-of) in {:.2f} s",
        options.out_dir.string(), FormatTimestamp(s.as_of), s.leads, s.won, 100.0 * s.won / s.leads,
        s.visitors, s.sessions, s.events, s.duplicates, s.event_files, s.deals, s.censored,
        seconds);
    if (s.stale_removed > 0) {
      spdlog::info("removed {} file(s) of an earlier run (older ga4/events_* or retired CSVs)",
                   s.stale_removed);
    }
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
