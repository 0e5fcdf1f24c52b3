#include "indexer/extract/office_archive.h"

#include <zip.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indexer/extract/document.h"
#include "indexer/extract/file_prefix.h"
#include "tests/unit/indexer/extract/extract_test_util.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::ReadBytes;
using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::assistd::testing::WriteBytes;
using ::assistd::testing::ZipEntries;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Optional;

// Overwrites the uncompressed size that both headers of `entry` declare.
void ForgeDeclaredSize(const std::string& path, const std::string& entry,
                       uint32_t size) {
  std::string zip = ReadBytes(path);
  auto u16 = [&](size_t at) {
    return static_cast<uint8_t>(zip[at]) | static_cast<uint8_t>(zip[at + 1])
                                               << 8;
  };
  // {signature, offset of the size field, of the name length, of the name}
  const struct {
    const char* sig;
    size_t size_at, len_at, name_at;
  } kinds[] = {{"PK\x03\x04", 22, 26, 30}, {"PK\x01\x02", 24, 28, 46}};
  int patched = 0;
  for (const auto& kind : kinds) {
    for (size_t at = zip.find(kind.sig); at != std::string::npos;
         at = zip.find(kind.sig, at + 1)) {
      if (zip.compare(at + kind.name_at, u16(at + kind.len_at), entry) != 0) {
        continue;
      }
      for (int i = 0; i < 4; ++i) zip[at + kind.size_at + i] = size >> (8 * i);
      ++patched;
    }
  }
  ASSERT_EQ(patched, 2);
  WriteBytes(path, zip);
}

class OfficeArchiveTest : public ::testing::Test {
 protected:
  std::string WriteZip(const ZipEntries& entries,
                       const std::pair<std::string, zip_uint64_t>& zeros = {}) {
    return ::assistd::testing::WriteZip(
        dir_.File(absl::StrCat("zip", count_++)), entries, zeros);
  }

  std::unique_ptr<OfficeArchive> Open(const std::string& path,
                                      const OfficeLimits& limits = {}) {
    absl::StatusOr<std::unique_ptr<OfficeArchive>> archive =
        OfficeArchive::Open(path, "DOCX", limits);
    EXPECT_TRUE(archive.ok()) << archive.status();
    return archive.ok() ? *std::move(archive) : nullptr;
  }

  // Reads `names` in turn from one archive with entries "a" (1000 bytes)
  // and "b" (1001 bytes); how each read went (kNotAFileError: it worked).
  std::vector<FileErrorKind> ReadSmallEntries(
      const OfficeLimits& limits, const std::vector<std::string>& names) {
    std::unique_ptr<OfficeArchive> archive =
        Open(WriteZip({{"a", std::string(1000, 'a')},
                       {"b", std::string(1001, 'b')}}),
             limits);
    std::vector<FileErrorKind> kinds;
    if (archive == nullptr) return kinds;
    for (const std::string& name : names) {
      kinds.push_back(ClassifyFileError(archive->Read(name).status()));
    }
    return kinds;
  }

  TempDir dir_;
  int count_ = 0;
};

TEST_F(OfficeArchiveTest, ReadsEntriesByNameIgnoringCase) {
  auto archive = Open(WriteZip(
      {{"word/document.xml", "<doc/>"}, {"Word/Styles.XML", "<styles/>"}}));
  ASSERT_NE(archive, nullptr);
  EXPECT_THAT(archive->Read("word/document.xml"),
              IsOkAndHolds(Optional(std::string("<doc/>"))));
  EXPECT_THAT(archive->Read("word/styles.xml"),
              IsOkAndHolds(Optional(std::string("<styles/>"))));
  EXPECT_THAT(archive->Read("word/missing.xml"), IsOkAndHolds(std::nullopt));
  EXPECT_TRUE(archive->Contains("WORD/DOCUMENT.XML"));
  EXPECT_FALSE(archive->Contains("word/missing.xml"));
}

