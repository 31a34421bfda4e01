#include "model/feature_encoder.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "datagen/random.h"

namespace leadscore {
namespace {

constexpr size_t kBaseWidth = 4;
constexpr size_t kChannelIndex = 4;  // "channel" in FeatureSpec::Builtin().features

const FeatureSpec& Spec() { return FeatureSpec::Builtin(); }

FeatureEncoder EncoderFor(const std::string& set) {
  auto encoder = FeatureEncoder::ForSet(Spec(), set);
  EXPECT_TRUE(encoder.ok()) << encoder.status().message();
  return std::move(encoder).value();
}

const std::vector<std::string>& Channels() { return Spec().features[kChannelIndex].values; }

// Random leads covering every channel, columns in spec order.
FeatureTable MakeTable(size_t rows, uint64_t seed) {
  const FeatureSpec& spec = Spec();
  FeatureTable table;
  for (const Feature& feature : spec.features) table.columns.push_back({&feature, {}, {}, true});
  Random rng(seed, 0);
  for (size_t row = 0; row < rows; ++row) {
    table.ids.push_back("L" + std::to_string(row));
    const auto sessions = 1 + rng.Poisson(2.0);
    table.columns[0].numbers.push_back(static_cast<double>(sessions));
    table.columns[1].numbers.push_back(static_cast<double>(rng.UniformInt(0, sessions)));
    table.columns[2].numbers.push_back(static_cast<double>(sessions + rng.Poisson(3.0)));
    table.columns[3].numbers.push_back(rng.Bernoulli(0.4) ? 1.0 : 0.0);
    table.columns[4].categories.push_back(
        static_cast<uint16_t>(row % Channels().size()));                // every channel appears
    table.columns[5].numbers.push_back(static_cast<double>(row % 9));   // days_since_last_session
    table.columns[6].numbers.push_back(static_cast<double>(row % 61));  // days_since_created
    table.labels.push_back(rng.Bernoulli(0.3) ? 1 : 0);
  }
  return table;
}

TEST(FeatureEncoder, BaseSetHasOneColumnPerCountOrFlagNamedAsTheFeature) {
  const FeatureEncoder encoder = EncoderFor("base");
  EXPECT_EQ(encoder.set_name(), "base");
  EXPECT_EQ(encoder.width(), kBaseWidth);
  EXPECT_EQ(encoder.column_names(), (std::vector<std::string>{"sessions", "engaged_sessions",
                                                              "page_views", "is_first_visit"}));
  EXPECT_EQ(encoder.features(), (std::vector<size_t>{0, 1, 2, 3}));
  EXPECT_EQ(encoder.column_feature(), (std::vector<size_t>{0, 1, 2, 3}));
}

TEST(FeatureEncoder, ChannelSetAddsOneColumnPerChannelInVocabularyOrder) {
  const FeatureEncoder encoder = EncoderFor("base+channel");
  ASSERT_EQ(Channels().size(), 19u) << "the GA4 default channel groups";
  ASSERT_EQ(encoder.width(), kBaseWidth + 19);
  for (size_t i = 0; i < kBaseWidth; ++i) {
    EXPECT_EQ(encoder.column_names()[i], Spec().features[i].name);
  }
  for (size_t i = 0; i < Channels().size(); ++i) {
    EXPECT_EQ(encoder.column_names()[kBaseWidth + i], "channel=" + Channels()[i]);
  }
  EXPECT_EQ(encoder.column_names()[kBaseWidth], "channel=Direct");
  EXPECT_EQ(encoder.column_names().back(), "channel=Unassigned");
  EXPECT_EQ(encoder.features(), (std::vector<size_t>{0, 1, 2, 3, kChannelIndex}));
}

TEST(FeatureEncoder, ColumnFeatureMapsEveryChannelColumnToTheChannelFeature) {
  const FeatureEncoder encoder = EncoderFor("base+channel");
  ASSERT_EQ(encoder.column_feature().size(), encoder.width());
  for (size_t column = 0; column < kBaseWidth; ++column) {
    EXPECT_EQ(encoder.column_feature()[column], column);
  }
  for (size_t column = kBaseWidth; column < encoder.width(); ++column) {
    EXPECT_EQ(encoder.column_feature()[column], kChannelIndex) << encoder.column_names()[column];
    EXPECT_EQ(Spec().features[encoder.column_feature()[column]].name, "channel");
  }
}

TEST(FeatureEncoder, EncodeWritesNumbersAndAOneHotChannel) {
  const FeatureEncoder encoder = EncoderFor("base+channel");
  for (size_t channel = 0; channel < Channels().size(); ++channel) {
    const LeadValues values = {5, 3, 12, 1, static_cast<double>(channel)};
    std::vector<float> out(encoder.width(), 7.0f);  // stale values must be overwritten
    encoder.Encode(values, out);
    EXPECT_EQ(out[0], 5.0f);
    EXPECT_EQ(out[1], 3.0f);
    EXPECT_EQ(out[2], 12.0f);
    EXPECT_EQ(out[3], 1.0f);
    for (size_t i = 0; i < Channels().size(); ++i) {
      EXPECT_EQ(out[kBaseWidth + i], i == channel ? 1.0f : 0.0f)
          << "channel " << Channels()[channel] << ", column " << encoder.column_names()[i];
    }
  }
}

TEST(FeatureEncoder, RecencySetAppendsTheTwoRecencyColumnsAfterTheChannel) {
  const FeatureEncoder encoder = EncoderFor("base+channel+recency");
  ASSERT_EQ(encoder.width(), kBaseWidth + 19 + 2);
  EXPECT_EQ(encoder.column_names()[kBaseWidth + 19], "days_since_last_session");
  EXPECT_EQ(encoder.column_names()[kBaseWidth + 20], "days_since_created");
  std::vector<float> out(encoder.width());
  encoder.Encode({5, 3, 12, 1, 2, 4, 30}, out);
  EXPECT_EQ(out[kBaseWidth + 2], 1.0f);  // Paid Search
  EXPECT_EQ(out[kBaseWidth + 19], 4.0f);
  EXPECT_EQ(out[kBaseWidth + 20], 30.0f);
}

TEST(FeatureEncoder, BaseSetIgnoresTheChannel) {
  const FeatureEncoder encoder = EncoderFor("base");
  std::vector<float> out(encoder.width());
  encoder.Encode({2, 1, 4, 0, 6, 3, 9}, out);
  EXPECT_EQ(out, (std::vector<float>{2, 1, 4, 0}));
}

TEST(FeatureEncoder, EncodeTableRowMatchesEncodeOfTheSameValues) {
  const FeatureTable table = MakeTable(50, 3);
  const FeatureEncoder encoder = EncoderFor("base+channel+recency");
  for (size_t row = 0; row < table.rows(); ++row) {
    LeadValues values;
    for (size_t f = 0; f < 4; ++f) values.push_back(table.columns[f].numbers[row]);
    values.push_back(table.columns[kChannelIndex].categories[row]);
    values.push_back(table.columns[5].numbers[row]);
    values.push_back(table.columns[6].numbers[row]);
    std::vector<float> expected(encoder.width()), actual(encoder.width(), 9.0f);
    encoder.Encode(values, expected);
    encoder.EncodeTableRow(table, row, actual);
    EXPECT_EQ(actual, expected) << "row " << row;
  }
}

TEST(FeatureEncoder, EncodeTableRowsEqualsRowByRowEncoding) {
  const FeatureTable table = MakeTable(200, 4);
  for (const std::string set : {"base", "base+channel", "base+channel+recency"}) {
    const FeatureEncoder encoder = EncoderFor(set);
    const std::vector<size_t> rows = {17, 3, 3, 199, 0, 42};  // any order, repeats allowed
    const std::vector<float> matrix = encoder.EncodeTableRows(table, rows);
    ASSERT_EQ(matrix.size(), rows.size() * encoder.width()) << set;
    for (size_t i = 0; i < rows.size(); ++i) {
      std::vector<float> expected(encoder.width());
      encoder.EncodeTableRow(table, rows[i], expected);
      const std::vector<float> actual(matrix.begin() + i * encoder.width(),
                                      matrix.begin() + (i + 1) * encoder.width());
      EXPECT_EQ(actual, expected) << set << ", row " << rows[i];
    }
  }
}

TEST(FeatureEncoder, EncodeTableRowsOfNoRowsIsEmpty) {
  const FeatureTable table = MakeTable(10, 5);
  EXPECT_TRUE(EncoderFor("base+channel").EncodeTableRows(table, {}).empty());
}

TEST(FeatureEncoder, UnknownSetErrorListsTheKnownSets) {
  auto encoder = FeatureEncoder::ForSet(Spec(), "base+nothing");
  ASSERT_FALSE(encoder.ok());
  const std::string& message = encoder.status().message();
  EXPECT_NE(message.find("base+nothing"), std::string::npos) << message;
  for (const auto& [name, unused] : Spec().feature_sets) {
    EXPECT_NE(message.find(name), std::string::npos) << name << " missing from: " << message;
  }
  EXPECT_NE(message.find("base, base+channel"), std::string::npos) << message;
}

}  // namespace
}  // namespace leadscore
