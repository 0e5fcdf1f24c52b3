#include "indexer/extract/office_text_extractor.h"

#include <zip.h>

#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/unit/indexer/extract/extract_test_util.h"
#include "tests/util/status_matchers.h"
#include "tests/util/temp_dir.h"

namespace assistd::extract {
namespace {

using ::assistd::testing::ReadBytes;
using ::assistd::testing::StatusIs;
using ::assistd::testing::TempDir;
using ::assistd::testing::Texts;
using ::assistd::testing::WriteBytes;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

using Entries = ::assistd::testing::ZipEntries;

constexpr char kW[] =
    "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";
constexpr char kPml[] =
    "xmlns:p=\"http://schemas.openxmlformats.org/presentationml/2006/main\" "
    "xmlns:a=\"http://schemas.openxmlformats.org/drawingml/2006/main\" "
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/"
    "relationships\"";
constexpr char kRelNs[] =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string ContentTypes(const std::string& main_part,
                         const std::string& main_type) {
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
      "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
      "content-types\"><Default Extension=\"rels\" ContentType=\"application/"
      "vnd.openxmlformats-package.relationships+xml\"/><Default "
      "Extension=\"xml\" ContentType=\"application/xml\"/><Override "
      "PartName=\"/",
      main_part, "\" ContentType=\"", main_type, "\"/></Types>");
}

// A .rels part: each relationship is {id, type suffix, target}.
std::string Rels(const std::vector<std::vector<std::string>>& relationships) {
  std::string xml =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/"
      "relationships\">";
  for (const auto& r : relationships) {
    absl::StrAppend(&xml, "<Relationship Id=\"", r[0], "\" Type=\"", kRelNs,
                    "/", r[1], "\" Target=\"", r[2], "\"/>");
  }
  return xml + "</Relationships>";
}

std::string WordPackage(const std::string& body) {
  return absl::StrCat("<?xml version=\"1.0\" encoding=\"UTF-8\"?><w:document ",
                      kW, "><w:body>", body, "</w:body></w:document>");
}

std::string P(const std::string& text, const std::string& style = "") {
  const std::string ppr =
      style.empty()
          ? ""
          : absl::StrCat("<w:pPr><w:pStyle w:val=\"", style, "\"/></w:pPr>");
  return absl::StrCat("<w:p>", ppr, "<w:r><w:t xml:space=\"preserve\">", text,
                      "</w:t></w:r></w:p>");
}

std::string Slide(const std::string& paragraphs) {
  return absl::StrCat(
      "<p:sld ", kPml,
      "><p:cSld><p:spTree><p:sp><p:nvSpPr><p:cNvPr id=\"2\" "
      "name=\"Body\"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:txBody><a:bodyPr/>",
      paragraphs, "</p:txBody></p:sp></p:spTree></p:cSld></p:sld>");
}

std::string A(const std::string& text) {
  return absl::StrCat("<a:p><a:r><a:t>", text, "</a:t></a:r></a:p>");
}

// A notes page with slide-image, body and slide-number placeholders.
std::string Notes(const std::string& text) {
  auto shape = [](const std::string& type, const std::string& body) {
    return absl::StrCat(
        "<p:sp><p:nvSpPr><p:cNvPr id=\"1\" name=\"n\"/>"
        "<p:cNvSpPr/><p:nvPr><p:ph type=\"",
        type, "\"/></p:nvPr></p:nvSpPr><p:txBody>", body, "</p:txBody></p:sp>");
  };
  return absl::StrCat("<p:notes ", kPml, "><p:cSld><p:spTree>",
                      shape("sldImg", ""), shape("body", A(text)),
                      shape("sldNum", A("7")),
                      "</p:spTree></p:cSld></p:notes>");
}

class OfficeTextExtractorTest : public ::testing::Test {
 protected:
  // Writes a deflated ZIP, as ::assistd::testing::WriteZip, to a fresh file.
  std::string WriteZip(const Entries& entries,
                       const std::pair<std::string, zip_uint64_t>& zeros = {}) {
    return ::assistd::testing::WriteZip(
        dir_.File(absl::StrCat("doc", count_++)), entries, zeros);
  }

