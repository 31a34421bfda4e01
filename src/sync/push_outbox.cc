#include "sync/push_outbox.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "common/content_hash.h"
#include "common/whole_file.h"

namespace leadscore {
namespace {

bool IsRecordId(const std::string& id) {
  if (id.empty() || id.size() > 20) return false;
  for (char c : id) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// "file:line: " for messages.
std::string Where(const std::filesystem::path& path, size_t line) {
  return fmt::format("{}:{}: ", path.string(), line);
}

}  // namespace

Result<Outbox> ReadOutbox(const std::filesystem::path& path) {
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  Outbox outbox;
  outbox.content_hash = ContentHash(bytes.value());
  std::istringstream lines(bytes.value());
  std::string line;
  size_t number = 0;
  std::map<std::string, size_t> seen;  // id -> line, to reject an id written twice
  while (std::getline(lines, line)) {
    ++number;
    if (line.empty()) continue;
    const std::string where = Where(path, number);
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    if (!json.is_object()) {
      return Status::Error(where + "not a JSON object; each line must be " +
                           R"({"id": "<HubSpot record id>", "properties": {"name": "value"}})");
    }
    OutboxContact contact;
    if (!json.contains("id") || !json["id"].is_string() ||
        !IsRecordId(contact.id = json["id"].get<std::string>())) {
      return Status::Error(where +
                           "field id must be a HubSpot contact record id as a string of digits "
                           "(the lead_id), got " +
                           (json.contains("id") ? json["id"].dump() : std::string("nothing")));
    }
    if (auto [it, added] = seen.emplace(contact.id, number); !added) {
      return Status::Error(
          fmt::format("{}contact {} is already on line {}; an outbox holds each "
                      "contact once",
                      where, contact.id, it->second));
    }
    if (!json.contains("properties") || !json["properties"].is_object() ||
        json["properties"].empty()) {
      return Status::Error(where + "field properties must be a non-empty object of strings");
    }
    for (const auto& [name, value] : json["properties"].items()) {
      if (!value.is_string()) {
        return Status::Error(
            fmt::format("{}field properties.{} must be a string (HubSpot's property value), got {}",
                        where, name, value.dump()));
      }
      contact.properties[name] = value.get<std::string>();
    }
    outbox.contacts.push_back(std::move(contact));
  }
  return outbox;
}

size_t BatchCount(size_t contacts, size_t batch_size) {
  return batch_size == 0 ? 0 : (contacts + batch_size - 1) / batch_size;
}

Result<std::map<size_t, AckedBatch>> ReadJournal(const std::filesystem::path& path,
                                                 const std::string& outbox_hash) {
  std::map<size_t, AckedBatch> acked;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) return acked;
  auto bytes = ReadWholeFile(path);
  if (!bytes.ok()) return bytes.status();
  const std::string& text = bytes.value();
  // Only newline-terminated lines were fully written; a torn tail is ignored.
  size_t start = 0;
  size_t number = 0;
  for (size_t end = text.find('\n'); end != std::string::npos;
       start = end + 1, end = text.find('\n', start)) {
    ++number;
    const std::string line = text.substr(start, end - start);
    if (line.empty()) continue;
    nlohmann::json json = nlohmann::json::parse(line, nullptr, false);
    if (!json.is_object() || !json.contains("outbox") || !json["outbox"].is_string() ||
        !json.contains("batch") || !json["batch"].is_number_unsigned() || !json.contains("first") ||
        !json["first"].is_number_unsigned() || !json.contains("contacts") ||
        !json["contacts"].is_number_unsigned()) {
      return Status::Error(
          Where(path, number) +
          "not a journal record {\"outbox\", \"batch\", \"first\", \"contacts\"}; the "
          "journal is written only by `leadscore push hubspot`: restore it "
          "or remove the outbox and its journal and prepare the changes again");
    }
    if (json["outbox"].get<std::string>() != outbox_hash) {
      return Status::Error(Where(path, number) +
                           fmt::format("this journal records batches of another outbox (content "
                                       "hash {}, the outbox's is {}); the outbox changed after "
                                       "batches were sent: remove the journal only if none of "
                                       "its batches need to count as written",
                                       json["outbox"].get<std::string>(), outbox_hash));
    }
    AckedBatch batch;
    batch.index = json["batch"].get<size_t>();
    batch.first = json["first"].get<size_t>();
    batch.contacts = json["contacts"].get<size_t>();
    if (json.contains("failed") && json["failed"].is_array()) {
      for (const auto& id : json["failed"]) {
        if (id.is_string()) batch.failed.push_back(id.get<std::string>());
      }
    }
    acked[batch.index] = std::move(batch);
  }
  return acked;
}

Status AppendJournal(const std::filesystem::path& path, const std::string& outbox_hash,
                     const AckedBatch& batch) {
  const std::string name = path.string();
  int fd = ::open(name.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) {
    return Status::Error(fmt::format("cannot open the journal {}: {}", name, strerror(errno)));
  }
  auto fail = [&](const char* what) {
    Status status = Status::Error(
        fmt::format("{} the journal {}: {}; the batch was sent but is not recorded, so a rerun "
                    "sends it again (same values)",
                    what, name, strerror(errno)));
    ::close(fd);
    return status;
  };
  // Cut a torn last line, so the new record starts on a line of its own.
  off_t size = ::lseek(fd, 0, SEEK_END);
  if (size > 0) {
    off_t keep = size;
    char c = 0;
    while (keep > 0 && ::pread(fd, &c, 1, keep - 1) == 1 && c != '\n') --keep;
    if (keep != size && ::ftruncate(fd, keep) != 0) return fail("cannot repair");
  }
  nlohmann::json record = {{"outbox", outbox_hash},
                           {"batch", batch.index},
                           {"first", batch.first},
                           {"contacts", batch.contacts},
                           {"failed", batch.failed}};
  const std::string line = record.dump() + "\n";
  size_t written = 0;
  while (written < line.size()) {
    ssize_t n = ::write(fd, line.data() + written, line.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot append to");
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot fsync");
  if (::close(fd) != 0) {
    return Status::Error(fmt::format("cannot close the journal {}: {}", name, strerror(errno)));
  }
  if (size == 0) {
    // A new journal: its directory entry must be durable too, or a crash could lose the file.
    const std::string dir = path.has_parent_path() ? path.parent_path().string() : ".";
    int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) {
      ::fsync(dir_fd);
      ::close(dir_fd);
    }
  }
  return Status::Ok();
}

}  // namespace leadscore
