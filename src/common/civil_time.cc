#include "common/civil_time.h"

#include <charconv>

namespace leadscore {
namespace {

constexpr int64_t kSecondsPerDay = 86400;

void AppendPadded(int64_t value, int width, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  for (int pad = width - static_cast<int>(end - digits); pad > 0; --pad) out.push_back('0');
  out.append(digits, end);
}

// Digits only: from_chars alone would accept a sign ("-1" hours).
bool ParseField(std::string_view text, size_t pos, size_t len, int& out) {
  if (pos + len > text.size()) return false;
  for (size_t i = pos; i < pos + len; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  auto first = text.data() + pos;
  auto [ptr, ec] = std::from_chars(first, first + len, out);
  return ec == std::errc() && ptr == first + len;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

}  // namespace

int64_t DaysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate CivilFromDays(int64_t days) {
  // Inverse of DaysFromCivil.
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  CivilDate date;
  date.day = doy - (153 * mp + 2) / 5 + 1;
  date.month = mp < 10 ? mp + 3 : mp - 9;
  date.year = static_cast<int64_t>(yoe) + era * 400 + (date.month <= 2);
  return date;
}

int64_t FloorDiv(int64_t value, int64_t divisor) {
  const int64_t quotient = value / divisor;
  return quotient - (value % divisor < 0);
}

void AppendTimestamp(int64_t epoch_seconds, std::string& out) {
  const int64_t days = FloorDiv(epoch_seconds, kSecondsPerDay);
  const int64_t secs = epoch_seconds - days * kSecondsPerDay;
  const CivilDate date = CivilFromDays(days);
  AppendPadded(date.year, 4, out);
  out.push_back('-');
  AppendPadded(date.month, 2, out);
  out.push_back('-');
  AppendPadded(date.day, 2, out);
  out.push_back(' ');
  AppendPadded(secs / 3600, 2, out);
  out.push_back(':');
  AppendPadded(secs / 60 % 60, 2, out);
  out.push_back(':');
  AppendPadded(secs % 60, 2, out);
}

void AppendIsoMillis(int64_t epoch_millis, std::string& out) {
  const int64_t seconds = FloorDiv(epoch_millis, 1000);
  const size_t at = out.size();
  AppendTimestamp(seconds, out);
  out[at + 10] = 'T';
  out.push_back('.');
  AppendPadded(epoch_millis - seconds * 1000, 3, out);
  out.push_back('Z');
}

void AppendCompactDate(int64_t epoch_days, std::string& out) {
  const CivilDate date = CivilFromDays(epoch_days);
  AppendPadded(date.year * 10000 + int64_t{date.month} * 100 + date.day, 8, out);
}

std::string FormatTimestamp(int64_t epoch_seconds) {
  std::string out;
  AppendTimestamp(epoch_seconds, out);
  return out;
}

Result<int64_t> ParseTimestamp(std::string_view text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  const bool date_ok = text.size() >= 10 && text[4] == '-' && text[7] == '-' &&
                       ParseField(text, 0, 4, year) && ParseField(text, 5, 2, month) &&
                       ParseField(text, 8, 2, day) && month >= 1 && month <= 12 && day >= 1 &&
                       day <= DaysInMonth(year, month);
  bool time_ok = text.size() == 10;
  if (text.size() == 19 && text[10] == ' ' && text[13] == ':' && text[16] == ':') {
    time_ok = ParseField(text, 11, 2, hour) && ParseField(text, 14, 2, minute) &&
              ParseField(text, 17, 2, second) && hour < 24 && minute < 60 && second < 60;
  }
  if (!date_ok || !time_ok) {
    return Status::Error("'" + std::string(text) +
                         "' is not a date (YYYY-MM-DD) or timestamp (YYYY-MM-DD HH:MM:SS)");
  }
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
             kSecondsPerDay +
         int64_t{hour} * 3600 + int64_t{minute} * 60 + second;
}

}  // namespace leadscore