  std::string Docx(const std::string& body, Entries extra = {}) {
    Entries entries = {
        {"[Content_Types].xml",
         ContentTypes("word/document.xml",
                      "application/vnd.openxmlformats-officedocument."
                      "wordprocessingml.document.main+xml")},
        {"_rels/.rels",
         Rels({{"rId1", "officeDocument", "word/document.xml"}})},
        {"word/document.xml", WordPackage(body)}};
    for (auto& e : extra) entries.push_back(std::move(e));
    return WriteZip(entries);
  }

  std::string WriteFile(const std::string& bytes) {
    return WriteBytes(dir_.File(absl::StrCat("raw", count_++)), bytes);
  }

  TempDir dir_;
  int count_ = 0;
};

TEST_F(OfficeTextExtractorTest, DocxParagraphsBecomeLines) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractDocx(Docx(P("First paragraph.") +
                       "<w:p><w:r><w:t>split </w:t></w:r><w:r><w:t>runs"
                       "</w:t><w:tab/><w:t>tab</w:t><w:br/><w:t>line</w:t>"
                       "</w:r><w:del><w:r><w:delText>deleted</w:delText>"
                       "</w:r></w:del></w:p>" +
                       P("caf\xC3\xA9 &amp; more"))));
  EXPECT_EQ(doc.format, Format::kDocx);
  EXPECT_THAT(Texts(doc),
              ElementsAre("First paragraph.\nsplit runs\ttab\nline\n"
                          "caf\xC3\xA9 & more"));
}

TEST_F(OfficeTextExtractorTest, DocxTablesBecomeTabSeparatedRows) {
  auto cell = [](const std::string& text) {
    return "<w:tc><w:tcPr/>" + P(text) + "</w:tc>";
  };
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractDocx(Docx(P("before") + "<w:tbl><w:tblPr/><w:tr>" + cell("a") +
                       cell("b") + "</w:tr><w:tr>" + cell("c") + "<w:tc>" +
                       P("two") + P("paras") +
                       "</w:tc></w:tr>"
                       "</w:tbl>" +
                       P("after"))));
  EXPECT_THAT(Texts(doc), ElementsAre("before\na\tb\nc\ttwo paras\nafter"));
}

TEST_F(OfficeTextExtractorTest, DocxPageBreaksAndHeadingsStartSections) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractDocx(Docx(P("Doc", "Title") + P("intro") +
                       P("Chapter", "Heading1") + P("body") +
                       P("Minor", "Heading3") +
                       "<w:p><w:r><w:t>end of page</w:t><w:br w:type=\"page\"/>"
                       "<w:t>next page</w:t></w:r></w:p>" +
                       P("Part", "Heading2") + P("tail"))));
  EXPECT_THAT(Texts(doc),
              ElementsAre("Doc\nintro", "Chapter\nbody\nMinor\nend of page",
                          "next page", "Part\ntail"));
  EXPECT_EQ(doc.pages[3].number, 4);
}

TEST_F(OfficeTextExtractorTest, DocxResolvesLocalisedHeadingStyles) {
  const std::string styles =
      absl::StrCat("<w:styles ", kW,
                   "><w:style w:type=\"paragraph\" w:styleId=\"berschrift1\">"
                   "<w:name w:val=\"heading 1\"/></w:style></w:styles>");
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractDocx(Docx(P("vorher") + P("Kapitel", "berschrift1") + P("text"),
                       {{"word/styles.xml", styles}})));
  EXPECT_THAT(Texts(doc), ElementsAre("vorher", "Kapitel\ntext"));
}

