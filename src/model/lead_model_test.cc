#include "model/lead_model.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "datagen/random.h"
#include "tests/file_text.h"
#include "tests/learnable_leads.h"
#include "tests/small_model.h"

namespace leadscore {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kRows = 2000;

FeatureTable MakeTable(size_t rows, uint64_t seed) { return MakeLearnableLeads(rows, seed).table; }

const FeatureTable& Table() {
  static const FeatureTable table = MakeTable(kRows, 11);
  return table;
}

std::vector<size_t> AllRows() {
  std::vector<size_t> rows(kRows);
  for (size_t i = 0; i < kRows; ++i) rows[i] = i;
  return rows;
}

std::vector<float> Encoded(const FeatureEncoder& encoder) {
  return encoder.EncodeTableRows(Table(), AllRows());
}

ModelMetadata Metadata(const std::string& set) {
  ModelMetadata metadata;
  metadata.model_version = "v3";
  metadata.feature_set = set;
  metadata.threshold = 0.75;
  metadata.trained_at = "2024-05-01T12:00:00Z";
  metadata.data_hash = "sha256:0123abcd";
  metadata.metrics = {{"auc", 0.8123456789012345}, {"logloss", 0.4}, {"test_rows", 400}};
  metadata.params = {
      {"max_depth", "3"}, {"learning_rate", "0.1"}, {"objective", "binary:logistic"}};
  metadata.reliability = {{0.0, 0.5, 300, 0.1234567890123, 0.11}, {0.5, 1.0, 100, 0.75, 2.0 / 3}};
  std::vector<double> scores;
  for (size_t i = 0; i < kRows; ++i) scores.push_back(static_cast<double>(i) / kRows / 3.0);
  metadata.drift_reference = BuildDriftReference(Table(), AllRows(), scores);
  return metadata;
}

// Far from the identity, so a Score that forgot to calibrate is caught.
Calibration StepCalibration() {
  return Calibration::FitIsotonic(std::vector<double>{0.1, 0.2, 0.3, 0.4, 0.5},
                                  std::vector<int>{0, 0, 1, 1, 1});
}

std::shared_ptr<const LeadModel> Assembled(const std::string& set) {
  auto model = LeadModel::Assemble(TrainSmallBooster(Table(), set), FeatureSpec::Builtin(),
                                   Metadata(set), StepCalibration());
  EXPECT_TRUE(model.ok()) << model.status().message();
  return std::move(model).value();
}

std::vector<double> Raw(const LeadModel& model) {
  auto raw = model.PredictRaw(Encoded(model.encoder()), kRows);
  EXPECT_TRUE(raw.ok()) << raw.status().message();
  return raw.ok() ? raw.value() : std::vector<double>();
}

std::string ModelJson(const LeadModel& model) {
  auto text = model.ToJson();
  EXPECT_TRUE(text.ok()) << text.status().message();
  return text.ok() ? text.value() : std::string();
}

void ExpectSameMetadata(const ModelMetadata& actual, const ModelMetadata& expected) {
  EXPECT_EQ(actual.model_version, expected.model_version);
  EXPECT_EQ(actual.feature_set, expected.feature_set);
  EXPECT_EQ(actual.threshold, expected.threshold);
  EXPECT_EQ(actual.trained_at, expected.trained_at);
  EXPECT_EQ(actual.data_hash, expected.data_hash);
  EXPECT_EQ(actual.metrics, expected.metrics);
  EXPECT_EQ(actual.params, expected.params);
  ASSERT_EQ(actual.reliability.size(), expected.reliability.size());
  for (size_t i = 0; i < actual.reliability.size(); ++i) {
    EXPECT_EQ(actual.reliability[i].lower, expected.reliability[i].lower);
    EXPECT_EQ(actual.reliability[i].upper, expected.reliability[i].upper);
    EXPECT_EQ(actual.reliability[i].count, expected.reliability[i].count);
    EXPECT_EQ(actual.reliability[i].mean_predicted, expected.reliability[i].mean_predicted);
    EXPECT_EQ(actual.reliability[i].observed_rate, expected.reliability[i].observed_rate);
  }
}

TEST(LeadModel, JsonRoundTripKeepsMetadataCalibrationAndPredictions) {
  for (const std::string set : {"base", "base+channel"}) {
    const auto model = Assembled(set);
    auto loaded = LeadModel::FromJson(ModelJson(*model));
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ExpectSameMetadata(loaded.value()->metadata(), Metadata(set));
    EXPECT_EQ(loaded.value()->calibration(), StepCalibration());
    EXPECT_EQ(loaded.value()->encoder().column_names(), model->encoder().column_names());
    EXPECT_EQ(Raw(*loaded.value()), Raw(*model)) << set;
  }
}

TEST(LeadModel, ScoreIsTheCalibratedRawProbability) {
  const auto model = Assembled("base+channel");
  const std::vector<double> raw = Raw(*model);
  auto score = model->Score(Encoded(model->encoder()), kRows);
  ASSERT_TRUE(score.ok()) << score.status().message();
  ASSERT_EQ(score.value().size(), kRows);
  size_t changed = 0;
  for (size_t row = 0; row < kRows; ++row) {
    EXPECT_EQ(score.value()[row], model->calibration().Apply(raw[row])) << "row " << row;
    if (std::fabs(score.value()[row] - raw[row]) > 0.05) ++changed;
  }
  EXPECT_GT(changed, kRows / 2) << "the test calibration should move most scores";
}

// PredictRaw runs on the TreeEvaluator, not XGBoost: it must give XGBoost's numbers exactly.
TEST(LeadModel, PredictRawEqualsTheBoostersOwnPredictions) {
  for (const std::string set : {"base", "base+channel"}) {
    xgb::Booster booster = TrainSmallBooster(Table(), set);
    auto reference = xgb::Booster::FromJson(booster.SaveJson().value());
    ASSERT_TRUE(reference.ok()) << reference.status().message();
    auto model = LeadModel::Assemble(std::move(booster), FeatureSpec::Builtin(), Metadata(set),
                                     StepCalibration());
    ASSERT_TRUE(model.ok()) << model.status().message();
    const std::vector<float> matrix = Encoded(model.value()->encoder());
    auto data = xgb::DMatrix::FromDense(matrix, kRows, model.value()->encoder().width());
    ASSERT_TRUE(data.ok()) << data.status().message();
    auto expected = reference.value().Predict(data.value(), xgb::PredictKind::kProbability);
    ASSERT_TRUE(expected.ok()) << expected.status().message();
    EXPECT_EQ(Raw(*model.value()),
              std::vector<double>(expected.value().begin(), expected.value().end()))
        << set;
  }
}

TEST(LeadModel, OneRowPredictionsEqualTheBatchOnes) {
  const auto model = Assembled("base+channel");
  const std::vector<float> matrix = Encoded(model->encoder());
  const size_t width = model->encoder().width();
  ASSERT_EQ(model->evaluator().num_features(), width);
  const std::vector<double> raw = Raw(*model);
  auto score = model->Score(matrix, kRows);
  ASSERT_TRUE(score.ok()) << score.status().message();
  for (size_t row = 0; row < kRows; ++row) {
    const std::span<const float> encoded(matrix.data() + row * width, width);
    EXPECT_EQ(model->PredictRawRow(encoded), raw[row]) << "row " << row;
    EXPECT_EQ(model->ScoreRow(encoded), score.value()[row]) << "row " << row;
  }
}

TEST(LeadModel, PredictRejectsAMatrixOfTheWrongWidth) {
  const auto model = Assembled("base");
  const std::vector<float> matrix(10 * 5, 0.0f);  // base is 4 wide
  auto raw = model->PredictRaw(matrix, 10);
  ASSERT_FALSE(raw.ok());
  EXPECT_NE(raw.status().message().find("expected 10 x 4"), std::string::npos)
      << raw.status().message();
}

TEST(LeadModel, ContributionsHaveWidthPlusBiasPerRow) {
  const auto model = Assembled("base+channel");
  auto contributions = model->Contributions(Encoded(model->encoder()), kRows);
  ASSERT_TRUE(contributions.ok()) << contributions.status().message();
  EXPECT_EQ(contributions.value().size(), kRows * (model->encoder().width() + 1));
}

TEST(LeadModel, WithVersionChangesOnlyTheVersion) {
  const auto model = Assembled("base+channel");
  auto renamed = model->WithVersion("v4");
  ASSERT_TRUE(renamed.ok()) << renamed.status().message();
  ModelMetadata expected = Metadata("base+channel");
  EXPECT_EQ(model->metadata().model_version, "v3") << "the original is immutable";
  expected.model_version = "v4";
  ExpectSameMetadata(renamed.value()->metadata(), expected);
  EXPECT_EQ(renamed.value()->calibration(), model->calibration());
  EXPECT_EQ(Raw(*renamed.value()), Raw(*model));

  json before = json::parse(ModelJson(*model));
  json after = json::parse(ModelJson(*renamed.value()));
  EXPECT_EQ(after["learner"]["attributes"]["model_version"], "v4");
  after["learner"]["attributes"]["model_version"] = "v3";
  EXPECT_EQ(after, before) << "nothing but model_version may differ";
}

TEST(LeadModel, SavedFileIsXgboostJsonWithLeadscoreAttributes) {
  const auto model = Assembled("base+channel");
  const json doc = json::parse(ModelJson(*model), nullptr, false);
  ASSERT_FALSE(doc.is_discarded());
  ASSERT_TRUE(doc.contains("version")) << "XGBoost's format version";
  ASSERT_TRUE(doc.contains("learner"));
  const json& learner = doc["learner"];
  ASSERT_TRUE(learner.contains("gradient_booster"));
  ASSERT_TRUE(learner.contains("attributes"));
  const json& attributes = learner["attributes"];
  EXPECT_EQ(attributes["model_version"], "v3");
  EXPECT_EQ(attributes["feature_set"], "base+channel");
  EXPECT_EQ(attributes["trained_at"], "2024-05-01T12:00:00Z");
  for (const auto& [key, value] : attributes.items()) {
    EXPECT_TRUE(value.is_string()) << key << ": XGBoost attributes are strings";
  }
  const json spec = json::parse(attributes["feature_spec"].get<std::string>(), nullptr, false);
  EXPECT_FALSE(spec.is_discarded()) << "the stored feature spec is JSON";
  const json metrics = json::parse(attributes["metrics"].get<std::string>(), nullptr, false);
  EXPECT_EQ(metrics["auc"], 0.8123456789012345);
  // Python's xgboost names the columns from learner.feature_names.
  EXPECT_EQ(learner["feature_names"].get<std::vector<std::string>>(),
            model->encoder().column_names());
}

TEST(LeadModel, FromJsonRejectsAPlainXgboostModel) {
  const xgb::Booster booster = TrainSmallBooster(Table(), "base");
  auto model = LeadModel::FromJson(booster.SaveJson().value());
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("was not written by leadscore train"), std::string::npos)
      << model.status().message();
}

