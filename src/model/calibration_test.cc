#include "model/calibration.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "datagen/random.h"
#include "metrics/classification.h"

namespace leadscore {
namespace {

using Doubles = std::vector<double>;

double Sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

Calibration Isotonic(const std::vector<double>& scores, const std::vector<int>& labels) {
  return Calibration::FitIsotonic(scores, labels);
}

Calibration Platt(const std::vector<double>& scores, const std::vector<int>& labels) {
  return Calibration::FitPlatt(scores, labels);
}

Calibration Parse(const std::string& json) {
  auto parsed = Calibration::FromJson(json);
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? std::move(parsed).value() : Calibration::Identity();
}

std::string ParseError(const std::string& json) {
  auto parsed = Calibration::FromJson(json);
  EXPECT_FALSE(parsed.ok()) << json;
  return parsed.ok() ? std::string() : parsed.status().message();
}

std::vector<double> ApplyAll(const Calibration& c, const std::vector<double>& probabilities) {
  std::vector<double> out;
  out.reserve(probabilities.size());
  for (double p : probabilities) out.push_back(c.Apply(p));
  return out;
}

// Uniform scores with labels drawn from `truth(score)`.
template <typename Truth>
void Draw(Random& rng, size_t n, Truth truth, std::vector<double>& scores,
          std::vector<int>& labels) {
  for (size_t i = 0; i < n; ++i) {
    const double score = rng.Uniform();
    scores.push_back(score);
    labels.push_back(rng.Bernoulli(truth(score)) ? 1 : 0);
  }
}

// ---- identity --------------------------------------------------------------------------------

TEST(Calibration, IdentityLeavesProbabilitiesAlone) {
  const Calibration identity = Calibration::Identity();
  EXPECT_EQ(identity.method(), CalibrationMethod::kNone);
  EXPECT_EQ(identity, Calibration());
  for (double p : {0.0, 0.123, 0.8, 1.0}) EXPECT_EQ(identity.Apply(p), p);
  EXPECT_EQ(identity.ToJson(), R"({"method":"none"})");
}

TEST(Calibration, EmptyInputFitsTheIdentity) {
  EXPECT_EQ(Isotonic({}, {}), Calibration::Identity());
  EXPECT_EQ(Platt({}, {}), Calibration::Identity());
  EXPECT_EQ(Calibration::Fit({}, {}), Calibration::Identity());
}

// ---- isotonic --------------------------------------------------------------------------------

TEST(Calibration, IsotonicPoolsAViolation) {
  // Sorted by score the labels are 0 1 0 1 1; the pair (1, 0) at 0.2, 0.3 violates the order
  // and pools to 1/2: y = 0, .5, .5, 1, 1. No run of three equal y, so all five points stay.
  // The input is given out of order on purpose.
  const auto c = Isotonic({0.4, 0.2, 0.5, 0.1, 0.3}, {1, 1, 1, 0, 0});
  EXPECT_EQ(c.method(), CalibrationMethod::kIsotonic);
  EXPECT_EQ(c.isotonic_x(), Doubles({0.1, 0.2, 0.3, 0.4, 0.5}));
  EXPECT_EQ(c.isotonic_y(), Doubles({0.0, 0.5, 0.5, 1.0, 1.0}));
}

TEST(Calibration, IsotonicPoolsTiedScoresBeforeViolators) {
  // Ties first: 0.2 -> labels {1, 0} = 1/2; 0.4 -> {0, 0, 1} = 1/3; 0.6 -> {1} = 1.
  // 1/2 > 1/3 violates, pooling 0.2 and 0.4: (1 + 1) / 5 = 0.4. Had ties not been pooled,
  // PAV over the rows in one arbitrary order could give a different answer.
  const auto c = Isotonic({0.4, 0.2, 0.6, 0.4, 0.2, 0.4}, {0, 1, 1, 0, 0, 1});
  EXPECT_EQ(c.isotonic_x(), Doubles({0.2, 0.4, 0.6}));
  EXPECT_EQ(c.isotonic_y(), Doubles({0.4, 0.4, 1.0}));
}

TEST(Calibration, IsotonicTreatsScoresWithin1eMinus15AsTied) {
  // nextafter(0.3, 1) is 0.3 + 5.6e-17: one tie group at x = 0.3 with labels {0, 1} = 1/2.
  const auto c = Isotonic({0.3, std::nextafter(0.3, 1.0), 0.6}, {0, 1, 1});
  EXPECT_EQ(c.isotonic_x(), Doubles({0.3, 0.6}));
  EXPECT_EQ(c.isotonic_y(), Doubles({0.5, 1.0}));
}

TEST(Calibration, IsotonicKeepsOnlyTheEndsOfFlatRuns) {
  // Labels 0 0 0 1 1 1 at 0.1 .. 0.6 fit y = 0 0 0 1 1 1; the middle of each flat run (0.2,
  // 0.5) adds nothing to the interpolation and is dropped.
  const auto c = Isotonic({0.1, 0.2, 0.3, 0.4, 0.5, 0.6}, {0, 0, 0, 1, 1, 1});
  EXPECT_EQ(c.isotonic_x(), Doubles({0.1, 0.3, 0.4, 0.6}));
  EXPECT_EQ(c.isotonic_y(), Doubles({0.0, 0.0, 1.0, 1.0}));
  EXPECT_EQ(c.Apply(0.2), 0.0);
  EXPECT_EQ(c.Apply(0.5), 1.0);
  EXPECT_NEAR(c.Apply(0.35), 0.5, 1e-15);  // halfway up the only slope (0.4 - 0.3 is inexact)
}

TEST(Calibration, IsotonicWithOneDistinctScoreIsConstant) {
  const auto c = Isotonic({0.7, 0.7, 0.7, 0.7}, {1, 0, 0, 0});
  EXPECT_EQ(c.isotonic_x(), Doubles({0.7}));
  EXPECT_EQ(c.isotonic_y(), Doubles({0.25}));
  for (double p : {0.0, 0.7, 0.71, 1.0}) EXPECT_EQ(c.Apply(p), 0.25);
}

TEST(Calibration, IsotonicApplyInterpolatesLinearlyAndClips) {
  // Knots (0.1, 0) (0.2, .5) (0.3, .5) (0.4, 1) (0.5, 1), from IsotonicPoolsAViolation.
  const auto c = Isotonic({0.1, 0.2, 0.3, 0.4, 0.5}, {0, 1, 0, 1, 1});
  EXPECT_DOUBLE_EQ(c.Apply(0.15), 0.25);  // halfway from 0 to .5
  EXPECT_DOUBLE_EQ(c.Apply(0.25), 0.5);   // on the flat part
  EXPECT_DOUBLE_EQ(c.Apply(0.35), 0.75);  // halfway from .5 to 1
  EXPECT_DOUBLE_EQ(c.Apply(0.12), 0.1);   // a fifth of the way: 0.02 * 5
  EXPECT_EQ(c.Apply(0.2), 0.5);           // on a knot: the knot's own y, exactly
  EXPECT_EQ(c.Apply(0.4), 1.0);
  // Outside [0.1, 0.5] the end values hold.
  EXPECT_EQ(c.Apply(0.1), 0.0);
  EXPECT_EQ(c.Apply(0.05), 0.0);
  EXPECT_EQ(c.Apply(-2.0), 0.0);
  EXPECT_EQ(c.Apply(0.5), 1.0);
  EXPECT_EQ(c.Apply(0.9), 1.0);
  EXPECT_EQ(c.Apply(7.0), 1.0);
  EXPECT_TRUE(std::isnan(c.Apply(std::numeric_limits<double>::quiet_NaN())));
}

// Golden values from scikit-learn 1.9.1 (numpy 2.4.6, scipy 1.17.1), computed with
//   rng = np.random.default_rng(20240611)
//   scores = np.round(rng.integers(1, 20, size=30) * 0.05, 2)
//   labels = (rng.random(30) < scores**2).astype(int)
//   iso = IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1).fit(scores, labels)
//   iso.X_thresholds_, iso.y_thresholds_, iso.predict(queries)
//   A, B = sklearn.calibration._sigmoid_calibration(logit(clip(scores, 1e-12, 1 - 1e-12)),
//                                                   labels)   # our a = -A, b = -B
const std::vector<double> kGoldenScores = {
    0.5, 0.2,  0.5, 0.95, 0.3,  0.6, 0.95, 0.8,  0.25, 0.3, 0.9,  0.15, 0.75, 0.75, 0.15,
    0.5, 0.05, 0.9, 0.35, 0.65, 0.3, 0.2,  0.75, 0.5,  0.9, 0.65, 0.85, 0.75, 0.35, 0.3};
const std::vector<int> kGoldenLabels = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0,
                                        0, 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 1, 1, 0, 0};

TEST(Calibration, IsotonicMatchesScikitLearn) {
  // By hand: 0.05 .. 0.35 are all 0; 0.5 {0,0,0,1} and 0.6 {0} pool to 1/5; 0.65 {1,0} = .5;
  // 0.75 {1,0,1,1} = .75; 0.8 {1}, 0.85 {1}, 0.9 {1,0,1} pool to 4/5; 0.95 {1,1} = 1.
  const auto c = Isotonic(kGoldenScores, kGoldenLabels);
  EXPECT_EQ(c.isotonic_x(), Doubles({0.05, 0.35, 0.5, 0.6, 0.65, 0.75, 0.8, 0.9, 0.95}));
  EXPECT_EQ(c.isotonic_y(), Doubles({0.0, 0.0, 0.2, 0.2, 0.5, 0.75, 0.8, 0.8, 1.0}));
  const double queries[] = {0.0, 0.03, 0.05, 0.12, 0.333, 0.5, 0.61, 0.777, 0.9, 0.95, 0.99, 1.0};
  const double sklearn[] = {0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.26, 0.777, 0.8, 1.0, 1.0, 1.0};
  for (size_t i = 0; i < std::size(queries); ++i) {
    EXPECT_NEAR(c.Apply(queries[i]), sklearn[i], 1e-15) << "at " << queries[i];
  }
}

TEST(Calibration, IsotonicIsMonotoneAndMinimalOnRandomData) {
  Random rng(7, 1);
  std::vector<double> scores;
  std::vector<int> labels;
  Draw(
      rng, 5000, [](double s) { return 0.1 + 0.8 * s; }, scores, labels);
  const auto c = Isotonic(scores, labels);
  const auto& x = c.isotonic_x();
  const auto& y = c.isotonic_y();
  ASSERT_EQ(x.size(), y.size());
  ASSERT_GE(x.size(), 2u);
  for (size_t i = 0; i < y.size(); ++i) {
    ASSERT_GE(y[i], 0.0);
    ASSERT_LE(y[i], 1.0);
    if (i > 0) {
      ASSERT_GT(x[i], x[i - 1]);
      ASSERT_GE(y[i], y[i - 1]);
    }
    if (i >= 2) ASSERT_FALSE(y[i] == y[i - 1] && y[i - 1] == y[i - 2]) << "unmerged run at " << i;
  }
  double previous = -1.0;
  for (int k = -10; k <= 1010; ++k) {
    const double calibrated = c.Apply(k / 1000.0);
    ASSERT_GE(calibrated, previous) << "at " << k / 1000.0;
    previous = calibrated;
  }
}

TEST(Calibration, IsotonicReducesHeldOutBrierOfMiscalibratedScores) {
  // Leads convert with probability p^2 but are scored p: overconfident everywhere. Raw Brier
  // E[(p - y)^2] = E[p^2] - 2E[p^3] + E[p^2] = 2/3 - 1/2 = 0.1667; a perfect calibration scores
  // E[p^2 (1 - p^2)] = 1/3 - 1/5 = 0.1333. Fit on one sample, judge on another.
  Random rng(11, 2);
  const auto square = [](double p) { return p * p; };
  std::vector<double> fit_scores, test_scores;
  std::vector<int> fit_labels, test_labels;
  Draw(rng, 20000, square, fit_scores, fit_labels);
  Draw(rng, 20000, square, test_scores, test_labels);
  const auto c = Isotonic(fit_scores, fit_labels);
  const std::vector<double> calibrated = ApplyAll(c, test_scores);
  const double raw_brier = BrierScore(test_scores, test_labels);
  const double calibrated_brier = BrierScore(calibrated, test_labels);
  EXPECT_NEAR(raw_brier, 1.0 / 6.0, 0.005);
  EXPECT_LT(calibrated_brier, 2.0 / 15.0 + 0.004);
  EXPECT_LT(calibrated_brier, raw_brier - 0.025);
  // And where it matters for "0.8 means 80 %": leads served about 0.8 convert about 80 %.
  const auto table = ReliabilityTable(calibrated, test_labels, 10);
  EXPECT_GT(table[8].count, 500);
  EXPECT_NEAR(table[8].observed_rate, table[8].mean_predicted, 0.04);
}

// ---- Platt -----------------------------------------------------------------------------------

TEST(Calibration, PlattRecoversTheSlopeAndInterceptThatGeneratedTheLabels) {
  // The booster says sigmoid(f) but the truth is sigmoid(1.7 f - 0.6), f ~ N(0, 1.5^2).
  // 50 000 rows estimate a and b to about ±0.01 (one standard error); allow 0.05.
  Random rng(2024, 3);
  std::vector<double> scores;
  std::vector<int> labels;
  for (int i = 0; i < 50000; ++i) {
    const double f = 1.5 * rng.Normal();
    scores.push_back(Sigmoid(f));
    labels.push_back(rng.Bernoulli(Sigmoid(1.7 * f - 0.6)) ? 1 : 0);
  }
  const auto c = Platt(scores, labels);
  EXPECT_EQ(c.method(), CalibrationMethod::kPlatt);
  EXPECT_NEAR(c.platt_a(), 1.7, 0.05);
  EXPECT_NEAR(c.platt_b(), -0.6, 0.05);
  EXPECT_LT(LogLoss(ApplyAll(c, scores), labels), LogLoss(scores, labels));
}

TEST(Calibration, PlattMatchesScikitLearn) {
  // sklearn's L-BFGS stops at |gradient| <= 1e-6, our Newton at 1e-5 on the summed loss: both
  // are at the optimum to well within 1e-5.
  const auto c = Platt(kGoldenScores, kGoldenLabels);
  EXPECT_NEAR(c.platt_a(), 1.27323613001359, 1e-6);
  EXPECT_NEAR(c.platt_b(), -1.1446997193295887, 1e-6);
}

TEST(Calibration, PlattApplyIsTheSigmoidOfALineInLogitSpace) {
  const auto c = Parse(R"({"method":"platt","a":2,"b":-1})");
  EXPECT_DOUBLE_EQ(c.Apply(0.5), 0.2689414213699951);  // sigmoid(2 * 0 - 1)
  EXPECT_DOUBLE_EQ(c.Apply(0.8), 0.8547793086261688);  // sigmoid(2 ln 4 - 1) = 16 / (16 + e)
  // 0 and 1 are clipped to 1e-12 and 1 - 1e-12 before the logit, so the ends stay finite:
  // sigmoid(2 logit(1e-12) - 1) = 3.5e-25, and sigmoid(2 logit(1 - 1e-12) - 1) rounds to 1.
  EXPECT_GT(c.Apply(0.0), 0.0);
  EXPECT_EQ(c.Apply(1.0), 1.0);
  EXPECT_DOUBLE_EQ(c.Apply(0.0), Sigmoid(2.0 * std::log(1e-12 / (1.0 - 1e-12)) - 1.0));
  EXPECT_TRUE(std::isnan(c.Apply(std::numeric_limits<double>::quiet_NaN())));
}

TEST(Calibration, PlattStaysFiniteOnSeparableData) {
  // Perfectly separated labels would send a to infinity on 0/1 targets; Platt's targets
  // (2+1)/(2+2) = 3/4 and 1/(2+2) = 1/4 keep it finite.
  const auto c = Platt({0.1, 0.2, 0.8, 0.9}, {0, 0, 1, 1});
  EXPECT_TRUE(std::isfinite(c.platt_a()));
  EXPECT_GT(c.platt_a(), 0.0);
  EXPECT_GT(c.Apply(0.9), 0.5);
  EXPECT_LT(c.Apply(0.9), 0.9);  // shrunk toward 3/4
  EXPECT_LT(c.Apply(0.1), 0.5);
}

TEST(Calibration, PlattWithOneClassPredictsThePlattTarget) {
  // Eight negatives: every target is 1 / (8 + 2) = 0.1, reached exactly by a = 0,
  // b = logit(0.1), so every probability maps to 0.1.
  const auto c = Platt({0.05, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.95}, {0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_NEAR(c.platt_a(), 0.0, 1e-6);
  EXPECT_NEAR(c.platt_b(), std::log(0.1 / 0.9), 1e-6);
  for (double p : {0.0, 0.3, 0.99}) EXPECT_NEAR(c.Apply(p), 0.1, 1e-6);
}

TEST(Calibration, PlattWithOneDistinctScoreMatchesTheSmoothedRate) {
  // A constant score leaves a and b unidentified apart from a * logit(0.6) + b; the ridge keeps
  // Newton's step defined. Targets: 3 positives -> 4/5, 1 negative -> 1/3; the fitted value is
  // their mean (3 * 4/5 + 1/3) / 4 = 41/60.
  const auto c = Platt({0.6, 0.6, 0.6, 0.6}, {1, 1, 1, 0});
  EXPECT_TRUE(std::isfinite(c.platt_a()));
  EXPECT_NEAR(c.Apply(0.6), 41.0 / 60.0, 1e-6);
}

// ---- Fit -------------------------------------------------------------------------------------

TEST(Calibration, FitChoosesIsotonicFromOneThousandRows) {
  Random rng(5, 4);
  std::vector<double> scores;
  std::vector<int> labels;
  Draw(
      rng, kIsotonicMinRows, [](double s) { return s; }, scores, labels);
  ASSERT_EQ(scores.size(), 1000u);
  EXPECT_EQ(Calibration::Fit(scores, labels).method(), CalibrationMethod::kIsotonic);
  scores.pop_back();
  labels.pop_back();
  EXPECT_EQ(Calibration::Fit(scores, labels).method(), CalibrationMethod::kPlatt);
}

// ---- JSON ------------------------------------------------------------------------------------

TEST(CalibrationJson, WritesTheDocumentedShape) {
  EXPECT_EQ(Isotonic({0.1, 0.2, 0.3}, {0, 1, 1}).ToJson(),
            R"({"method":"isotonic","x":[0.1,0.2,0.3],"y":[0.0,1.0,1.0]})");
  EXPECT_EQ(Parse(R"({"method":"platt","a":2,"b":-1.25})").ToJson(),
            R"({"method":"platt","a":2.0,"b":-1.25})");
}

TEST(CalibrationJson, RoundTripIsExact) {
  // Scores with all 53 random bits and y ratios like 37/113 exercise the shortest-digits
  // printing of every knot; equality is bit-for-bit on every number.
  Random rng(3, 5);
  std::vector<double> scores;
  std::vector<int> labels;
  Draw(
      rng, 3000, [](double s) { return s * s; }, scores, labels);
  const Calibration fits[] = {Isotonic(scores, labels), Platt(scores, labels),
                              Calibration::Identity()};
  for (const Calibration& original : fits) {
    SCOPED_TRACE(CalibrationMethodName(original.method()));
    const Calibration copy = Parse(original.ToJson());
    EXPECT_EQ(copy, original);
    EXPECT_EQ(copy.ToJson(), original.ToJson());
    for (int k = -5; k <= 1005; ++k) ASSERT_EQ(copy.Apply(k / 1000.0), original.Apply(k / 1000.0));
    for (double p : scores) ASSERT_EQ(copy.Apply(p), original.Apply(p));
  }
  EXPECT_GT(fits[0].isotonic_x().size(), 20u);  // a real curve, not a trivial one
}

TEST(CalibrationJson, ReadsIntegersAndIgnoresUnknownFields) {
  const auto c = Parse(R"({"method":"isotonic","x":[0,1],"y":[0,1],"note":"diagonal"})");
  EXPECT_EQ(c.method(), CalibrationMethod::kIsotonic);
  EXPECT_DOUBLE_EQ(c.Apply(0.37), 0.37);
  EXPECT_EQ(Parse(R"({"method":"none","a":3})"), Calibration::Identity());
}

TEST(CalibrationJson, RejectsMalformedDocumentsWithClearMessages) {
  EXPECT_EQ(ParseError("{\"method\":"), "calibration JSON: not valid JSON");
  EXPECT_EQ(ParseError("[1, 2]"),
            "calibration JSON: expected an object such as {\"method\":\"none\"}");
  EXPECT_EQ(ParseError(R"({"x":[0,1]})"),
            "calibration JSON: field \"method\" must be a string: none, isotonic or platt");
  EXPECT_EQ(ParseError(R"({"method":"beta"})"),
            "calibration JSON: unknown method \"beta\" (expected none, isotonic or platt)");
  EXPECT_EQ(ParseError(R"({"method":"platt","a":1})"),
            "calibration JSON (platt): field \"b\" must be a number");
  EXPECT_EQ(ParseError(R"({"method":"platt","a":"1","b":0})"),
            "calibration JSON (platt): field \"a\" must be a number");
  // JSON has no infinities; an overflowing literal is rejected by the parser.
  EXPECT_EQ(ParseError(R"({"method":"platt","a":1e999,"b":0})"),
            "calibration JSON: not valid JSON");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":0.5,"y":[0]})"),
            "calibration JSON (isotonic): field \"x\" must be an array of numbers");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[0.1,0.2],"y":[0,null]})"),
            "calibration JSON (isotonic): y[1] is not a number");
}

