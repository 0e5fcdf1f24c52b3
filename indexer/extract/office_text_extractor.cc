#include "indexer/extract/office_text_extractor.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "indexer/extract/libxml_quiet.h"
#include "indexer/extract/text_cleanup.h"

namespace assistd::extract {
namespace {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

// Parses one package part. Entities are never substituted and no DTD is
// loaded (XML_PARSE_NOENT and XML_PARSE_DTDLOAD stay off), libxml2's own
// depth and entity-amplification limits stay on (no XML_PARSE_HUGE), and a
// part with a DTD at all is rejected: OOXML parts never have one.
absl::StatusOr<DocPtr> ParseXml(absl::string_view xml, absl::string_view part) {
  if (xml.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidFile(absl::StrCat(part, " is too large"));
  }
  ScopedLibxmlQuiet quiet;
  DocPtr doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()),
                    /*URL=*/nullptr, /*encoding=*/nullptr,
                    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (doc == nullptr || xmlDocGetRootElement(doc.get()) == nullptr) {
    return InvalidFile(absl::StrCat(part, " is not well-formed XML"));
  }
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return InvalidFile(absl::StrCat(part, " declares a DTD"));
  }
  return doc;
}

// Namespace URIs, transitional and strict spelling.
struct Namespace {
  const char* transitional;
  const char* strict;
};
constexpr Namespace kWordNs = {
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://purl.oclc.org/ooxml/wordprocessingml/main"};
constexpr Namespace kDrawingNs = {
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://purl.oclc.org/ooxml/drawingml/main"};
constexpr Namespace kPresentationNs = {
    "http://schemas.openxmlformats.org/presentationml/2006/main",
    "http://purl.oclc.org/ooxml/presentationml/main"};
constexpr Namespace kRelationshipsNs = {
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships"};
constexpr Namespace kCompatibilityNs = {
    "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "http://schemas.openxmlformats.org/markup-compatibility/2006"};

// Deeper elements are ignored (libxml2 already stops parsing at 256).
constexpr int kMaxDepth = 512;

bool InNamespace(const xmlNs* ns, const Namespace& expected) {
  if (ns == nullptr || ns->href == nullptr) return false;
  return xmlStrEqual(ns->href, BAD_CAST expected.transitional) ||
         xmlStrEqual(ns->href, BAD_CAST expected.strict);
}

bool Is(const xmlNode* node, const char* name, const Namespace& ns) {
  return node->type == XML_ELEMENT_NODE &&
         xmlStrEqual(node->name, BAD_CAST name) && InNamespace(node->ns, ns);
}

bool IsFallback(const xmlNode* node) {
  return Is(node, "Fallback", kCompatibilityNs);
}

const xmlNode* FirstChild(const xmlNode* node, const char* name,
                          const Namespace& ns) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (Is(c, name, ns)) return c;
  }
  return nullptr;
}

// Appends the text children of `node`. Entity references are skipped, never
// expanded (xmlNodeGetContent would expand them).
void AppendTextChildren(const xmlNode* node, std::string* out) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
        c->content != nullptr) {
      out->append(reinterpret_cast<const char*>(c->content));
    }
  }
}

// The value of attribute `name` in namespace `ns` (no namespace if null).
std::string Attr(const xmlNode* node, const char* name, const Namespace* ns) {
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (!xmlStrEqual(a->name, BAD_CAST name)) continue;
    if (ns == nullptr ? a->ns != nullptr : !InNamespace(a->ns, *ns)) continue;
    std::string value;
    AppendTextChildren(reinterpret_cast<const xmlNode*>(a), &value);
    return value;
  }
  return "";
}