TEST(LeadModel, FromJsonRejectsAModelWhoseChannelVocabularyDiffers) {
  const auto model = Assembled("base+channel");
  json doc = json::parse(ModelJson(*model));
  json& attributes = doc["learner"]["attributes"];
  json spec = json::parse(attributes["feature_spec"].get<std::string>());
  bool renamed = false;
  for (json& feature : spec["features"]) {
    if (feature["name"] == "channel") {
      ASSERT_EQ(feature["values"][0], "Direct");
      feature["values"][0] = "Direct Traffic";  // same width, different meaning
      renamed = true;
    }
  }
  ASSERT_TRUE(renamed);
  attributes["feature_spec"] = spec.dump();
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_FALSE(loaded.ok());
  const std::string& message = loaded.status().message();
  EXPECT_NE(message.find("differs from this binary's feature spec"), std::string::npos) << message;
  EXPECT_NE(message.find("channel"), std::string::npos) << message;
}

// A spec that lists the same features in another order (as after a spec change that inserts
// a feature) must not make the model read one feature's column as another's: the tables it
// scores are in this binary's order.
TEST(LeadModel, FromJsonOfASpecInAnotherFeatureOrderScoresLikeTheOriginal) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  json& attributes = doc["learner"]["attributes"];
  json spec = json::parse(attributes["feature_spec"].get<std::string>());
  ASSERT_EQ(spec["features"][0]["name"], "sessions");
  ASSERT_EQ(spec["features"][1]["name"], "engaged_sessions");
  std::swap(spec["features"][0], spec["features"][1]);
  attributes["feature_spec"] = spec.dump();
  auto loaded = LeadModel::FromJson(doc.dump());
  if (!loaded.ok()) {  // refusing the model is fine too
    EXPECT_NE(loaded.status().message().find("differs from this binary's feature spec"),
              std::string::npos)
        << loaded.status().message();
    return;
  }
  EXPECT_EQ(Raw(*loaded.value()), Raw(*model))
      << "the loaded model encodes the table's columns in the stored spec's order";
}

