#include "serve/model_store.h"

namespace leadscore::serve {

ModelStore::ModelStore(std::shared_ptr<const LeadModel> initial) { Swap(std::move(initial)); }

std::shared_ptr<const LeadModel> ModelStore::Current() const {
  return current_.load(std::memory_order_acquire);
}

std::shared_ptr<const LeadModel> ModelStore::Swap(std::shared_ptr<const LeadModel> model) {
  auto previous = current_.exchange(std::move(model), std::memory_order_acq_rel);
  // After the exchange: a worker that sees the new generation is sure to load the new model.
  generation_.fetch_add(1, std::memory_order_acq_rel);
  return previous;
}

}  // namespace leadscore::serve