// Cleans each section; drops empty ones unless `keep_empty`. At least one
// page results.
std::vector<TextPage> ToPages(const std::vector<std::string>& sections,
                              bool keep_empty) {
  std::vector<TextPage> pages;
  for (const std::string& section : sections) {
    std::string text = CleanExtractedText(SanitizeUtf8(section));
    const size_t begin = text.find_first_not_of('\n');
    text = begin == std::string::npos
               ? ""
               : text.substr(begin, text.find_last_not_of('\n') - begin + 1);
    if (text.empty() && !keep_empty) continue;
    pages.push_back(
        TextPage{static_cast<int>(pages.size()) + 1, std::move(text), true});
  }
  if (pages.empty()) pages.push_back(TextPage{1, "", true});
  return pages;
}

// Style ids of paragraphs that start a section: the built-in ids plus any
// style named "heading 1", "heading 2" or "Title" in word/styles.xml (ids
// are localised, names are not).
absl::StatusOr<std::set<std::string>> HeadingStyles(OfficeArchive& archive) {
  std::set<std::string> ids = {"Heading1", "Heading2", "Title"};
  ASSIGN_OR_RETURN(std::optional<std::string> xml,
                   archive.Read("word/styles.xml"));
  if (!xml.has_value()) return ids;
  ASSIGN_OR_RETURN(DocPtr doc, ParseXml(*xml, "word/styles.xml"));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  for (const xmlNode* s = root->children; s != nullptr; s = s->next) {
    if (!Is(s, "style", kWordNs)) continue;
    const xmlNode* name = FirstChild(s, "name", kWordNs);
    if (name == nullptr) continue;
    const std::string value =
        absl::AsciiStrToLower(Attr(name, "val", &kWordNs));
    if (value == "heading 1" || value == "heading 2" || value == "title") {
      ids.insert(Attr(s, "styleId", &kWordNs));
    }
  }
  return ids;
}

// Collects the text of word/document.xml, section by section. Not
// thread-safe; `heading_styles` must outlive it.
class DocxWalker {
 public:
  explicit DocxWalker(const std::set<std::string>* heading_styles)
      : heading_styles_(heading_styles) {}

  // Walks the block-level children of `parent` (body, sdt, ...).
  void Blocks(const xmlNode* parent, int depth);
  std::vector<std::string> Finish();

 private:
  bool StartsSection(const xmlNode* p) const;
  void Inline(const xmlNode* parent, int depth);
  void Table(const xmlNode* parent, int depth);
  std::string CellText(const xmlNode* tc, int depth);
  void Separate();
  void EndParagraph();
  void EndSection();

  const std::set<std::string>* const heading_styles_;
  std::vector<std::string> sections_;
  std::string section_;
  std::string line_;    // the paragraph (or table cell) being read
  int cell_depth_ = 0;  // > 0 inside a table cell: no breaks
};

void DocxWalker::Blocks(const xmlNode* parent, int depth) {
  if (depth > kMaxDepth) return;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsFallback(c)) continue;
    if (Is(c, "p", kWordNs)) {
      if (StartsSection(c)) EndSection();
      Inline(c, depth + 1);
      EndParagraph();
    } else if (Is(c, "tbl", kWordNs)) {
      Table(c, depth + 1);
    } else if (!Is(c, "sectPr", kWordNs)) {
      Blocks(c, depth + 1);
    }
  }
}

bool DocxWalker::StartsSection(const xmlNode* p) const {
  const xmlNode* ppr = FirstChild(p, "pPr", kWordNs);
  if (ppr == nullptr) return false;
  const xmlNode* style = FirstChild(ppr, "pStyle", kWordNs);
  if (style != nullptr &&
      heading_styles_->count(Attr(style, "val", &kWordNs)) > 0) {
    return true;
  }
  const xmlNode* page_break = FirstChild(ppr, "pageBreakBefore", kWordNs);
  if (page_break == nullptr) return false;
  const std::string value = Attr(page_break, "val", &kWordNs);
  return value != "0" && value != "false" && value != "off";
}

