#include "model/calibration.h"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <numeric>

namespace leadscore {
namespace {

using Json = nlohmann::ordered_json;  // keeps "method" first in what we write

void AssertInputs([[maybe_unused]] std::span<const double> scores,
                  [[maybe_unused]] std::span<const int> labels) {
  assert(scores.size() == labels.size() && "one label per score");
#ifndef NDEBUG
  for (size_t i = 0; i < scores.size(); ++i) {
    assert(std::isfinite(scores[i]) && "calibration scores must be finite");
    assert((labels[i] == 0 || labels[i] == 1) && "labels must be 0 or 1");
  }
#endif
}

// ---- isotonic ----------------------------------------------------------------------------

// A run of rows pooled to one fitted value: their first and last score and their labels.
// Means are compared by cross-multiplying the integer counts, so pooling is exact.
struct Block {
  double x_first = 0.0;
  double x_last = 0.0;
  int64_t positives = 0;
  int64_t count = 0;
};

// mean(a) >= mean(b), exactly.
bool MeanAtLeast(const Block& a, const Block& b) {
  return a.positives * b.count >= b.positives * a.count;
}

// ---- Platt -------------------------------------------------------------------------------

double Sigmoid(double z) {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

double Logit(double p) {
  const double clipped = std::clamp(p, kPlattEpsilon, 1.0 - kPlattEpsilon);
  return std::log(clipped) - std::log1p(-clipped);
}

// ln(1 + e^z) without overflow.
double Softplus(double z) {
  return z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// Cross-entropy of sigmoid(a f + b) against the targets t: sum softplus(z) - t z.
double PlattLoss(std::span<const double> f, std::span<const double> t, double a, double b) {
  double loss = 0.0;
  for (size_t i = 0; i < f.size(); ++i) {
    const double z = a * f[i] + b;
    loss += Softplus(z) - t[i] * z;
  }
  return loss;
}

// ---- JSON --------------------------------------------------------------------------------

std::string FormatNumber(double value) {
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return error == std::errc() ? std::string(buffer, end) : std::string("?");
}

Status JsonError(std::string_view method, const std::string& message) {
  return Status::Error("calibration JSON (" + std::string(method) + "): " + message);
}

Result<double> ReadNumber(const Json& doc, const char* method, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_number()) {
    return JsonError(method, std::string("field \"") + key + "\" must be a number");
  }
  return it->get<double>();  // finite: the parser rejects literals that overflow
}

Result<std::vector<double>> ReadNumbers(const Json& doc, const char* method, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_array()) {
    return JsonError(method, std::string("field \"") + key + "\" must be an array of numbers");
  }
  std::vector<double> values;
  values.reserve(it->size());
  for (const Json& item : *it) {
    const std::string where = std::string(key) + "[" + std::to_string(values.size()) + "]";
    if (!item.is_number()) return JsonError(method, where + " is not a number");
    values.push_back(item.get<double>());
  }
  return values;
}

// "x[2] = 0.3", for messages.
std::string Element(const char* name, const std::vector<double>& values, size_t i) {
  std::string out(name);
  out.append("[").append(std::to_string(i)).append("] = ").append(FormatNumber(values[i]));
  return out;
}

// An isotonic curve must be a function (x strictly increasing), a probability (y in [0, 1])
// and keep the ranking (y non-decreasing).
Status ValidateKnots(const std::vector<double>& x, const std::vector<double>& y) {
  if (x.size() != y.size()) {
    return JsonError("isotonic", "x has " + std::to_string(x.size()) + " values but y has " +
                                     std::to_string(y.size()) + "; they must pair up");
  }
  if (x.empty()) return JsonError("isotonic", "x and y are empty; at least one point is needed");
  for (size_t i = 0; i < y.size(); ++i) {
    if (y[i] < 0.0 || y[i] > 1.0) {
      return JsonError("isotonic", Element("y", y, i) + " is outside [0, 1]");
    }
    if (i > 0 && !(x[i] > x[i - 1])) {
      return JsonError("isotonic", "x must be strictly increasing, but " + Element("x", x, i) +
                                       " follows " + Element("x", x, i - 1));
    }
    if (i > 0 && y[i] < y[i - 1]) {
      return JsonError("isotonic",
                       "y must be non-decreasing (calibration keeps the ranking), but " +
                           Element("y", y, i) + " follows " + Element("y", y, i - 1));
    }
  }
  return Status::Ok();
}

}  // namespace

const char* CalibrationMethodName(CalibrationMethod method) {
  switch (method) {
    case CalibrationMethod::kNone:
      return "none";
    case CalibrationMethod::kIsotonic:
      return "isotonic";
    case CalibrationMethod::kPlatt:
      return "platt";
  }
  return "?";
}

Calibration Calibration::Identity() { return Calibration(); }

Calibration Calibration::FitIsotonic(std::span<const double> scores, std::span<const int> labels) {
  AssertInputs(scores, labels);
  if (scores.empty()) return Identity();
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] < scores[b]; });

  // Pool adjacent violators over a stack of blocks. Each distinct score enters as one block
  // (ties pooled first); a block whose mean does not exceed its predecessor's merges into it,
  // so the finished blocks have strictly increasing means.
  std::vector<Block> blocks;
  for (size_t k = 0; k < order.size();) {
    Block block{scores[order[k]], scores[order[k]], 0, 0};
    for (; k < order.size() && scores[order[k]] - block.x_first < kIsotonicTieTolerance; ++k) {
      block.positives += labels[order[k]] == 1 ? 1 : 0;
      ++block.count;
    }
    while (!blocks.empty() && MeanAtLeast(blocks.back(), block)) {
      block.x_first = blocks.back().x_first;
      block.positives += blocks.back().positives;
      block.count += blocks.back().count;
      blocks.pop_back();
    }
    blocks.push_back(block);
  }

  // Each block is flat: its first and last score carry the whole of it.
  Calibration calibration;
  calibration.method_ = CalibrationMethod::kIsotonic;
  for (const Block& block : blocks) {
    const double y = static_cast<double>(block.positives) / static_cast<double>(block.count);
    calibration.x_.push_back(block.x_first);
    calibration.y_.push_back(y);
    if (block.x_last != block.x_first) {
      calibration.x_.push_back(block.x_last);
      calibration.y_.push_back(y);
    }
  }
  return calibration;
}

