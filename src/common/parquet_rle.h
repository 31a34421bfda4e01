// Parquet's RLE / bit-packing hybrid encoding (Encodings.md, "RLE"), used for repetition and
// definition levels and for dictionary indices. Values stream in one at a time; runs of 8 or
// more equal values become RLE runs, everything else bit-packed groups of 8 (the last group
// padded with zeros: readers know the value count from the page header). Groups are packed
// as they complete, so memory is the encoded bytes plus 8 pending values.
// Not thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace leadscore::parquet {

// Bits needed for values 0..max_value (at least 1).
int BitWidthFor(uint64_t max_value);

class RleHybridEncoder {
 public:
  explicit RleHybridEncoder(int bit_width) : bit_width_(bit_width) {}

  void Put(uint32_t value);
  // Appends the encoding of every value put since the last Finish() (no length prefix) to
  // `out` and starts over empty.
  void Finish(std::string& out);
  // Encoded bytes so far (for memory bounds; pending values not included).
  size_t buffered_bytes() const { return bytes_.size(); }

 private:
  static constexpr size_t kNoLiteralRun = SIZE_MAX;
  void FlushBuffered();
  void FlushRepeatedRun();
  void PackGroup();  // the 8 buffered values into the open bit-packed run
  void FlushLiteralRun();

  int bit_width_;
  std::string bytes_;  // runs so far, the open bit-packed run included
  // The open bit-packed run: where its one-byte header goes, and its groups so far (at most
  // 63, so that the header fits one byte, as Arrow does).
  size_t literal_header_at_ = kNoLiteralRun;
  uint64_t literal_groups_ = 0;
  std::array<uint32_t, 8> buffered_{};
  int num_buffered_ = 0;
  uint32_t current_ = 0;
  int64_t repeat_count_ = 0;  // trailing values equal to current_ since the last group flush
};

}  // namespace leadscore::parquet