TEST(LeadModel, FromJsonRejectsACorruptCalibration) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  doc["learner"]["attributes"]["calibration"] = R"({"method":"sideways"})";
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("calibration"), std::string::npos)
      << loaded.status().message();
}

TEST(LeadModel, FromJsonLoadsAModelSavedBeforeTheReliabilityAttribute) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  doc["learner"]["attributes"].erase("reliability");
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded.value()->metadata().reliability.empty());
  EXPECT_EQ(Raw(*loaded.value()), Raw(*model));
}

TEST(LeadModel, FromJsonRejectsACorruptReliabilityNamingIt) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  doc["learner"]["attributes"]["reliability"] = R"([{"lower":0,"upper":"half"}])";
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("reliability"), std::string::npos)
      << loaded.status().message();
}

TEST(LeadModel, JsonRoundTripKeepsTheDriftReference) {
  const auto model = Assembled("base");
  const json doc = json::parse(ModelJson(*model));
  const std::string stored = doc["learner"]["attributes"]["drift_reference"];
  EXPECT_EQ(stored, DriftReferenceToJson(*Metadata("base").drift_reference));
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded.value()->metadata().drift_reference.has_value());
  EXPECT_EQ(DriftReferenceToJson(*loaded.value()->metadata().drift_reference), stored);
  EXPECT_TRUE(loaded.value()->metadata().drift_reference_problem.empty());
}

