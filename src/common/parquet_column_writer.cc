#include "common/parquet_column_writer.h"

#include <bit>
#include <cstring>

namespace leadscore::parquet {
namespace {

static_assert(std::endian::native == std::endian::little,
              "PLAIN values are copied as they lie in memory: little-endian only");

void AppendU32(uint32_t value, std::string& out) {
  char bytes[4];
  std::memcpy(bytes, &value, 4);
  out.append(bytes, 4);
}

// Per dictionary entry, what a hash map node costs besides the key's bytes.
constexpr size_t kDictionaryEntryOverhead = 64;

}  // namespace

void ColumnWriter::IndexBuffer::Push(uint32_t index) {
  if (width_ < 4 && (index >> (8 * width_)) != 0) {
    const size_t wider = width_ == 1 ? 2 : 4;
    std::vector<uint8_t> widened(size() * wider, 0);
    for (size_t i = 0; i < size(); ++i) {
      const uint32_t value = (*this)[i];
      std::memcpy(&widened[i * wider], &value, wider);  // little-endian: the low bytes
    }
    bytes_ = std::move(widened);
    width_ = wider;
  }
  const size_t at = bytes_.size();
  bytes_.resize(at + width_);
  std::memcpy(&bytes_[at], &index, width_);
}

uint32_t ColumnWriter::IndexBuffer::operator[](size_t i) const {
  uint32_t value = 0;
  std::memcpy(&value, &bytes_[i * width_], width_);
  return value;
}

void ColumnWriter::IndexBuffer::Clear() {
  bytes_.clear();
  width_ = 1;
}

ColumnWriter::ColumnWriter(ColumnDescriptor descriptor)
    : descriptor_(std::move(descriptor)),
      definitions_(BitWidthFor(static_cast<uint64_t>(descriptor_.max_definition))),
      repetitions_(BitWidthFor(static_cast<uint64_t>(descriptor_.max_repetition))) {}

void ColumnWriter::PutLevels(int definition, int repetition) {
  if (descriptor_.max_definition > 0) definitions_.Put(static_cast<uint32_t>(definition));
  if (descriptor_.max_repetition > 0) repetitions_.Put(static_cast<uint32_t>(repetition));
  ++num_values_;
}

void ColumnWriter::PutString(std::string_view value, int repetition) {
  PutLevels(descriptor_.max_definition, repetition);
  const auto address = reinterpret_cast<uintptr_t>(value.data());
  // Fibonacci hashing of the address: literals lie a few bytes apart, the top bits differ.
  CacheSlot& slot = cache_[((address ^ value.size()) * 0x9E3779B97F4A7C15ull) >> 59];
  if (slot.key.data() == nullptr || slot.data != value.data() || slot.key != value) {
    auto found = dictionary_.find(value);
    if (found == dictionary_.end()) {
      found =
          dictionary_.emplace(std::string(value), static_cast<uint32_t>(dictionary_.size())).first;
      AppendU32(static_cast<uint32_t>(value.size()), dictionary_page_);
      dictionary_page_.append(value);
    }
    slot = {value.data(), found->first, found->second};
  }
  indices_.Push(slot.index);
}

void ColumnWriter::PutInt64(int64_t value, int repetition) {
  PutLevels(descriptor_.max_definition, repetition);
  char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  plain_.append(bytes, sizeof value);
}

void ColumnWriter::PutDouble(double value, int repetition) {
  PutLevels(descriptor_.max_definition, repetition);
  char bytes[sizeof value];
  std::memcpy(bytes, &value, sizeof value);
  plain_.append(bytes, sizeof value);
}

void ColumnWriter::PutNull(int definition, int repetition) { PutLevels(definition, repetition); }

size_t ColumnWriter::buffered_bytes() const {
  return definitions_.buffered_bytes() + repetitions_.buffered_bytes() + plain_.size() +
         indices_.bytes() + dictionary_page_.size() + dictionary_.size() * kDictionaryEntryOverhead;
}

Status ColumnWriter::AppendPage(PageCompressor& compressor, PageType type, int32_t num_values,
                                Encoding encoding, std::string_view body, std::string& out,
                                ColumnChunkMetaData& meta) {
  auto stored = compressor.Compress(body);
  if (!stored.ok()) return stored.status();
  PageHeader header;
  header.type = type;
  header.uncompressed_size = static_cast<int32_t>(body.size());
  header.compressed_size = static_cast<int32_t>(stored.value().size());
  header.num_values = num_values;
  header.encoding = encoding;
  const size_t header_at = out.size();
  SerializePageHeader(header, out);
  const auto header_size = static_cast<int64_t>(out.size() - header_at);
  out.append(stored.value());
  meta.total_uncompressed_size += header_size + header.uncompressed_size;
  meta.total_compressed_size += header_size + header.compressed_size;
  return Status::Ok();
}

Result<ColumnChunkMetaData> ColumnWriter::WriteChunk(PageCompressor& compressor, int64_t offset,
                                                     std::string& out) {
  ColumnChunkMetaData meta;
  meta.type = descriptor_.type;
  meta.path = descriptor_.path;
  meta.codec = compressor.codec();
  meta.num_values = num_values_;
  const size_t start = out.size();
  // A string column with no value in this row group has no dictionary: PLAIN, no values.
  const bool dictionary = !dictionary_.empty();
  if (dictionary) {
    meta.dictionary_page_offset = offset;
    LEADSCORE_RETURN_IF_ERROR(AppendPage(compressor, PageType::kDictionaryPage,
                                         static_cast<int32_t>(dictionary_.size()), Encoding::kPlain,
                                         dictionary_page_, out, meta));
    meta.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  } else {
    meta.encodings = {Encoding::kPlain, Encoding::kRle};
  }
  meta.data_page_offset = offset + static_cast<int64_t>(out.size() - start);

  // Data page v1: [repetition levels][definition levels] (each a 4-byte length and the
  // RLE hybrid), then the values.
  std::string& page = compressor.page_scratch();
  page.clear();
  for (auto [levels, max] : {std::pair{&repetitions_, descriptor_.max_repetition},
                             std::pair{&definitions_, descriptor_.max_definition}}) {
    if (max == 0) continue;
    const size_t length_at = page.size();
    AppendU32(0, page);
    levels->Finish(page);
    const auto length = static_cast<uint32_t>(page.size() - length_at - 4);
    std::memcpy(&page[length_at], &length, 4);
  }
  if (dictionary) {
    const int width = BitWidthFor(dictionary_.size() - 1);
    page.push_back(static_cast<char>(width));
    RleHybridEncoder encoder(width);
    for (size_t i = 0; i < indices_.size(); ++i) encoder.Put(indices_[i]);
    encoder.Finish(page);
  } else {
    page.append(plain_);
  }
  LEADSCORE_RETURN_IF_ERROR(
      AppendPage(compressor, PageType::kDataPage, static_cast<int32_t>(num_values_),
                 dictionary ? Encoding::kRleDictionary : Encoding::kPlain, page, out, meta));
  num_values_ = 0;
  plain_.clear();
  dictionary_.clear();
  dictionary_page_.clear();
  indices_.Clear();
  cache_.fill({});
  return meta;
}

}  // namespace leadscore::parquet