void DocxWalker::Inline(const xmlNode* parent, int depth) {
  if (depth > kMaxDepth) return;
  const char line_break = cell_depth_ > 0 ? ' ' : '\n';
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsFallback(c)) continue;
    if (!InNamespace(c->ns, kWordNs)) {
      Inline(c, depth + 1);  // drawings, text boxes, math, ...
    } else if (Is(c, "t", kWordNs)) {
      AppendTextChildren(c, &line_);
    } else if (Is(c, "tab", kWordNs)) {
      line_.push_back(cell_depth_ > 0 ? ' ' : '\t');
    } else if (Is(c, "br", kWordNs) || Is(c, "cr", kWordNs)) {
      if (cell_depth_ == 0 && Attr(c, "type", &kWordNs) == "page") {
        EndParagraph();
        EndSection();
      } else {
        line_.push_back(line_break);
      }
    } else if (Is(c, "noBreakHyphen", kWordNs)) {
      line_.push_back('-');
    } else if (Is(c, "p", kWordNs) || Is(c, "tc", kWordNs)) {
      Separate();  // a paragraph in a text box or a nested table
      Inline(c, depth + 1);
      Separate();
    } else if (!Is(c, "pPr", kWordNs) && !Is(c, "rPr", kWordNs)) {
      Inline(c, depth + 1);  // runs, hyperlinks, insertions, fields, ...
    }
  }
}

void DocxWalker::Table(const xmlNode* parent, int depth) {
  if (depth > kMaxDepth) return;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsFallback(c)) continue;
    if (!Is(c, "tr", kWordNs)) {
      if (!Is(c, "tblPr", kWordNs)) Table(c, depth + 1);  // sdt wrappers
      continue;
    }
    std::vector<std::string> cells;
    for (const xmlNode* tc = c->children; tc != nullptr; tc = tc->next) {
      if (Is(tc, "tc", kWordNs)) cells.push_back(CellText(tc, depth + 1));
    }
    std::string row = absl::StrJoin(cells, "\t");
    if (row.find_first_not_of('\t') != std::string::npos) {
      absl::StrAppend(&section_, row, "\n");
    }
  }
}

std::string DocxWalker::CellText(const xmlNode* tc, int depth) {
  std::string saved = std::move(line_);
  line_.clear();
  ++cell_depth_;
  Inline(tc, depth);
  --cell_depth_;
  std::string cell = std::move(line_);
  line_ = std::move(saved);
  for (char& ch : cell) {
    if (ch == '\n' || ch == '\t') ch = ' ';
  }
  return std::string(absl::StripAsciiWhitespace(cell));
}

void DocxWalker::Separate() {
  if (!line_.empty() && line_.back() != ' ' && line_.back() != '\n') {
    line_.push_back(cell_depth_ > 0 ? ' ' : '\n');
  }
}

void DocxWalker::EndParagraph() {
  absl::StrAppend(&section_, line_, "\n");
  line_.clear();
}

void DocxWalker::EndSection() {
  if (section_.find_first_not_of(" \t\n") != std::string::npos) {
    sections_.push_back(std::move(section_));
  }
  section_.clear();
}

std::vector<std::string> DocxWalker::Finish() {
  if (!line_.empty()) EndParagraph();
  EndSection();
  return std::move(sections_);
}

absl::StatusOr<Document> ReadDocx(OfficeArchive& archive) {
  ASSIGN_OR_RETURN(std::string xml, archive.ReadRequired("word/document.xml"));
  ASSIGN_OR_RETURN(DocPtr doc, ParseXml(xml, "word/document.xml"));
  xml = std::string();  // free it before the walk
  ASSIGN_OR_RETURN(std::set<std::string> headings, HeadingStyles(archive));
  DocxWalker walker(&headings);
  walker.Blocks(xmlDocGetRootElement(doc.get()), 0);
  Document document;
  document.format = Format::kDocx;
  document.pages = ToPages(walker.Finish(), /*keep_empty=*/false);
  return document;
}

