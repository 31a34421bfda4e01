#include "sync/crm_reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <utility>

#include "sync/iso_time.h"

namespace leadscore {
namespace {

// Ordered: objects are written back with HubSpot's key order.
using Json = nlohmann::ordered_json;

Result<Json> ParseBody(const std::string& body, const std::string& call) {
  Json json = Json::parse(body, nullptr, false);
  if (!json.is_object()) return Status::Error(call + ": the answer is not a JSON object");
  return json;
}

std::string StringField(const Json& object, const char* key) {
  auto found = object.find(key);
  if (found == object.end()) return "";
  if (found->is_string()) return found->get<std::string>();
  if (found->is_number_integer()) return std::to_string(found->get<int64_t>());
  if (found->is_number_unsigned()) return std::to_string(found->get<uint64_t>());
  return "";
}

// paging.next.after of a page, or "" on the last page.
std::string NextAfter(const Json& page) {
  auto paging = page.find("paging");
  if (paging == page.end() || !paging->is_object()) return "";
  auto next = paging->find("next");
  if (next == paging->end() || !next->is_object()) return "";
  return StringField(*next, "after");
}

Result<CrmObject> ToObject(const Json& json, const CrmObjectType& type, const std::string& call) {
  CrmObject object;
  object.id = StringField(json, "id");
  if (object.id.empty()) return Status::Error(call + ": a result has no id");
  std::string modified;
  auto properties = json.find("properties");
  if (properties != json.end() && properties->is_object()) {
    modified = StringField(*properties, type.modified_property.c_str());
  }
  if (modified.empty()) modified = StringField(json, "updatedAt");
  if (!modified.empty()) {
    auto millis = ParseIsoMillis(modified);
    if (!millis.ok()) {
      return millis.status().WithContext(
          fmt::format("{}: {} {} {}", call, type.name, object.id, type.modified_property));
    }
    object.modified_ms = millis.value();
  }
  auto archived = json.find("archived");
  object.archived = archived != json.end() && archived->is_boolean() && archived->get<bool>();
  object.json = json.dump();
  return object;
}

std::string JoinProperties(const CrmObjectType& type) {
  std::string out;
  for (const std::string& property : type.properties) {
    if (!out.empty()) out += ',';
    out += EncodeQueryValue(property);
  }
  return out;
}

// Sets `deal`'s associations.contacts to the list endpoint's shape; no contacts: no key, as
// the list endpoint omits it.
void SetContacts(Json& deal, const std::vector<std::string>& contact_ids) {
  if (contact_ids.empty()) {
    auto associations = deal.find("associations");
    if (associations != deal.end() && associations->is_object()) associations->erase("contacts");
    if (associations != deal.end() && associations->empty()) deal.erase("associations");
    return;
  }
  Json results = Json::array();
  for (const std::string& id : contact_ids) {
    results.push_back(Json{{"id", id}, {"type", "deal_to_contact"}});
  }
  deal["associations"]["contacts"] = Json{{"results", std::move(results)}};
}

// Deals of a list page whose embedded contact associations continue on further pages: their
// full lists are read with the associations API and replace the embedded first page.
Status CompleteContacts(HubSpotClient& client, std::vector<Json>& deals,
                        const CrmReadOptions& options) {
  std::vector<std::string> partial;
  for (const Json& deal : deals) {
    auto associations = deal.find("associations");
    if (associations == deal.end() || !associations->is_object()) continue;
    auto contacts = associations->find("contacts");
    if (contacts != associations->end() && contacts->is_object() && !NextAfter(*contacts).empty()) {
      partial.push_back(StringField(deal, "id"));
    }
  }
  if (partial.empty()) return Status::Ok();
  auto contacts = ReadDealContacts(client, partial, options);
  if (!contacts.ok()) return contacts.status();
  for (Json& deal : deals) {
    std::string id = StringField(deal, "id");
    bool wanted = false;
    for (const std::string& p : partial) wanted = wanted || p == id;
    if (!wanted) continue;
    auto found = contacts.value().find(id);
    SetContacts(deal, found == contacts.value().end() ? std::vector<std::string>{} : found->second);
  }
  return Status::Ok();
}

Result<std::vector<CrmObject>> ListPages(HubSpotClient& client, const CrmObjectType& type,
                                         const CrmReadOptions& options, bool archived) {
  std::vector<CrmObject> out;
  std::string after;
  int page = 0;
  do {
    ++page;
    std::string path = fmt::format("/crm/v3/objects/{}?limit={}&properties={}", type.name,
                                   options.page_size, JoinProperties(type));
    if (type.with_contacts && !archived) path += "&associations=contacts";
    if (archived) path += "&archived=true";
    if (!after.empty()) path += "&after=" + EncodeQueryValue(after);
    auto body = client.Get(path);
    if (!body.ok()) return body.status().WithContext(fmt::format("{} page {}", type.name, page));
    const std::string call = "HubSpot GET " + path;
    auto json = ParseBody(body.value(), call);
    if (!json.ok()) return json.status();
    auto results = json.value().find("results");
    if (results == json.value().end() || !results->is_array()) {
      return Status::Error(call + ": the answer has no results array");
    }
    std::vector<Json> objects(results->begin(), results->end());
    if (type.with_contacts && !archived) {
      LEADSCORE_RETURN_IF_ERROR(CompleteContacts(client, objects, options));
    }
    for (const Json& json_object : objects) {
      auto object = ToObject(json_object, type, call);
      if (!object.ok()) return object.status();
      out.push_back(std::move(object.value()));
    }
    std::string next = NextAfter(json.value());
    if (!next.empty() && next == after) {
      return Status::Error(call + ": paging.next.after repeats the cursor of the page itself");
    }
    after = std::move(next);
  } while (!after.empty());
  return out;
}

Result<std::vector<CrmObject>> ListPagesChecked(HubSpotClient& client, const CrmObjectType& type,
                                                const CrmReadOptions& options, bool archived) {
  try {
    return ListPages(client, type, options, archived);
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(
        fmt::format("reading HubSpot {}: unexpected JSON: {}", type.name, e.what()));
  }
}

}  // namespace

CrmObjectType ContactsType(const std::string& ga4_property) {
  return CrmObjectType{"contacts",
                       "lastmodifieddate",
                       {"email", "createdate", "lastmodifieddate", ga4_property},
                       false};
}

CrmObjectType DealsType() {
  return CrmObjectType{"deals",
                       "hs_lastmodifieddate",
                       {"dealstage", "closedate", "amount", "pipeline", "dealname", "createdate",
                        "hs_lastmodifieddate"},
                       true};
}

Result<std::vector<CrmObject>> ListAllObjects(HubSpotClient& client, const CrmObjectType& type,
                                              const CrmReadOptions& options) {
  return ListPagesChecked(client, type, options, false);
}

Result<std::vector<std::string>> ListArchivedIds(HubSpotClient& client, const CrmObjectType& type,
                                                 const CrmReadOptions& options) {
  CrmObjectType ids_only{type.name, type.modified_property, {"hs_object_id"}, false};
  auto objects = ListPagesChecked(client, ids_only, options, true);
  if (!objects.ok()) return objects.status();
  std::vector<std::string> ids;
  for (const CrmObject& object : objects.value()) ids.push_back(object.id);
  return ids;
}

Result<std::vector<CrmObject>> SearchModifiedSince(HubSpotClient& client, const CrmObjectType& type,
                                                   int64_t since_ms,
                                                   const CrmReadOptions& options) {
  const std::string path = "/crm/v3/objects/" + type.name + "/search";
  const std::string call = "HubSpot POST " + path;
  std::map<std::string, Json> found;  // by id: a restarted query sees some objects again
  std::map<std::string, CrmObject> objects;
  try {
    int64_t from = since_ms;
    std::string after;
    int in_query = 0;  // results this query has returned
    int page = 0;
    int64_t last_seen = since_ms;
    while (true) {
      ++page;
      Json body{
          {"filterGroups",
           Json::array({Json{{"filters", Json::array({Json{{"propertyName", type.modified_property},
                                                           {"operator", "GTE"},
                                                           {"value", std::to_string(from)}}})}}})},
          {"sorts", Json::array({Json{{"propertyName", type.modified_property},
                                      {"direction", "ASCENDING"}}})},
          {"properties", type.properties},
          {"limit", options.page_size}};
      if (!after.empty()) body["after"] = after;
      auto answer = client.Post(path, body.dump(), HubSpotEndpoint::kSearch);
      if (!answer.ok()) {
        return answer.status().WithContext(fmt::format("searching {} page {}", type.name, page));
      }
      auto json = ParseBody(answer.value(), call);
      if (!json.ok()) return json.status();
      auto results = json.value().find("results");
      if (results == json.value().end() || !results->is_array()) {
        return Status::Error(call + ": the answer has no results array");
      }
      for (const Json& result : *results) {
        auto object = ToObject(result, type, call);
        if (!object.ok()) return object.status();
        last_seen = std::max(last_seen, object.value().modified_ms);
        found[object.value().id] = result;
        objects[object.value().id] = std::move(object.value());
      }
      in_query += static_cast<int>(results->size());
      std::string next = NextAfter(json.value());
      if (next.empty()) break;
      if (in_query + options.page_size > options.search_result_cap) {
        // The search pages through at most search_result_cap results: continue with a new
        // query from the newest timestamp seen (objects at that time are seen again).
        if (last_seen <= from) {
          return Status::Error(fmt::format(
              "{}: more than {} {} were modified at {}; the search cannot page past them, "
              "run with --full",
              call, options.search_result_cap, type.name, FormatIsoMillis(from)));
        }
        from = last_seen;
        after.clear();
        in_query = 0;
        continue;
      }
      after = std::move(next);
    }
    std::vector<CrmObject> out;
    out.reserve(objects.size());
    if (type.with_contacts) {
      std::vector<std::string> ids;
      ids.reserve(objects.size());
      for (const auto& [id, object] : objects) ids.push_back(id);
      auto contacts = ReadDealContacts(client, ids, options);
      if (!contacts.ok()) return contacts.status();
      for (auto& [id, json] : found) {
        auto deal_contacts = contacts.value().find(id);
        SetContacts(json, deal_contacts == contacts.value().end() ? std::vector<std::string>{}
                                                                  : deal_contacts->second);
        objects[id].json = json.dump();
      }
    }
    for (auto& [id, object] : objects) out.push_back(std::move(object));
    return out;
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(fmt::format("{}: unexpected JSON: {}", call, e.what()));
  }
}

Result<std::map<std::string, std::vector<std::string>>> ReadDealContacts(
    HubSpotClient& client, const std::vector<std::string>& deal_ids,
    const CrmReadOptions& options) {
  const std::string path = "/crm/v4/associations/deals/contacts/batch/read";
  const std::string call = "HubSpot POST " + path;
  std::map<std::string, std::vector<std::string>> out;
  try {
    // (deal id, after cursor) still to read; a deal with more contacts than one page comes
    // back with paging.next.after and is asked again from there.
    std::vector<std::pair<std::string, std::string>> pending;
    pending.reserve(deal_ids.size());
    for (const std::string& id : deal_ids) pending.emplace_back(id, "");
    for (int round = 0; !pending.empty(); ++round) {
      constexpr int kMaxRounds = 100000;  // 100 contacts a round: far beyond any real deal
      if (round == kMaxRounds) return Status::Error(call + ": paging does not end");
      std::vector<std::pair<std::string, std::string>> again;
      for (size_t start = 0; start < pending.size();
           start += static_cast<size_t>(options.association_batch)) {
        Json inputs = Json::array();
        size_t end =
            std::min(pending.size(), start + static_cast<size_t>(options.association_batch));
        for (size_t i = start; i < end; ++i) {
          Json input{{"id", pending[i].first}};
          if (!pending[i].second.empty()) input["after"] = pending[i].second;
          inputs.push_back(std::move(input));
        }
        auto answer = client.Post(path, Json{{"inputs", std::move(inputs)}}.dump());
        if (!answer.ok()) return answer.status().WithContext("reading deals' contacts");
        auto json = ParseBody(answer.value(), call);
        if (!json.ok()) return json.status();
        auto results = json.value().find("results");
        if (results == json.value().end() || !results->is_array()) {
          return Status::Error(call + ": the answer has no results array");
        }
        for (const Json& result : *results) {
          std::string from = result.contains("from") ? StringField(result["from"], "id") : "";
          if (from.empty()) return Status::Error(call + ": a result has no from.id");
          std::vector<std::string>& contacts = out[from];
          if (result.contains("to") && result["to"].is_array()) {
            for (const Json& to : result["to"]) {
              std::string contact = StringField(to, "toObjectId");
              if (contact.empty()) return Status::Error(call + ": a result has no toObjectId");
              if (std::find(contacts.begin(), contacts.end(), contact) == contacts.end()) {
                contacts.push_back(contact);
              }
            }
          }
          std::string next = NextAfter(result);
          if (!next.empty()) again.emplace_back(from, next);
        }
      }
      pending = std::move(again);
    }
  } catch (const nlohmann::json::exception& e) {
    return Status::Error(fmt::format("{}: unexpected JSON: {}", call, e.what()));
  }
  for (auto it = out.begin(); it != out.end();) {
    it = it->second.empty() ? out.erase(it) : std::next(it);
  }
  return out;
}

}  // namespace leadscore