TEST_F(OfficeArchiveTest, PrefersTheExactlyNamedEntry) {
  auto archive = Open(WriteZip({{"A.xml", "upper"}, {"a.xml", "lower"}}));
  ASSERT_NE(archive, nullptr);
  EXPECT_THAT(archive->Read("a.xml"),
              IsOkAndHolds(Optional(std::string("lower"))));
  EXPECT_THAT(archive->Read("A.xml"),
              IsOkAndHolds(Optional(std::string("upper"))));
}

TEST_F(OfficeArchiveTest, MissingRequiredEntryIsInvalidFile) {
  auto archive = Open(WriteZip({{"readme.txt", "hi"}}));
  ASSERT_NE(archive, nullptr);
  EXPECT_THAT(archive->ReadRequired("word/document.xml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("DOCX has no word/document.xml")));
  EXPECT_THAT(archive->ReadRequired("readme.txt"), IsOkAndHolds("hi"));
}

TEST_F(OfficeArchiveTest, OpenClassifiesBadFiles) {
  EXPECT_THAT(OfficeArchive::Open(dir_.File("missing.docx"), "DOCX"),
              StatusIs(absl::StatusCode::kNotFound));
  const std::string ole = WriteBytes(
      dir_.File("ole"), std::string(kOleMagic) + std::string(504, '\0'));
  EXPECT_EQ(ClassifyFileError(OfficeArchive::Open(ole, "PPTX").status()),
            FileErrorKind::kUnsupported);
  for (const std::string bytes : {"PK\x03\x04 not a zip", "plain text"}) {
    const std::string path = WriteBytes(dir_.File("bad"), bytes);
    auto archive = OfficeArchive::Open(path, "DOCX");
    EXPECT_EQ(ClassifyFileError(archive.status()), FileErrorKind::kInvalid)
        << archive.status();
  }
}

TEST_F(OfficeArchiveTest, EntryCapCountsInflatedBytesNotDeclaredSize) {
  const std::string path = WriteZip({}, {"big.xml", zip_uint64_t{8} << 20});
  ForgeDeclaredSize(path, "big.xml", 100);
  OfficeLimits limits;
  limits.max_entry_bytes = 1 << 20;
  auto archive = Open(path, limits);
  ASSERT_NE(archive, nullptr);
  EXPECT_THAT(archive->Read("big.xml"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("DOCX entry big.xml inflates past")));
}

TEST_F(OfficeArchiveTest, EntryAtTheCapIsRead) {
  OfficeLimits limits;
  limits.max_entry_bytes = 1000;
  EXPECT_THAT(
      ReadSmallEntries(limits, {"a", "b"}),
      ElementsAre(FileErrorKind::kNotAFileError, FileErrorKind::kInvalid));
}

TEST_F(OfficeArchiveTest, TotalCapSpansReads) {
  OfficeLimits limits;
  limits.max_total_bytes = 2500;  // "a" twice and "b" once is 3001 bytes
  EXPECT_THAT(
      ReadSmallEntries(limits, {"a", "b", "a"}),
      ElementsAre(FileErrorKind::kNotAFileError, FileErrorKind::kNotAFileError,
                  FileErrorKind::kInvalid));
}

TEST_F(OfficeArchiveTest, CorruptEntryDataIsInvalidFile) {
  std::string bytes =
      ReadBytes(WriteZip({{"word/document.xml", std::string(4000, 'x')}}));
  // Flip bytes inside the deflated data of word/document.xml.
  const size_t header = bytes.find("word/document.xml") - 30;
  auto u16 = [&](size_t at) {
    return static_cast<uint8_t>(bytes[at]) | static_cast<uint8_t>(bytes[at + 1])
                                                 << 8;
  };
  const size_t data = header + 30 + u16(header + 26) + u16(header + 28);
  for (size_t i = data + 2; i < data + 10; ++i) bytes[i] = ~bytes[i];
  auto archive = Open(WriteBytes(dir_.File("corrupt"), bytes));
  ASSERT_NE(archive, nullptr);
  auto read = archive->Read("word/document.xml");
  EXPECT_EQ(ClassifyFileError(read.status()), FileErrorKind::kInvalid)
      << read.status();
}

}  // namespace
}  // namespace assistd::extract
