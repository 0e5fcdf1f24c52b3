#include "indexer/extract/format_detect.h"

#include <string>
#include <utility>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/indexer/extract/extract_test_util.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::IsOkAndHolds;
using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::assistd::testing::WriteBytes;
using ::assistd::testing::ZipEntries;

class FormatDetectTest : public ::testing::Test {
 protected:
  // Writes `bytes` to a fresh file and returns its path. The file name is
  // deliberately unrelated to the user's file name.
  std::string Write(const std::string& bytes) {
    return WriteBytes(dir_.File("upload" + std::to_string(count_++)), bytes);
  }

  std::string WriteZip(const ZipEntries& entries) {
    return ::assistd::testing::WriteZip(
        dir_.File("zip" + std::to_string(count_++)), entries);
  }

  TempDir dir_;
  int count_ = 0;
};

TEST_F(FormatDetectTest, PdfMagicBeatsExtension) {
  EXPECT_THAT(DetectFormat(Write("%PDF-1.7\n..."), "notes.txt"),
              IsOkAndHolds(Format::kPdf));
  EXPECT_THAT(DetectFormat(Write(std::string(500, ' ') + "%PDF-1.4"), "x"),
              IsOkAndHolds(Format::kPdf));
}

TEST_F(FormatDetectTest, TextMentioningPdfMagicKeepsItsExtension) {
  const std::string notes = Write("A PDF starts with %PDF-1.7 and ...");
  EXPECT_THAT(DetectFormat(notes, "notes.md"), IsOkAndHolds(Format::kMarkdown));
  EXPECT_THAT(DetectFormat(notes, "notes"), IsOkAndHolds(Format::kPdf));
}

TEST_F(FormatDetectTest, MapsExtensions) {
  const std::string text = Write("hello\n");
  const std::pair<const char*, Format> cases[] = {
      {"a.txt", Format::kText},
      {"a.log", Format::kText},
      {"a.md", Format::kMarkdown},
      {"A.MARKDOWN", Format::kMarkdown},
      {"a.json", Format::kJson},
      {"a.jsonl", Format::kJson},
      {"a.csv", Format::kCsv},
      {"a.tsv", Format::kCsv},
      {"a.html", Format::kHtml},
      {"a.HTM", Format::kHtml},
      {"a.py", Format::kCode},
      {"a.cc", Format::kCode},
      {"a.tsx", Format::kCode},
      {"a.yaml", Format::kCode},
      {"a.r", Format::kCode},
      {"dir/sub.dir/a.rs", Format::kCode},
      {"archive.tar.gz", Format::kText},  // unknown extension, text content
  };
  for (const auto& [name, format] : cases) {
    EXPECT_THAT(DetectFormat(text, name), IsOkAndHolds(format)) << name;
  }
}

TEST_F(FormatDetectTest, SniffsTextWithoutKnownExtension) {
  EXPECT_THAT(DetectFormat(Write("caf\xC3\xA9 notes\n"), "README"),
              IsOkAndHolds(Format::kText));
  EXPECT_THAT(DetectFormat(Write(""), "empty"), IsOkAndHolds(Format::kText));
  EXPECT_THAT(DetectFormat(Write(std::string("\xFF\xFEh\0i\0", 6)), "x.dat"),
              IsOkAndHolds(Format::kText));
}

TEST_F(FormatDetectTest, BinaryIsUnknown) {
  EXPECT_THAT(DetectFormat(Write(std::string("\x7F"
                                             "ELF\x02\x01\0\0",
                                             8)),
                           "program"),
              IsOkAndHolds(Format::kUnknown));
  EXPECT_THAT(DetectFormat(Write("caf\xE9 latin1"), "x.bin"),
              IsOkAndHolds(Format::kUnknown));
  // A text extension does not make NUL-laden data text.
  EXPECT_THAT(DetectFormat(Write(std::string("ab\0\0cd", 6)), "x.txt"),
              IsOkAndHolds(Format::kUnknown));
}