Calibration Calibration::FitPlatt(std::span<const double> scores, std::span<const int> labels) {
  AssertInputs(scores, labels);
  if (scores.empty()) return Identity();
  const size_t n = scores.size();
  std::vector<double> f(n), t(n);
  const auto positives = static_cast<double>(std::count(labels.begin(), labels.end(), 1));
  const double negatives = static_cast<double>(n) - positives;
  const double target_positive = (positives + 1.0) / (positives + 2.0);
  const double target_negative = 1.0 / (negatives + 2.0);
  for (size_t i = 0; i < n; ++i) {
    f[i] = Logit(scores[i]);
    t[i] = labels[i] == 1 ? target_positive : target_negative;
  }

  // Lin, Lin & Weng, "A note on Platt's probabilistic outputs for support vector machines"
  // (2007), in our sign convention: Newton steps on (a, b), a tiny ridge on the Hessian for
  // a constant score, Armijo backtracking, stop on a small gradient or a failed line search.
  constexpr int kMaxIterations = 100;
  constexpr double kMinStep = 1e-10;
  constexpr double kRidge = 1e-12;
  constexpr double kGradientTolerance = 1e-5;
  double a = 0.0;
  double b = std::log((positives + 1.0) / (negatives + 1.0));
  double loss = PlattLoss(f, t, a, b);
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    double h_aa = kRidge, h_bb = kRidge, h_ab = 0.0, g_a = 0.0, g_b = 0.0;
    for (size_t i = 0; i < n; ++i) {
      const double p = Sigmoid(a * f[i] + b);
      const double w = p * (1.0 - p);
      h_aa += f[i] * f[i] * w;
      h_ab += f[i] * w;
      h_bb += w;
      g_a += f[i] * (p - t[i]);
      g_b += p - t[i];
    }
    if (std::abs(g_a) < kGradientTolerance && std::abs(g_b) < kGradientTolerance) break;
    const double det = h_aa * h_bb - h_ab * h_ab;
    const double d_a = -(h_bb * g_a - h_ab * g_b) / det;
    const double d_b = -(h_aa * g_b - h_ab * g_a) / det;
    const double slope = g_a * d_a + g_b * d_b;  // directional derivative, negative
    double step = 1.0;
    for (; step >= kMinStep; step /= 2.0) {
      const double new_loss = PlattLoss(f, t, a + step * d_a, b + step * d_b);
      if (new_loss < loss + 1e-4 * step * slope) {
        a += step * d_a;
        b += step * d_b;
        loss = new_loss;
        break;
      }
    }
    if (step < kMinStep) break;  // no descent left at double precision: we are at the optimum
  }

  Calibration calibration;
  calibration.method_ = CalibrationMethod::kPlatt;
  calibration.a_ = a;
  calibration.b_ = b;
  return calibration;
}

