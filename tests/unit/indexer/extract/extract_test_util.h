#ifndef ASSISTD_TESTS_UNIT_INDEXER_EXTRACT_EXTRACT_TEST_UTIL_H_
#define ASSISTD_TESTS_UNIT_INDEXER_EXTRACT_EXTRACT_TEST_UTIL_H_

// Helpers shared by the text-extraction tests: file and ZIP fixtures, and a
// Document's texts for ElementsAre.

#include <zip.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "indexer/extract/document.h"

namespace assistd::testing {

// The text of every page of `doc`, in order.
inline std::vector<std::string> Texts(const extract::Document& doc) {
  std::vector<std::string> texts;
  for (const extract::TextPage& page : doc.pages) texts.push_back(page.text);
  return texts;
}

// The whole content of the file at `path` ("" if it can't be read).
inline std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Replaces the file at `path` with `bytes`; returns `path`.
inline std::string WriteBytes(const std::string& path,
                              const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  return path;
}

namespace internal {

// Feeds `size` zero bytes to libzip without holding them in memory.
struct ZeroSource {
  zip_uint64_t size = 0;
  zip_uint64_t offset = 0;
  zip_error_t error;
};

inline zip_int64_t ZeroCallback(void* state, void* data, zip_uint64_t len,
                                zip_source_cmd_t cmd) {
  auto* zero = static_cast<ZeroSource*>(state);
  switch (cmd) {
    case ZIP_SOURCE_OPEN:
      zero->offset = 0;
      return 0;
    case ZIP_SOURCE_READ: {
      const zip_uint64_t n = std::min(len, zero->size - zero->offset);
      std::memset(data, 0, n);
      zero->offset += n;
      return static_cast<zip_int64_t>(n);
    }
    case ZIP_SOURCE_STAT: {
      auto* st = static_cast<zip_stat_t*>(data);
      zip_stat_init(st);
      st->size = zero->size;
      st->valid |= ZIP_STAT_SIZE;
      return sizeof(*st);
    }
    case ZIP_SOURCE_ERROR:
      return zip_error_to_data(&zero->error, data, len);
    case ZIP_SOURCE_SUPPORTS:
      return zip_source_make_command_bitmap(
          ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
          ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:
      return 0;
    default:
      return -1;
  }
}

}  // namespace internal

// {entry name, content} in archive order.
using ZipEntries = std::vector<std::pair<std::string, std::string>>;

// Writes a deflated ZIP holding `entries` to `path` and returns `path`. If
// `zeros` names an entry, it is added last with `zeros.second` zero bytes
// streamed (a zip bomb without the memory).
inline std::string WriteZip(
    const std::string& path, const ZipEntries& entries,
    const std::pair<std::string, zip_uint64_t>& zeros = {}) {
  int error = 0;
  zip_t* zip = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
  EXPECT_NE(zip, nullptr) << path;
  if (zip == nullptr) return path;
  for (const auto& [name, data] : entries) {
    zip_source_t* source = zip_source_buffer(zip, data.data(), data.size(), 0);
    EXPECT_GE(zip_file_add(zip, name.c_str(), source, 0), 0) << name;
  }
  internal::ZeroSource zero_source;
  zip_error_init(&zero_source.error);
  if (!zeros.first.empty()) {
    zero_source.size = zeros.second;
    zip_source_t* source =
        zip_source_function(zip, internal::ZeroCallback, &zero_source);
    EXPECT_GE(zip_file_add(zip, zeros.first.c_str(), source, 0), 0);
  }
  EXPECT_EQ(zip_close(zip), 0) << zip_strerror(zip);
  zip_error_fini(&zero_source.error);
  return path;
}

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UNIT_INDEXER_EXTRACT_EXTRACT_TEST_UTIL_H_
