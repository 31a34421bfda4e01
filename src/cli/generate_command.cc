#include <spdlog/spdlog.h>

#include <chrono>
#include <memory>

#include "cli/commands.h"
#include "datagen/generator.h"

namespace leadscore::cli {

void RegisterGenerate(CLI::App& app, Status* result) {
  struct Flags {
    GenerateOptions options;
    std::string source = "synthetic";
    std::string out_dir = "data/raw";
    std::string olist_dir = "data/olist";
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* cmd = app.add_subcommand(
      "generate",
      "Write raw source tables (GA4 sessions, CRM contacts and deals, truth) as CSV.\n"
      "The data story and its formulas: docs/data.md; the file formats: docs/raw-data.md.");
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
  cmd->add_option("--olist-dir", flags->olist_dir, "Folder with the Olist marketing funnel CSVs")
      ->envname("LEADSCORE_OLIST_DIR")
      ->capture_default_str();
  cmd->callback([flags, result] {
    auto source = ParseDataSource(flags->source);
    if (!source.ok()) {
      *result = source.status();
      return;
    }
    GenerateOptions options = flags->options;
    options.source = source.value();
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
        "wrote {}: {} leads ({} won, {:.1f}%), {} visitors, {} sessions, {} deals in {:.2f} s",
        options.out_dir.string(), s.leads, s.won, 100.0 * s.won / s.leads, s.visitors, s.sessions,
        s.deals, seconds);
    *result = Status::Ok();
  });
}

}  // namespace leadscore::cli