TEST(LeadModel, FromJsonLoadsAModelSavedBeforeTheDriftReferenceSayingToRetrain) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  doc["learner"]["attributes"].erase("drift_reference");
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(loaded.value()->metadata().drift_reference.has_value());
  EXPECT_NE(loaded.value()->metadata().drift_reference_problem.find("retrain"), std::string::npos);
  EXPECT_EQ(Raw(*loaded.value()), Raw(*model));
}

TEST(LeadModel, FromJsonRejectsACorruptDriftReferenceNamingIt) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  doc["learner"]["attributes"]["drift_reference"] = R"({"features":[{"name":"x"}],"score":{}})";
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("drift reference"), std::string::npos)
      << loaded.status().message();
}

TEST(LeadModel, ADriftReferenceOfAnotherSpecLoadsTheModelWithoutIt) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  json reference = json::parse(doc["learner"]["attributes"]["drift_reference"].get<std::string>());
  reference["features"].erase(reference["features"].size() - 1);  // a spec without channel
  doc["learner"]["attributes"]["drift_reference"] = reference.dump();
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(loaded.value()->metadata().drift_reference.has_value());
  EXPECT_NE(loaded.value()->metadata().drift_reference_problem.find("feature spec"),
            std::string::npos)
      << loaded.value()->metadata().drift_reference_problem;
}

// GET /model and /dashboard/data serve this text, and the dashboard reads these keys.
TEST(ReliabilityJson, ListsEveryBinWithItsFiveFieldsInOrder) {
  const std::vector<ReliabilityBin> table = {{0.0, 0.5, 300, 0.125, 2.0 / 3},
                                             {0.5, 1.0, 0, 0.0, 0.0}};
  EXPECT_EQ(ReliabilityJson(table).dump(),
            R"([{"lower":0.0,"upper":0.5,"count":300,"mean_predicted":0.125,)"
            R"("observed_rate":0.6666666666666666},)"
            R"({"lower":0.5,"upper":1.0,"count":0,"mean_predicted":0.0,"observed_rate":0.0}])");
  EXPECT_EQ(ReliabilityJson({}).dump(), "[]");
}

