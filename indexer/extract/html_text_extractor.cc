#include "indexer/extract/html_text_extractor.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <climits>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "indexer/extract/libxml_quiet.h"
#include "indexer/extract/text_cleanup.h"

namespace assistd::extract {
namespace {

struct DocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;

template <size_t N>
bool NameIn(const xmlChar* name, const char* const (&names)[N]) {
  for (const char* candidate : names) {
    if (xmlStrcasecmp(name, reinterpret_cast<const xmlChar*>(candidate)) == 0) {
      return true;
    }
  }
  return false;
}

constexpr const char* kSkipped[] = {"script", "style", "noscript", "template",
                                    "head"};
constexpr const char* kSectionStarts[] = {"h1", "h2"};
constexpr const char* kBlocks[] = {
    "address",  "article",    "aside",   "blockquote", "body",   "caption",
    "dd",       "details",    "dialog",  "div",        "dl",     "dt",
    "fieldset", "figcaption", "figure",  "footer",     "form",   "h1",
    "h2",       "h3",         "h4",      "h5",         "h6",     "header",
    "hr",       "html",       "li",      "main",       "nav",    "ol",
    "p",        "pre",        "section", "summary",    "table",  "tbody",
    "tfoot",    "thead",      "tr",      "ul",         "option", "legend"};
constexpr const char* kCells[] = {"td", "th"};

// Accumulates the visible text of an HTML tree, one string per section.
class HtmlTextBuilder {
 public:
  // Walks `first` and its following siblings, depth first, without
  // recursion (hostile documents nest deeply).
  void Walk(xmlNode* first);
  std::vector<std::string> Finish();

 private:
  // Returns true if the walk should descend into `node`'s children.
  bool Enter(xmlNode* node);
  void Exit(xmlNode* node);
  void AppendText(const xmlChar* text);
  void EndLine();
  void NewSection();

  std::vector<std::string> sections_;
  std::string current_;
  bool pending_space_ = false;
  int pre_depth_ = 0;  // > 0 inside <pre>: whitespace kept
};

void HtmlTextBuilder::Walk(xmlNode* first) {
  xmlNode* const top = first->parent;
  xmlNode* node = first;
  while (node != nullptr) {
    if (Enter(node) && node->children != nullptr) {
      node = node->children;
      continue;
    }
    Exit(node);
    while (node->next == nullptr) {
      node = node->parent;
      if (node == nullptr || node == top) return;
      Exit(node);
    }
    node = node->next;
  }
}

bool HtmlTextBuilder::Enter(xmlNode* node) {
  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) {
    AppendText(node->content);
    return false;
  }
  if (node->type != XML_ELEMENT_NODE || node->name == nullptr) return false;
  if (NameIn(node->name, kSkipped)) return false;
  if (xmlStrcasecmp(node->name, BAD_CAST "br") == 0) {
    current_.push_back('\n');
    pending_space_ = false;
    return false;
  }
  if (NameIn(node->name, kSectionStarts)) NewSection();
  if (NameIn(node->name, kBlocks)) EndLine();
  if (NameIn(node->name, kCells) && !current_.empty() &&
      current_.back() != '\n') {
    current_.push_back('\t');
    pending_space_ = false;
  }
  if (xmlStrcasecmp(node->name, BAD_CAST "pre") == 0) ++pre_depth_;
  return true;
}

void HtmlTextBuilder::Exit(xmlNode* node) {
  if (node->type != XML_ELEMENT_NODE || node->name == nullptr) return;
  if (NameIn(node->name, kSkipped)) return;
  if (NameIn(node->name, kBlocks)) EndLine();
  if (xmlStrcasecmp(node->name, BAD_CAST "pre") == 0 && pre_depth_ > 0) {
    --pre_depth_;
  }
}

void HtmlTextBuilder::AppendText(const xmlChar* text) {
  if (text == nullptr) return;
  const char* s = reinterpret_cast<const char*>(text);
  if (pre_depth_ > 0) {
    current_.append(s);
    pending_space_ = false;
    return;
  }
  for (; *s != '\0'; ++s) {
    if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f') {
      pending_space_ = true;
      continue;
    }
    if (pending_space_ && !current_.empty() && current_.back() != '\n' &&
        current_.back() != '\t' && current_.back() != ' ') {
      current_.push_back(' ');
    }
    pending_space_ = false;
    current_.push_back(*s);
  }
}

void HtmlTextBuilder::EndLine() {
  if (!current_.empty() && current_.back() != '\n') current_.push_back('\n');
  pending_space_ = false;
}

void HtmlTextBuilder::NewSection() {
  if (current_.find_first_not_of(" \t\n") != std::string::npos) {
    sections_.push_back(std::move(current_));
  }
  current_.clear();
  pending_space_ = false;
}

std::vector<std::string> HtmlTextBuilder::Finish() {
  NewSection();
  std::vector<std::string> cleaned;
  for (const std::string& section : sections_) {
    std::string text = CleanExtractedText(SanitizeUtf8(section));
    const size_t begin = text.find_first_not_of('\n');
    const size_t end = text.find_last_not_of('\n');
    if (begin == std::string::npos) continue;
    cleaned.push_back(text.substr(begin, end - begin + 1));
  }
  return cleaned;
}

// libxml2 guesses the encoding of markup without a declaration, switching
// to Latin-1 at the first invalid UTF-8 byte. Text we can decode ourselves
// (a UTF-16 BOM, or valid UTF-8) is passed as UTF-8 so that a wrong <meta
// charset> cannot garble it; the rest is left to libxml2 and <meta>.
DocPtr ParseHtml(absl::string_view bytes) {
  std::string decoded;
  const char* encoding = nullptr;
  if (absl::StartsWith(bytes, "\xFF\xFE") ||
      absl::StartsWith(bytes, "\xFE\xFF")) {
    decoded = DecodeToUtf8(bytes);
    bytes = decoded;
    encoding = "UTF-8";
  } else {
    if (absl::StartsWith(bytes, "\xEF\xBB\xBF")) bytes.remove_prefix(3);
    if (SanitizeUtf8(bytes) == bytes) encoding = "UTF-8";
  }
  ScopedLibxmlQuiet quiet;
  return DocPtr(htmlReadMemory(bytes.data(), static_cast<int>(bytes.size()),
                               /*URL=*/nullptr, encoding,
                               HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                   HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
}

}  // namespace

absl::StatusOr<Document> ExtractHtml(absl::string_view bytes) {
  Document document;
  document.format = Format::kHtml;
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return InvalidFile("HTML document is larger than 2 GiB");
  }
  std::vector<std::string> sections;
  if (bytes.find_first_not_of(" \t\r\n") != absl::string_view::npos) {
    DocPtr doc = ParseHtml(bytes);
    if (doc == nullptr) return InvalidFile("HTML document could not be parsed");
    HtmlTextBuilder builder;
    if (doc->children != nullptr) builder.Walk(doc->children);
    sections = builder.Finish();
  }
  for (std::string& text : sections) {
    document.pages.push_back(TextPage{
        static_cast<int>(document.pages.size()) + 1, std::move(text), true});
  }
  if (document.pages.empty()) document.pages.push_back(TextPage{1, "", true});
  return document;
}

}  // namespace assistd::extract
