#include "common/parquet_rle.h"

#include "common/parquet_thrift.h"

namespace leadscore::parquet {

int BitWidthFor(uint64_t max_value) {
  int width = 1;
  while (width < 64 && (max_value >> width) != 0) ++width;
  return width;
}

// The scheme of Arrow's RleEncoder: values are grouped by 8; a group whose 8 values are
// equal starts (or extends) an RLE run, which then absorbs equal values without buffering;
// other groups join the open bit-packed run.
void RleHybridEncoder::Put(uint32_t value) {
  if (value == current_ && repeat_count_ > 0) {
    ++repeat_count_;
    if (repeat_count_ > 8) return;  // extends the RLE run: nothing to buffer
  } else {
    if (repeat_count_ >= 8) FlushRepeatedRun();
    repeat_count_ = 1;
    current_ = value;
  }
  buffered_[num_buffered_++] = value;
  if (num_buffered_ == 8) FlushBuffered();
}

void RleHybridEncoder::FlushBuffered() {
  if (repeat_count_ >= 8) {  // the 8 buffered values are the start of an RLE run
    num_buffered_ = 0;
    if (literal_header_at_ != kNoLiteralRun) FlushLiteralRun();
    return;
  }
  PackGroup();
  num_buffered_ = 0;
  repeat_count_ = 0;
}

void RleHybridEncoder::FlushRepeatedRun() {
  AppendVarint(static_cast<uint64_t>(repeat_count_) << 1, bytes_);
  const int value_bytes = (bit_width_ + 7) / 8;
  for (int i = 0; i < value_bytes; ++i) bytes_.push_back(static_cast<char>(current_ >> (8 * i)));
  repeat_count_ = 0;
}

void RleHybridEncoder::PackGroup() {
  if (literal_header_at_ == kNoLiteralRun) {
    literal_header_at_ = bytes_.size();
    bytes_.push_back('\0');  // the header, written when the run closes
  }
  // Bit-packed little-endian: value i occupies bits [i*w, (i+1)*w) of the group, and 8
  // values of w bits are exactly w bytes.
  uint64_t accumulator = 0;
  int filled = 0;
  for (uint32_t value : buffered_) {
    accumulator |= uint64_t{value} << filled;
    filled += bit_width_;
    while (filled >= 8) {
      bytes_.push_back(static_cast<char>(accumulator & 0xFF));
      accumulator >>= 8;
      filled -= 8;
    }
  }
  if (++literal_groups_ == 63) FlushLiteralRun();
}

void RleHybridEncoder::FlushLiteralRun() {
  bytes_[literal_header_at_] = static_cast<char>((literal_groups_ << 1) | 1);
  literal_header_at_ = kNoLiteralRun;
  literal_groups_ = 0;
}

void RleHybridEncoder::Finish(std::string& out) {
  const bool open_run = literal_header_at_ != kNoLiteralRun;
  if (repeat_count_ > 0 && !open_run && repeat_count_ >= num_buffered_) {
    FlushRepeatedRun();  // all that is pending is one value repeated
  } else if (num_buffered_ > 0) {
    for (int i = num_buffered_; i < 8; ++i) buffered_[i] = 0;
    PackGroup();
  }
  if (literal_header_at_ != kNoLiteralRun) FlushLiteralRun();
  num_buffered_ = 0;
  repeat_count_ = 0;
  current_ = 0;
  out.append(bytes_);
  bytes_.clear();
}

}  // namespace leadscore::parquet
