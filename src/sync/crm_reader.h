// Reading HubSpot CRM v3 objects page by page through a HubSpotClient: the list endpoint
// (everything, following paging.next.after), the search endpoint (modified since a time,
// ascending, restarting from the last timestamp seen before the search's 10,000-result cap),
// and the v4 associations batch read that completes deals' contact associations. Objects come
// back as one compact JSON line each, exactly as HubSpot sent them (key order kept), deals
// with `associations.contacts.results[{id, type}]` as the list endpoint embeds them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "sync/hubspot_client.h"

namespace leadscore {

struct CrmObjectType {
  std::string name;               // "contacts" or "deals": the API path segment and the file name
  std::string modified_property;  // "lastmodifieddate" (contacts), "hs_lastmodifieddate" (deals)
  std::vector<std::string> properties;  // requested; the modified property must be one of them
  bool with_contacts = false;           // embed the associated contacts (deals)
};

// The object types leadscore syncs; `ga4_property` is the contact property holding the GA4
// client id (e.g. ga_client_id).
CrmObjectType ContactsType(const std::string& ga4_property);
CrmObjectType DealsType();

struct CrmObject {
  std::string id;
  std::string json;         // one line, no newline
  int64_t modified_ms = 0;  // the modified property (updatedAt when it is missing)
  bool archived = false;
};

struct CrmReadOptions {
  int page_size = 100;            // list endpoint maximum is 100, search 200
  int search_result_cap = 10000;  // results one search query can page through
  int association_batch = 100;    // deal ids per associations batch read
};

// Every unarchived object (GET /crm/v3/objects/{type}?limit=&properties=&associations=&after=).
Result<std::vector<CrmObject>> ListAllObjects(HubSpotClient& client, const CrmObjectType& type,
                                              const CrmReadOptions& options = {});

// The ids of archived objects (the list endpoint with archived=true).
Result<std::vector<std::string>> ListArchivedIds(HubSpotClient& client, const CrmObjectType& type,
                                                 const CrmReadOptions& options = {});

// Objects whose modified property is >= since_ms (POST /crm/v3/objects/{type}/search), each
// once (its newest version), with contact associations read for deals.
Result<std::vector<CrmObject>> SearchModifiedSince(HubSpotClient& client, const CrmObjectType& type,
                                                   int64_t since_ms,
                                                   const CrmReadOptions& options = {});

// Contact ids associated with each deal (POST /crm/v4/associations/deals/contacts/batch/read,
// following each deal's paging.next.after); deals without contacts are absent.
Result<std::map<std::string, std::vector<std::string>>> ReadDealContacts(
    HubSpotClient& client, const std::vector<std::string>& deal_ids,
    const CrmReadOptions& options = {});

}  // namespace leadscore
