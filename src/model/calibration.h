// Probability calibration: a monotone map from the booster's raw probability to a calibrated
// one, so that of the leads served 0.8, about 80 % convert. Fitted by the training engine on
// held-out predictions, saved inside the model as JSON and applied by the server.
//
// A Calibration is an immutable value: Apply() is const and safe to call from many threads.
// Fitting preconditions (asserted in debug builds): one label per score, labels 0 or 1,
// scores finite (probabilities in [0, 1] for Platt; values outside are clipped).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace leadscore {

enum class CalibrationMethod { kNone, kIsotonic, kPlatt };

// "none", "isotonic" or "platt": the names ToJson() writes.
const char* CalibrationMethodName(CalibrationMethod method);

// Fit() uses isotonic regression from this many rows up, Platt scaling below: isotonic is
// more flexible but overfits small samples.
inline constexpr size_t kIsotonicMinRows = 1000;

// Scores closer than this count as tied when fitting isotonic regression (scikit-learn's
// rule: np.finfo(float64).resolution).
inline constexpr double kIsotonicTieTolerance = 1e-15;

// Platt scaling works on logit(p), with p first clipped to [kPlattEpsilon, 1 - kPlattEpsilon].
inline constexpr double kPlattEpsilon = 1e-12;

class Calibration {
 public:
  Calibration() = default;  // the identity, like Identity()

  // Apply(p) == p.
  static Calibration Identity();

  // Isotonic regression of the labels on the scores by pool-adjacent-violators, tied scores
  // pooled first: the non-decreasing fit closest to the labels in squared error. Apply()
  // interpolates linearly between the fitted points and clips outside their range, like
  // scikit-learn's IsotonicRegression(out_of_bounds="clip", y_min=0, y_max=1) to the last bit
  // or two (its knots, and numpy.interp's arithmetic between them). Consecutive points with
  // equal y are reduced to the first and last of their run, which leaves Apply() unchanged.
  // Empty input gives Identity().
  static Calibration FitIsotonic(std::span<const double> scores, std::span<const int> labels);

  // Platt scaling: Apply(p) = sigmoid(a * logit(p) + b), with a and b minimising the log loss
  // against Platt's smoothed targets (N+ + 1) / (N+ + 2) for positives and 1 / (N- + 2) for
  // negatives, by Newton's method with backtracking (Lin, Lin & Weng 2007, the algorithm of
  // libsvm and of scikit-learn's _sigmoid_calibration, which fits on the decision value where
  // we fit on logit(p)). Empty input gives Identity().
  static Calibration FitPlatt(std::span<const double> scores, std::span<const int> labels);

  // FitIsotonic with at least kIsotonicMinRows rows, else FitPlatt.
  static Calibration Fit(std::span<const double> scores, std::span<const int> labels);

  // The calibrated probability, in [0, 1] for isotonic and Platt. NaN stays NaN.
  double Apply(double probability) const;

  CalibrationMethod method() const { return method_; }
  // Isotonic knots: x strictly increasing, y non-decreasing in [0, 1]; empty for other methods.
  const std::vector<double>& isotonic_x() const { return x_; }
  const std::vector<double>& isotonic_y() const { return y_; }
  // Platt's slope and intercept on the logit scale; 1 and 0 for other methods.
  double platt_a() const { return a_; }
  double platt_b() const { return b_; }

  // {"method":"none"}, {"method":"isotonic","x":[...],"y":[...]} or
  // {"method":"platt","a":...,"b":...}. Numbers round-trip exactly through FromJson.
  std::string ToJson() const;
  // Reads ToJson()'s format; the error names the field that is wrong and why.
  static Result<Calibration> FromJson(std::string_view json);

  bool operator==(const Calibration&) const = default;

 private:
  CalibrationMethod method_ = CalibrationMethod::kNone;
  std::vector<double> x_, y_;  // isotonic
  double a_ = 1.0, b_ = 0.0;   // Platt
};

}  // namespace leadscore
