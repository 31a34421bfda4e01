#include "datagen/raw_writer.h"

#include <charconv>

#include "common/civil_time.h"

namespace leadscore {
namespace {

void AppendInt(int64_t value, std::string& out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

void AppendCents(int64_t cents, std::string& out) {
  AppendInt(cents / 100, out);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + cents % 100 / 10));
  out.push_back(static_cast<char>('0' + cents % 10));
}

}  // namespace

std::string NumberedId(char prefix, int64_t number) {
  std::string id(11, '0');
  id[0] = prefix;
  for (size_t i = 10; i > 0 && number > 0; --i, number /= 10) {
    id[i] = static_cast<char>('0' + number % 10);
  }
  return id;
}

Result<RawWriter> RawWriter::Open(AtomicFileSet& files, const std::filesystem::path& dir) {
  RawWriter writer;
  struct Table {
    const char* file;
    const char* header;
    OutputFile** slot;
  };
  const Table tables[] = {
      {"sessions.csv",
       "visitor_id,session_id,session_start,ga_session_number,session_default_channel_group,"
       "engagement_time_msec,page_views\n",
       &writer.sessions_},
      {"contacts.csv", "contact_id,visitor_id,email,created_at\n", &writer.contacts_},
      {"deals.csv", "deal_id,contact_id,stage,amount,close_date\n", &writer.deals_},
      {"truth.csv", "visitor_id,p_won\n", &writer.truth_},
  };
  for (const auto& table : tables) {
    auto file = files.Open(dir / table.file);
    if (!file.ok()) return file.status();
    *table.slot = file.value();
    (*table.slot)->Append(table.header);
  }
  return writer;
}

void RawWriter::WriteSession(std::string_view visitor_id, const Session& session,
                             std::string_view channel) {
  std::string& out = sessions_->buffer();
  out.append(visitor_id).push_back(',');
  out.append(visitor_id).push_back('-');
  AppendInt(session.session_number, out);
  out.push_back(',');
  AppendTimestamp(session.start, out);
  out.push_back(',');
  AppendInt(session.session_number, out);
  out.push_back(',');
  out.append(channel).push_back(',');
  AppendInt(session.engagement_msec, out);
  out.push_back(',');
  AppendInt(session.page_views, out);
  out.push_back('\n');
  sessions_->MaybeFlush();
}

void RawWriter::WriteContact(std::string_view contact_id, std::string_view visitor_id,
                             std::string_view email, int64_t created_at) {
  std::string& out = contacts_->buffer();
  out.append(contact_id).push_back(',');
  out.append(visitor_id).push_back(',');
  out.append(email).push_back(',');
  AppendTimestamp(created_at, out);
  out.push_back('\n');
  contacts_->MaybeFlush();
}

void RawWriter::WriteDeal(int64_t deal_number, std::string_view contact_id, DealStage stage,
                          int64_t amount_cents, int64_t close_date) {
  static constexpr std::string_view kStageNames[] = {"closedwon", "closedlost", "open"};
  std::string& out = deals_->buffer();
  out.append(NumberedId('D', deal_number)).push_back(',');
  out.append(contact_id).push_back(',');
  out.append(kStageNames[static_cast<int>(stage)]).push_back(',');
  if (amount_cents >= 0) AppendCents(amount_cents, out);
  out.push_back(',');
  if (close_date >= 0) AppendTimestamp(close_date, out);
  out.push_back('\n');
  deals_->MaybeFlush();
}

void RawWriter::WriteTruth(std::string_view visitor_id, double p_won) {
  std::string& out = truth_->buffer();
  out.append(visitor_id).push_back(',');
  char digits[32];
  auto [end, ec] =
      std::to_chars(digits, digits + sizeof digits, p_won, std::chars_format::fixed, 6);
  out.append(digits, end);
  out.push_back('\n');
  truth_->MaybeFlush();
}

}  // namespace leadscore