TEST(CalibrationJson, RejectsInvalidIsotonicCurves) {
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[0.1,0.2,0.3],"y":[0,1]})"),
            "calibration JSON (isotonic): x has 3 values but y has 2; they must pair up");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[],"y":[]})"),
            "calibration JSON (isotonic): x and y are empty; at least one point is needed");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[0.1,0.5,0.3],"y":[0,0.5,1]})"),
            "calibration JSON (isotonic): x must be strictly increasing, but x[2] = 0.3 "
            "follows x[1] = 0.5");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[0.1,0.1],"y":[0,1]})"),
            "calibration JSON (isotonic): x must be strictly increasing, but x[1] = 0.1 "
            "follows x[0] = 0.1");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[0.1,0.2],"y":[0,1.2]})"),
            "calibration JSON (isotonic): y[1] = 1.2 is outside [0, 1]");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[0.1,0.2],"y":[-0.1,1]})"),
            "calibration JSON (isotonic): y[0] = -0.1 is outside [0, 1]");
  EXPECT_EQ(ParseError(R"({"method":"isotonic","x":[0.1,0.2,0.3],"y":[0.2,0.6,0.4]})"),
            "calibration JSON (isotonic): y must be non-decreasing (calibration keeps the "
            "ranking), but y[2] = 0.4 follows y[1] = 0.6");
}

}  // namespace
}  // namespace leadscore