// Guards against a presentation.xml listing the same slide millions of times.
constexpr size_t kMaxSlides = 100000;

struct Relationship {
  std::string type;
  std::string target;  // part name, resolved against the source part
};

// The part named by `target`, relative to folder `base` ("ppt/slides"), or
// std::nullopt if it escapes the package root.
std::optional<std::string> ResolvePartName(absl::string_view base,
                                           absl::string_view target) {
  target = target.substr(0, target.find('#'));
  const std::string joined = absl::StartsWith(target, "/")
                                 ? std::string(target)
                                 : absl::StrCat(base, "/", target);
  std::vector<absl::string_view> parts;
  for (absl::string_view segment : absl::StrSplit(joined, '/')) {
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (parts.empty()) return std::nullopt;
      parts.pop_back();
    } else {
      parts.push_back(segment);
    }
  }
  if (parts.empty()) return std::nullopt;
  return absl::StrJoin(parts, "/");
}

// The internal relationships of `part` ("ppt/slides/slide1.xml" ->
// "ppt/slides/_rels/slide1.xml.rels") by id; empty if it has none.
absl::StatusOr<std::map<std::string, Relationship>> ReadRelationships(
    OfficeArchive& archive, const std::string& part) {
  const size_t slash = part.rfind('/');
  const std::string folder =
      slash == std::string::npos ? "" : part.substr(0, slash);
  const std::string rels_name =
      absl::StrCat(folder, folder.empty() ? "" : "/", "_rels/",
                   part.substr(slash + 1), ".rels");
  std::map<std::string, Relationship> rels;
  ASSIGN_OR_RETURN(std::optional<std::string> xml, archive.Read(rels_name));
  if (!xml.has_value()) return rels;
  ASSIGN_OR_RETURN(DocPtr doc, ParseXml(*xml, rels_name));
  const xmlNode* root = xmlDocGetRootElement(doc.get());
  for (const xmlNode* r = root->children; r != nullptr; r = r->next) {
    if (r->type != XML_ELEMENT_NODE ||
        !xmlStrEqual(r->name, BAD_CAST "Relationship") ||
        Attr(r, "TargetMode", nullptr) == "External") {
      continue;
    }
    std::optional<std::string> target =
        ResolvePartName(folder, Attr(r, "Target", nullptr));
    if (!target.has_value()) continue;
    rels[Attr(r, "Id", nullptr)] =
        Relationship{Attr(r, "Type", nullptr), *std::move(target)};
  }
  return rels;
}

// Appends the text of DrawingML paragraphs under `parent`, one line each.
// With `skip_placeholders`, shapes that are slide-number, date, header,
// footer or slide-image placeholders are left out (for notes pages).
void DrawingText(const xmlNode* parent, bool skip_placeholders, int depth,
                 std::string* out) {
  if (depth > kMaxDepth) return;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE || IsFallback(c)) continue;
    if (Is(c, "t", kDrawingNs)) {
      AppendTextChildren(c, out);
    } else if (Is(c, "br", kDrawingNs)) {
      out->push_back('\n');
    } else if (Is(c, "p", kDrawingNs)) {
      DrawingText(c, skip_placeholders, depth + 1, out);
      out->push_back('\n');
    } else if (Is(c, "nvSpPr", kPresentationNs)) {
      if (!skip_placeholders) continue;
      const xmlNode* nv = FirstChild(c, "nvPr", kPresentationNs);
      const xmlNode* ph = nv ? FirstChild(nv, "ph", kPresentationNs) : nullptr;
      const std::string type = ph ? Attr(ph, "type", nullptr) : "";
      if (type == "sldNum" || type == "dt" || type == "hdr" || type == "ftr" ||
          type == "sldImg") {
        return;  // the rest of this shape
      }
    } else {
      DrawingText(c, skip_placeholders, depth + 1, out);
    }
  }
}