Calibration Calibration::Fit(std::span<const double> scores, std::span<const int> labels) {
  return scores.size() >= kIsotonicMinRows ? FitIsotonic(scores, labels) : FitPlatt(scores, labels);
}

double Calibration::Apply(double probability) const {
  switch (method_) {
    case CalibrationMethod::kNone:
      return probability;
    case CalibrationMethod::kPlatt:
      if (std::isnan(probability)) return probability;
      return Sigmoid(a_ * Logit(probability) + b_);
    case CalibrationMethod::kIsotonic:
      break;
  }
  // numpy.interp on the knots, which is what scikit-learn evaluates: clipped at both ends,
  // the knot's own y on an exact hit, else the chord from the knot below.
  const double p = probability;
  if (std::isnan(p)) return p;
  if (p <= x_.front()) return y_.front();
  if (p >= x_.back()) return y_.back();
  const size_t j = static_cast<size_t>(std::upper_bound(x_.begin(), x_.end(), p) - x_.begin()) - 1;
  if (p == x_[j]) return y_[j];
  const double slope = (y_[j + 1] - y_[j]) / (x_[j + 1] - x_[j]);
  return slope * (p - x_[j]) + y_[j];
}

std::string Calibration::ToJson() const {
  Json doc = {{"method", CalibrationMethodName(method_)}};
  if (method_ == CalibrationMethod::kIsotonic) {
    doc["x"] = x_;
    doc["y"] = y_;
  } else if (method_ == CalibrationMethod::kPlatt) {
    doc["a"] = a_;
    doc["b"] = b_;
  }
  return doc.dump();
}

Result<Calibration> Calibration::FromJson(std::string_view json) {
  const Json doc = Json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::Error("calibration JSON: not valid JSON");
  if (!doc.is_object()) {
    return Status::Error("calibration JSON: expected an object such as {\"method\":\"none\"}");
  }
  const auto method = doc.find("method");
  if (method == doc.end() || !method->is_string()) {
    return Status::Error(
        "calibration JSON: field \"method\" must be a string: none, isotonic or platt");
  }
  const std::string name = method->get<std::string>();
  Calibration calibration;
  if (name == "none") return calibration;

  if (name == "platt") {
    auto a = ReadNumber(doc, "platt", "a");
    if (!a.ok()) return a.status();
    auto b = ReadNumber(doc, "platt", "b");
    if (!b.ok()) return b.status();
    calibration.method_ = CalibrationMethod::kPlatt;
    calibration.a_ = a.value();
    calibration.b_ = b.value();
    return calibration;
  }

  if (name != "isotonic") {
    return Status::Error("calibration JSON: unknown method \"" + name +
                         "\" (expected none, isotonic or platt)");
  }
  auto x = ReadNumbers(doc, "isotonic", "x");
  if (!x.ok()) return x.status();
  auto y = ReadNumbers(doc, "isotonic", "y");
  if (!y.ok()) return y.status();
  LEADSCORE_RETURN_IF_ERROR(ValidateKnots(x.value(), y.value()));
  calibration.method_ = CalibrationMethod::kIsotonic;
  calibration.x_ = std::move(x).value();
  calibration.y_ = std::move(y).value();
  return calibration;
}

}  // namespace leadscore