TEST(LeadModel, StoresTheReliabilityTableAsReliabilityJson) {
  const auto model = Assembled("base");
  const json doc = json::parse(ModelJson(*model));
  EXPECT_EQ(doc["learner"]["attributes"]["reliability"],
            ReliabilityJson(Metadata("base").reliability).dump());
}

// Model files written before ReliabilityJson had the keys sorted (nlohmann::json).
TEST(LeadModel, FromJsonReadsAReliabilityWithItsKeysInAnyOrder) {
  const auto model = Assembled("base");
  json doc = json::parse(ModelJson(*model));
  json& attributes = doc["learner"]["attributes"];
  const json sorted = json::parse(attributes["reliability"].get<std::string>());
  ASSERT_EQ(sorted.dump().substr(0, 10), R"([{"count":)");
  attributes["reliability"] = sorted.dump();
  auto loaded = LeadModel::FromJson(doc.dump());
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ExpectSameMetadata(loaded.value()->metadata(), Metadata("base"));
}

TEST(LeadModel, AssembleRejectsAnUnknownFeatureSet) {
  ModelMetadata metadata = Metadata("base");
  metadata.feature_set = "everything";
  auto model = LeadModel::Assemble(TrainSmallBooster(Table(), "base"), FeatureSpec::Builtin(),
                                   metadata, Calibration::Identity());
  ASSERT_FALSE(model.ok());
  EXPECT_NE(model.status().message().find("everything"), std::string::npos)
      << model.status().message();
}

class LeadModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("leadscore_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(dir_);
  }

  std::vector<std::string> Entries() const {
    std::vector<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  fs::path dir_;
};

TEST_F(LeadModelFileTest, SaveFileWritesTheModelAndLeavesNoTemporary) {
  const auto model = Assembled("base+channel");
  const fs::path path = dir_ / "model.json";
  const Status saved = model->SaveFile(path);
  ASSERT_TRUE(saved.ok()) << saved.message();
  EXPECT_EQ(Entries(), std::vector<std::string>{"model.json"});
  EXPECT_EQ(FileText(path), ModelJson(*model));
  auto loaded = LeadModel::LoadFile(path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ExpectSameMetadata(loaded.value()->metadata(), Metadata("base+channel"));
  EXPECT_EQ(Raw(*loaded.value()), Raw(*model));
}

TEST_F(LeadModelFileTest, SaveFileReplacesAnExistingModel) {
  const fs::path path = dir_ / "model.json";
  std::ofstream(path) << "old";
  const auto model = Assembled("base");
  ASSERT_TRUE(model->SaveFile(path).ok());
  EXPECT_EQ(FileText(path), ModelJson(*model));
  EXPECT_EQ(Entries(), std::vector<std::string>{"model.json"});
}

TEST_F(LeadModelFileTest, FailedSaveLeavesTheOldFileUntouched) {
  const fs::path path = dir_ / "model.json";
  std::ofstream(path) << "the previous model";
  // Make the save fail for any user: a read-only directory stops non-root users; root writes
  // anyway, so the temporary's name (atomic_files.cc) is also taken by a directory.
  const fs::path blocker = dir_ / (".model.json.tmp-" + std::to_string(::getpid()));
  fs::create_directories(blocker / "keep");
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);

  const auto model = Assembled("base");
  const Status saved = model->SaveFile(path);
  EXPECT_FALSE(saved.ok());
  EXPECT_EQ(FileText(path), "the previous model");
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add);
  fs::remove_all(blocker);
  EXPECT_EQ(Entries(), std::vector<std::string>{"model.json"}) << "a temporary was left behind";
}

TEST_F(LeadModelFileTest, LoadFileOfAMissingFileSaysWhatToDo) {
  auto loaded = LeadModel::LoadFile(dir_ / "absent.json");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("absent.json"), std::string::npos);
  EXPECT_NE(loaded.status().message().find("leadscore train"), std::string::npos)
      << loaded.status().message();
}

TEST_F(LeadModelFileTest, LoadFileErrorNamesTheFile) {
  const fs::path path = dir_ / "plain.json";
  std::ofstream(path) << TrainSmallBooster(Table(), "base").SaveJson().value();
  auto loaded = LeadModel::LoadFile(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find(path.string()), std::string::npos)
      << loaded.status().message();
}

}  // namespace
}  // namespace leadscore