absl::StatusOr<std::string> PartText(OfficeArchive& archive,
                                     const std::string& part,
                                     bool skip_placeholders) {
  ASSIGN_OR_RETURN(std::string xml, archive.ReadRequired(part));
  ASSIGN_OR_RETURN(DocPtr doc, ParseXml(xml, part));
  std::string text;
  DrawingText(xmlDocGetRootElement(doc.get()), skip_placeholders, 0, &text);
  return text;
}

// The slide's text, then a blank line and its notes if it has any.
absl::StatusOr<std::string> SlideText(OfficeArchive& archive,
                                      const std::string& slide) {
  ASSIGN_OR_RETURN(std::string text, PartText(archive, slide, false));
  ASSIGN_OR_RETURN(auto rels, ReadRelationships(archive, slide));
  for (const auto& [id, rel] : rels) {
    if (!absl::EndsWith(rel.type, "/notesSlide")) continue;
    ASSIGN_OR_RETURN(std::string notes, PartText(archive, rel.target, true));
    if (notes.find_first_not_of(" \t\n") != std::string::npos) {
      while (!text.empty() && text.back() == '\n') text.pop_back();
      absl::StrAppend(&text, text.empty() ? "" : "\n\n", notes);
    }
    break;
  }
  return text;
}

// The slide parts in presentation order (p:sldIdLst), not by file name.
absl::StatusOr<std::vector<std::string>> SlideParts(OfficeArchive& archive) {
  const std::string part = "ppt/presentation.xml";
  ASSIGN_OR_RETURN(std::string xml, archive.ReadRequired(part));
  ASSIGN_OR_RETURN(DocPtr doc, ParseXml(xml, part));
  ASSIGN_OR_RETURN(auto rels, ReadRelationships(archive, part));
  const xmlNode* list =
      FirstChild(xmlDocGetRootElement(doc.get()), "sldIdLst", kPresentationNs);
  std::vector<std::string> slides;
  for (const xmlNode* s = list ? list->children : nullptr; s != nullptr;
       s = s->next) {
    if (!Is(s, "sldId", kPresentationNs)) continue;
    const std::string id = Attr(s, "id", &kRelationshipsNs);
    auto rel = rels.find(id);
    if (rel == rels.end()) {
      return InvalidFile(
          absl::StrCat("PPTX slide relationship ", id, " is missing"));
    }
    if (slides.size() >= kMaxSlides) {
      return InvalidFile("PPTX lists too many slides");
    }
    slides.push_back(rel->second.target);
  }
  return slides;
}

absl::StatusOr<Document> ReadPptx(OfficeArchive& archive) {
  ASSIGN_OR_RETURN(std::vector<std::string> slides, SlideParts(archive));
  std::vector<std::string> texts;
  for (const std::string& slide : slides) {
    ASSIGN_OR_RETURN(std::string text, SlideText(archive, slide));
    texts.push_back(std::move(text));
  }
  Document document;
  document.format = Format::kPptx;
  document.pages = ToPages(texts, /*keep_empty=*/true);
  return document;
}

}  // namespace

absl::StatusOr<Document> ExtractDocx(const std::string& path,
                                     const OfficeLimits& limits) {
  ASSIGN_OR_RETURN(std::unique_ptr<OfficeArchive> archive,
                   OfficeArchive::Open(path, "DOCX", limits));
  return ReadDocx(*archive);
}

absl::StatusOr<Document> ExtractPptx(const std::string& path,
                                     const OfficeLimits& limits) {
  ASSIGN_OR_RETURN(std::unique_ptr<OfficeArchive> archive,
                   OfficeArchive::Open(path, "PPTX", limits));
  return ReadPptx(*archive);
}

absl::StatusOr<Document> ExtractDocx(const std::string& path) {
  return ExtractDocx(path, OfficeLimits());
}

absl::StatusOr<Document> ExtractPptx(const std::string& path) {
  return ExtractPptx(path, OfficeLimits());
}

}  // namespace assistd::extract