TEST_F(FormatDetectTest, TextExtensionAcceptsLegacyEncodings) {
  EXPECT_THAT(DetectFormat(Write("caf\xE9 latin1"), "old.txt"),
              IsOkAndHolds(Format::kText));
}

TEST_F(FormatDetectTest, SniffsHtmlOnlyWithoutTextExtension) {
  const std::string html = Write("\n  <!DOCTYPE html><html><body>x</body>");
  EXPECT_THAT(DetectFormat(html, "page"), IsOkAndHolds(Format::kHtml));
  EXPECT_THAT(DetectFormat(Write("<HTML><p>x"), "page.aspx"),
              IsOkAndHolds(Format::kHtml));
  EXPECT_THAT(DetectFormat(html, "snippet.txt"), IsOkAndHolds(Format::kText));
  EXPECT_THAT(DetectFormat(html, "view.php"), IsOkAndHolds(Format::kCode));
}

TEST_F(FormatDetectTest, ClassifiesZipsByTheirParts) {
  const std::string docx = WriteZip({{"[Content_Types].xml", "<Types/>"},
                                     {"word/document.xml", "<w:document/>"}});
  const std::string pptx =
      WriteZip({{"ppt/presentation.xml", "<p:presentation/>"}});
  const std::string other = WriteZip({{"readme.txt", "hi"}});
  EXPECT_THAT(DetectFormat(docx, "upload.bin"), IsOkAndHolds(Format::kDocx));
  EXPECT_THAT(DetectFormat(pptx, "report.docx"), IsOkAndHolds(Format::kPptx));
  EXPECT_THAT(DetectFormat(other, "x.zip"), IsOkAndHolds(Format::kUnknown));
  EXPECT_THAT(DetectFormat(other, "x.txt"), IsOkAndHolds(Format::kUnknown));
  // A zip named .docx without a Word part goes to the DOCX extractor, which
  // reports it invalid.
  EXPECT_THAT(DetectFormat(other, "x.docx"), IsOkAndHolds(Format::kDocx));
}

TEST_F(FormatDetectTest, CorruptZipNamedOfficeGoesToItsExtractor) {
  const std::string corrupt = Write("PK\x03\x04 this is not really a zip");
  EXPECT_THAT(DetectFormat(corrupt, "broken.docx"),
              IsOkAndHolds(Format::kDocx));
  EXPECT_THAT(DetectFormat(corrupt, "broken.pptx"),
              IsOkAndHolds(Format::kPptx));
  EXPECT_THAT(DetectFormat(corrupt, "broken"), IsOkAndHolds(Format::kUnknown));
}

TEST_F(FormatDetectTest, OleContainerIsEncryptedOfficeOnlyByName) {
  const std::string ole =
      Write(std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) +
            std::string(504, '\0'));
  EXPECT_THAT(DetectFormat(ole, "secret.docx"), IsOkAndHolds(Format::kDocx));
  EXPECT_THAT(DetectFormat(ole, "secret.PPTX"), IsOkAndHolds(Format::kPptx));
  EXPECT_THAT(DetectFormat(ole, "legacy.doc"), IsOkAndHolds(Format::kUnknown));
}

TEST_F(FormatDetectTest, OfficeAndPdfExtensionsWithoutMagicGoToExtractor) {
  const std::string text = Write("just text");
  EXPECT_THAT(DetectFormat(text, "fake.pdf"), IsOkAndHolds(Format::kPdf));
  EXPECT_THAT(DetectFormat(text, "fake.pptx"), IsOkAndHolds(Format::kPptx));
}

TEST_F(FormatDetectTest, MissingFileIsNotFound) {
  EXPECT_THAT(DetectFormat(dir_.File("nope"), "nope.txt"),
              StatusIs(absl::StatusCode::kNotFound));
}

}  // namespace
}  // namespace assistd::extract