TEST_F(OfficeTextExtractorTest, DocxAlternateContentIsReadOnce) {
  ASSERT_OK_AND_ASSIGN(
      Document doc,
      ExtractDocx(Docx(
          "<w:p><w:r><w:t>see </w:t></w:r><mc:AlternateContent xmlns:mc=\""
          "http://schemas.openxmlformats.org/markup-compatibility/2006\">"
          "<mc:Choice Requires=\"wps\"><w:r><w:t>box</w:t></w:r></mc:Choice>"
          "<mc:Fallback><w:r><w:t>box</w:t></w:r></mc:Fallback>"
          "</mc:AlternateContent></w:p>")));
  EXPECT_THAT(Texts(doc), ElementsAre("see box"));
}

TEST_F(OfficeTextExtractorTest, EmptyDocxYieldsOneEmptySection) {
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractDocx(Docx("")));
  EXPECT_THAT(Texts(doc), ElementsAre(""));
}

TEST_F(OfficeTextExtractorTest, PptxSlidesFollowPresentationOrder) {
  const std::string pptx = WriteZip({
      {"[Content_Types].xml",
       ContentTypes("ppt/presentation.xml",
                    "application/vnd.openxmlformats-officedocument."
                    "presentationml.presentation.main+xml")},
      {"_rels/.rels",
       Rels({{"rId1", "officeDocument", "ppt/presentation.xml"}})},
      {"ppt/presentation.xml",
       absl::StrCat("<p:presentation ", kPml,
                    "><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId3\"/>"
                    "<p:sldId id=\"257\" r:id=\"rId1\"/><p:sldId id=\"258\" "
                    "r:id=\"rId2\"/><p:sldId id=\"259\" r:id=\"rId4\"/>"
                    "</p:sldIdLst></p:presentation>")},
      {"ppt/_rels/presentation.xml.rels",
       Rels({{"rId1", "slide", "slides/slide1.xml"},
             {"rId2", "slide", "slides/slide2.xml"},
             {"rId3", "slide", "/ppt/slides/slide3.xml"},
             {"rId4", "slide", "slides/empty.xml"},
             {"rId9", "slideMaster", "slideMasters/slideMaster1.xml"}})},
      {"ppt/slides/slide1.xml", Slide(A("First file"))},
      {"ppt/slides/slide2.xml",
       Slide(A("Second file") + "<a:p><a:r><a:t>two</a:t></a:r><a:br/>"
                                "<a:r><a:t>lines</a:t></a:r></a:p>")},
      {"ppt/slides/slide3.xml", Slide(A("Third file"))},
      {"ppt/slides/empty.xml", Slide("")},
      {"ppt/slides/_rels/slide2.xml.rels",
       Rels({{"rId1", "notesSlide", "../notesSlides/notesSlide1.xml"}})},
      {"ppt/notesSlides/notesSlide1.xml", Notes("speaker note")},
  });
  ASSERT_OK_AND_ASSIGN(Document doc, ExtractPptx(pptx));
  EXPECT_EQ(doc.format, Format::kPptx);
  EXPECT_THAT(Texts(doc),
              ElementsAre("Third file", "First file",
                          "Second file\ntwo\nlines\n\nspeaker note", ""));
  EXPECT_EQ(doc.pages[3].number, 4);
}

TEST_F(OfficeTextExtractorTest, PptxWithMissingSlidePartIsInvalid) {
  const std::string pptx = WriteZip({
      {"ppt/presentation.xml",
       absl::StrCat("<p:presentation ", kPml,
                    "><p:sldIdLst><p:sldId id=\"256\" r:id=\"rId1\"/>"
                    "</p:sldIdLst></p:presentation>")},
      {"ppt/_rels/presentation.xml.rels",
       Rels({{"rId1", "slide", "../../../etc/passwd"}})},
  });
  EXPECT_EQ(ClassifyFileError(ExtractPptx(pptx).status()),
            FileErrorKind::kInvalid);
}

