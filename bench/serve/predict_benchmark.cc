// The predict engine against XGBoost's own predict on the same float matrix and thread count:
// one row (the /score path) and batches of 10,000 and 100,000 rows (the /score/batch and
// `leadscore score` paths). Items per second are rows per second. XGBoost's figures include
// building its DMatrix from the array, which every caller of its C API has to do.
//
// Usage: predict_benchmark --model ml/lead_scoring_model.json [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "common/whole_file.h"
#include "datagen/random.h"
#include "model/lead_model.h"
#include "model/xgboost_adapter.h"

namespace leadscore {
namespace {

struct Fixture {
  std::shared_ptr<const LeadModel> model;
  xgb::Booster booster;
  std::vector<float> matrix;  // kRows random leads, encoded
};

constexpr size_t kRows = 100'000;
Fixture* fixture = nullptr;  // set once in main() before any benchmark runs

// Random leads in the ranges the data has, through the model's own encoder.
std::vector<float> RandomMatrix(const LeadModel& model) {
  Random rng(42, 0);
  const FeatureEncoder& encoder = model.encoder();
  const FeatureSpec& spec = model.spec();
  std::vector<float> matrix(kRows * encoder.width());
  LeadValues values(spec.features.size(), 0.0);
  for (size_t row = 0; row < kRows; ++row) {
    for (size_t f = 0; f < spec.features.size(); ++f) {
      const Feature& feature = spec.features[f];
      switch (feature.type) {
        case FeatureType::kCount:
          values[f] = static_cast<double>(rng.UniformInt(0, 40));
          break;
        case FeatureType::kFlag:
          values[f] = rng.Bernoulli(0.5) ? 1.0 : 0.0;
          break;
        case FeatureType::kCategory:
          values[f] = static_cast<double>(
              rng.UniformInt(0, static_cast<int64_t>(feature.values.size()) - 1));
          break;
      }
    }
    encoder.Encode(values,
                   std::span<float>(matrix).subspan(row * encoder.width(), encoder.width()));
  }
  return matrix;
}

void EngineOneRow(benchmark::State& state) {
  const size_t width = fixture->model->encoder().width();
  size_t row = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(fixture->model->PredictRawRow(
        std::span<const float>(fixture->matrix).subspan(row * width, width)));
    row = (row + 1) % kRows;
  }
  state.SetItemsProcessed(state.iterations());
}

void XgboostOneRow(benchmark::State& state) {
  const size_t width = fixture->model->encoder().width();
  size_t row = 0;
  for (auto _ : state) {
    auto matrix = xgb::DMatrix::FromDense(
        std::span<const float>(fixture->matrix).subspan(row * width, width), 1, width);
    benchmark::DoNotOptimize(
        fixture->booster.Predict(matrix.value(), xgb::PredictKind::kProbability));
    row = (row + 1) % kRows;
  }
  state.SetItemsProcessed(state.iterations());
}

void EngineBatch(benchmark::State& state) {
  const auto rows = static_cast<size_t>(state.range(0));
  const int threads = static_cast<int>(state.range(1));
  const size_t width = fixture->model->encoder().width();
  std::vector<double> out(rows);
  for (auto _ : state) {
    fixture->model->evaluator().PredictProbabilities(
        std::span<const float>(fixture->matrix).first(rows * width), rows, out, threads);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
}

void XgboostBatch(benchmark::State& state) {
  const auto rows = static_cast<size_t>(state.range(0));
  const auto threads = state.range(1);
  const size_t width = fixture->model->encoder().width();
  if (!fixture->booster.SetParam("nthread", std::to_string(threads)).ok()) {
    state.SkipWithError("cannot set nthread");
    return;
  }
  for (auto _ : state) {
    auto matrix = xgb::DMatrix::FromDense(
        std::span<const float>(fixture->matrix).first(rows * width), rows, width);
    benchmark::DoNotOptimize(
        fixture->booster.Predict(matrix.value(), xgb::PredictKind::kProbability));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(rows));
}

BENCHMARK(EngineOneRow);
BENCHMARK(XgboostOneRow);
BENCHMARK(EngineBatch)->ArgNames({"rows", "threads"})->ArgsProduct({{10'000, 100'000}, {1, 2}});
BENCHMARK(XgboostBatch)->ArgNames({"rows", "threads"})->ArgsProduct({{10'000, 100'000}, {1, 2}});

}  // namespace
}  // namespace leadscore

int main(int argc, char** argv) {
  std::string model_path = "ml/lead_scoring_model.json";
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
      model_path = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  constexpr const char* kRemedy = "\nTo fix: train one with scripts/run, or pass --model FILE\n";
  auto text = leadscore::ReadWholeFile(model_path);
  if (!text.ok()) {
    std::cerr << "error: " << text.status().message() << kRemedy;
    return 1;
  }
  auto model = leadscore::LeadModel::FromJson(text.value());
  if (!model.ok()) {
    std::cerr << "error: " << model_path << ": " << model.status().message() << kRemedy;
    return 1;
  }
  auto booster = leadscore::xgb::Booster::FromJson(text.value());
  if (!booster.ok()) {
    std::cerr << "error: " << booster.status().message() << "\n";
    return 1;
  }
  leadscore::Fixture fixture{model.value(), std::move(booster).value(), {}};
  fixture.matrix = leadscore::RandomMatrix(*fixture.model);
  leadscore::fixture = &fixture;

  int rest_count = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_count, rest.data());
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
