// One leaf column of a Parquet file being written: buffers a row group's levels and values,
// then writes them as one column chunk. Strings are dictionary-encoded (a PLAIN dictionary
// page and an RLE_DICTIONARY data page: the generator's strings repeat), INT64 and DOUBLE
// are PLAIN. Levels are RLE-encoded as they arrive, so a long run of defined values costs
// almost nothing. Not thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/parquet_metadata.h"
#include "common/parquet_page_compressor.h"
#include "common/parquet_rle.h"

namespace leadscore::parquet {

// A leaf of the schema: its path below the root, type, and maximum levels (Dremel: the
// definition level counts the optional/repeated ancestors present, the repetition level
// the repeated ancestor that repeats).
struct ColumnDescriptor {
  std::vector<std::string> path;
  PhysicalType type = PhysicalType::kByteArray;
  int max_definition = 0;
  int max_repetition = 0;
};

class ColumnWriter {
 public:
  explicit ColumnWriter(ColumnDescriptor descriptor);

  // One entry of the column: a value (at the maximum definition level) or a null / empty
  // list at `definition` < max. `repetition` is 0 for a row's first entry. The value's call
  // must match the column's type (not checked on this hot path).
  void PutString(std::string_view value, int repetition = 0);
  void PutInt64(int64_t value, int repetition = 0);
  void PutDouble(double value, int repetition = 0);
  void PutNull(int definition, int repetition = 0);

  const ColumnDescriptor& descriptor() const { return descriptor_; }
  int64_t num_values() const { return num_values_; }  // entries, nulls included
  size_t buffered_bytes() const;                      // memory held for the open row group

  // Appends the column chunk (dictionary page if any, one data page) to `out`, whose first
  // byte will be at file offset `offset`; returns its metadata and starts an empty chunk.
  Result<ColumnChunkMetaData> WriteChunk(PageCompressor& compressor, int64_t offset,
                                         std::string& out);

 private:
  // Dictionary indices in 1, 2 or 4 bytes each: widened when the dictionary outgrows them.
  class IndexBuffer {
   public:
    void Push(uint32_t index);
    uint32_t operator[](size_t i) const;
    size_t size() const { return bytes_.size() / width_; }
    size_t bytes() const { return bytes_.size(); }
    void Clear();

   private:
    std::vector<uint8_t> bytes_;
    size_t width_ = 1;
  };
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  void PutLevels(int definition, int repetition);
  Status AppendPage(PageCompressor& compressor, PageType type, int32_t num_values,
                    Encoding encoding, std::string_view body, std::string& out,
                    ColumnChunkMetaData& meta);

  ColumnDescriptor descriptor_;
  RleHybridEncoder definitions_;
  RleHybridEncoder repetitions_;
  int64_t num_values_ = 0;
  std::string plain_;  // PLAIN values of INT64 / DOUBLE columns
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> dictionary_;
  std::string dictionary_page_;  // PLAIN BYTE_ARRAY entries in index order
  IndexBuffer indices_;
  // Recent strings by address: the generator passes the same few buffers again and again,
  // so most lookups end here (the content is still compared) instead of hashing.
  struct CacheSlot {
    const char* data = nullptr;
    std::string_view key;  // a key of dictionary_
    uint32_t index = 0;
  };
  std::array<CacheSlot, 32> cache_{};  // indexed by the top 5 bits of a hash
};

}  // namespace leadscore::parquet