TEST_F(OfficeTextExtractorTest, CorruptArchivesAreInvalidFiles) {
  const std::string bytes = ReadBytes(Docx(P("hello")));
  const std::string cases[] = {
      WriteFile("PK\x03\x04 not a zip at all"),
      WriteFile(bytes.substr(0, bytes.size() / 2)),  // truncated
      WriteFile(""),
      WriteZip({{"readme.txt", "no word part"}}),
      Docx("<w:p><w:r><w:t>unclosed</w:r></w:p>"),
  };
  for (const std::string& path : cases) {
    auto docx = ExtractDocx(path);
    EXPECT_EQ(ClassifyFileError(docx.status()), FileErrorKind::kInvalid)
        << docx.status();
    auto pptx = ExtractPptx(path);
    EXPECT_EQ(ClassifyFileError(pptx.status()), FileErrorKind::kInvalid)
        << pptx.status();
  }
}

TEST_F(OfficeTextExtractorTest, EncryptedDocumentIsUnsupported) {
  const std::string ole = WriteFile(
      std::string("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8) + std::string(504, 0));
  EXPECT_THAT(ExtractDocx(ole), StatusIs(absl::StatusCode::kInvalidArgument,
                                         HasSubstr("is encrypted")));
  EXPECT_EQ(ClassifyFileError(ExtractPptx(ole).status()),
            FileErrorKind::kUnsupported);
}

TEST_F(OfficeTextExtractorTest, MissingFileIsNotFound) {
  EXPECT_THAT(ExtractDocx(dir_.File("missing.docx")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(OfficeTextExtractorTest, ZipBombEntryIsInvalidFile) {
  // 300 MiB of zeros deflate to ~300 KiB; the default 256 MiB cap rejects it.
  const std::string path =
      WriteZip({{"word/styles.xml", "<w:styles/>"}},
               {"word/document.xml", zip_uint64_t{300} << 20});
  EXPECT_THAT(ExtractDocx(path), StatusIs(absl::StatusCode::kInvalidArgument,
                                          HasSubstr("zip bomb")));
}

TEST_F(OfficeTextExtractorTest, TotalInflatedBytesAreCapped) {
  const std::string path = Docx(P(std::string(600 * 1024, 'x')));
  OfficeLimits limits;
  limits.max_total_bytes = 512 * 1024;
  EXPECT_THAT(
      ExtractDocx(path, limits),
      StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("zip bomb")));
  EXPECT_OK(ExtractDocx(path));
}

TEST_F(OfficeTextExtractorTest, EntityExpansionIsNeverPerformed) {
  std::string dtd = "<!DOCTYPE w:document [<!ENTITY lol \"lol\">";
  for (int i = 1; i <= 9; ++i) {
    absl::StrAppend(&dtd, "<!ENTITY lol", i, " \"");
    for (int j = 0; j < 10; ++j) {
      absl::StrAppend(&dtd,
                      i == 1 ? "&lol;" : absl::StrCat("&lol", i - 1, ";"));
    }
    dtd += "\">";
  }
  dtd += "<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>";
  const std::string body =
      "<w:body><w:p w:rsid=\"&lol9;\"><w:r><w:t>&lol9;&xxe;</w:t></w:r></w:p>"
      "</w:body></w:document>";
  const std::string path = WriteZip(
      {{"word/document.xml", absl::StrCat("<?xml version=\"1.0\"?>", dtd,
                                          "<w:document ", kW, ">", body)}});
  auto doc = ExtractDocx(path);
  EXPECT_EQ(ClassifyFileError(doc.status()), FileErrorKind::kInvalid)
      << doc.status();
}

TEST_F(OfficeTextExtractorTest, DeeplyNestedXmlDoesNotCrash) {
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "<w:sdt><w:sdtContent>";
  body += P("deep");
  for (int i = 0; i < 20000; ++i) body += "</w:sdtContent></w:sdt>";
  auto doc = ExtractDocx(Docx(body));
  if (!doc.ok()) {
    EXPECT_EQ(ClassifyFileError(doc.status()), FileErrorKind::kInvalid);
  } else {
    EXPECT_THAT(Texts(*doc), Not(ElementsAre()));
  }
}

}  // namespace
}  // namespace assistd::extract
