#include "services/orchestrator/citations.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "services/orchestrator/model/text_overlap.h"
#include "services/orchestrator/prompt_builder.h"

namespace assistd::orchestrator {
namespace {

using model::Passage;

constexpr absl::string_view kOpen = "\u3010";    // 【
constexpr absl::string_view kClose = "\u3011";   // 】
constexpr absl::string_view kDagger = "\u2020";  // †
constexpr absl::string_view kSandbox = "sandbox:";
constexpr size_t kMaxMarkerNameBytes = 256;
// Sentences with fewer content words are too short to attribute safely.
constexpr int kMinContentWords = 5;

// ---- markers the model wrote ------------------------------------------------

struct FoundMarker {
  size_t begin = 0;  // bytes of the text
  size_t end = 0;
  int call = -1;  // -1: "【k†source】", a result of the last call
  int result = 0;
};

// Consumes 1..9 digits from text[*pos].
bool ReadNumber(absl::string_view text, size_t* pos, int* value) {
  size_t end = *pos;
  while (end < text.size() && end - *pos < 10 &&
         absl::ascii_isdigit(static_cast<unsigned char>(text[end]))) {
    ++end;
  }
  if (end == *pos || end - *pos > 9) return false;
  if (!absl::SimpleAtoi(text.substr(*pos, end - *pos), value)) return false;
  *pos = end;
  return true;
}

// A marker starting at `begin`: "【s:k†name】", "【k†name】", "【s:k】",
// "[s:k†name]" or "[k†name]" (the ASCII form needs the dagger, so that
// markdown links and "[1]" stay text).
std::optional<FoundMarker> MarkerAt(absl::string_view text, size_t begin) {
  const bool cjk = absl::StartsWith(text.substr(begin), kOpen);
  if (!cjk && text[begin] != '[') return std::nullopt;
  const absl::string_view close = cjk ? kClose : "]";
  FoundMarker m;
  m.begin = begin;
  size_t pos = begin + (cjk ? kOpen.size() : 1);
  int first = 0;
  if (!ReadNumber(text, &pos, &first)) return std::nullopt;
  m.result = first;
  if (pos < text.size() && text[pos] == ':') {
    ++pos;
    m.call = first;
    if (!ReadNumber(text, &pos, &m.result)) return std::nullopt;
  }
  const bool dagger = absl::StartsWith(text.substr(pos), kDagger);
  if (!dagger && !cjk) return std::nullopt;
  if (dagger) {
    const size_t limit = std::min(text.size(), pos + kMaxMarkerNameBytes);
    const size_t found = text.substr(0, limit).find(close, pos);
    if (found == absl::string_view::npos) return std::nullopt;
    const absl::string_view name = text.substr(pos, found - pos);
    if (absl::StrContains(name, "\n") || absl::StrContains(name, kOpen)) return std::nullopt;
    pos = found;
  }
  if (!absl::StartsWith(text.substr(pos), close)) return std::nullopt;
  m.end = pos + close.size();
  return m;
}

std::vector<FoundMarker> FindMarkers(absl::string_view text) {
  std::vector<FoundMarker> markers;
  size_t pos = 0;
  while (pos < text.size()) {
    std::optional<FoundMarker> m = MarkerAt(text, pos);
    if (m.has_value()) {
      pos = m->end;
      markers.push_back(*m);
    } else {
      ++pos;
    }
  }
  return markers;
}

// ---- the answer's sentences -------------------------------------------------

struct Sentence {
  model::TextSpan span;
  int line = 0;                 // index of the line it starts on
  bool in_code = false;         // inside a fenced code block, or a heading
  std::vector<size_t> markers;  // indexes into the found markers it owns
  std::optional<int> aligned;   // computed once: best supporting passage
  bool align_done = false;
};

// Byte ranges of fenced code blocks (``` or ~~~ lines toggle).
std::vector<model::TextSpan> CodeBlocks(absl::string_view text) {
  std::vector<model::TextSpan> blocks;
  bool inside = false;
  size_t start = 0;
  size_t line_begin = 0;
  while (line_begin <= text.size()) {
    size_t line_end = text.find('\n', line_begin);
    if (line_end == absl::string_view::npos) line_end = text.size();
    const absl::string_view line =
        absl::StripLeadingAsciiWhitespace(text.substr(line_begin, line_end - line_begin));
    if (absl::StartsWith(line, "```") || absl::StartsWith(line, "~~~")) {
      if (!inside) start = line_begin;
      if (inside) blocks.push_back({start, line_end});
      inside = !inside;
    }
    line_begin = line_end + 1;
  }
  if (inside) blocks.push_back({start, text.size()});
  return blocks;
}

bool Inside(const std::vector<model::TextSpan>& blocks, size_t pos) {
  return std::any_of(blocks.begin(), blocks.end(),
                     [pos](const model::TextSpan& b) { return pos >= b.begin && pos < b.end; });
}

// Sentences of `text` with the markers' bytes blanked out, each owning the
// markers between its start and the next sentence's start.
std::vector<Sentence> SplitAnswer(absl::string_view text, const std::vector<FoundMarker>& markers,
                                  const std::vector<model::TextSpan>& code) {
  std::string masked(text);
  for (const FoundMarker& m : markers) {
    std::fill(masked.begin() + m.begin, masked.begin() + m.end, ' ');
  }
  std::vector<Sentence> sentences;
  int line = 0;
  size_t counted = 0;
  for (const model::TextSpan& span : model::SplitSentences(masked, /*lines_are_breaks=*/true)) {
    line +=
        static_cast<int>(std::count(masked.begin() + counted, masked.begin() + span.begin, '\n'));
    counted = span.begin;
    Sentence s;
    s.span = span;
    s.line = line;
    s.in_code = Inside(code, span.begin) || masked[span.begin] == '#';
    sentences.push_back(std::move(s));
  }
  size_t next = 0;
  for (size_t i = 0; i < markers.size(); ++i) {
    while (next < sentences.size() && sentences[next].span.begin <= markers[i].begin) ++next;
    if (next > 0) sentences[next - 1].markers.push_back(i);
  }
  return sentences;
}

// ---- alignment --------------------------------------------------------------

class Aligner {
 public:
  explicit Aligner(absl::Span<const Passage> passages) {
    for (const Passage& p : passages) overlaps_.emplace_back(p.text);
  }

  // The passage that best supports `sentence`, if one does clearly enough.
  std::optional<int> Align(absl::string_view sentence) const {
    if (overlaps_.empty() || absl::EndsWith(absl::StripTrailingAsciiWhitespace(sentence), "?")) {
      return std::nullopt;
    }
    const model::SentenceWords words(sentence);
    if (static_cast<int>(words.content.size()) < kMinContentWords) return std::nullopt;
    std::optional<int> best;
    double best_strength = 0;
    for (size_t i = 0; i < overlaps_.size(); ++i) {
      const model::Overlap o = overlaps_[i].Measure(words);
      if (!Supports(o)) continue;
      const double strength = o.word_coverage + o.bigram_coverage + (o.verbatim_run ? 1 : 0);
      if (strength > best_strength) {
        best_strength = strength;
        best = static_cast<int>(i);
      }
    }
    return best;
  }

 private:
  // A verbatim run, or most of the sentence's words and word pairs: a
  // false citation is worse than none.
  static bool Supports(const model::Overlap& o) {
    return o.verbatim_run || (o.word_coverage >= 0.6 && o.bigram_coverage >= 0.5);
  }

  std::vector<model::PassageOverlap> overlaps_;
};

// ---- edits ------------------------------------------------------------------

// Replaces text[begin, end) (an insertion when equal) and annotates the
// replacement with a citation of `passage` or a file path.
struct Edit {
  size_t begin = 0;
  size_t end = 0;
  std::string lead;  // inserted before the replacement, not annotated
  std::string replacement;
  int passage = -1;     // file_citation of this passage
  int page = 0;         // the cited page of it (0: the passage's first)
  std::string file_id;  // or file_path of this file
};

// The page of `p` holding what `sentence` says: where the passage sentence
// that shares most of its words begins.
int PageOf(const Passage& p, absl::string_view sentence) {
  if (p.page_breaks.empty() || sentence.empty()) return p.page_number;
  const model::SentenceWords words(sentence);
  const absl::string_view text(p.text);
  size_t best_at = 0;
  double best = 0;
  for (const model::TextSpan& span : model::SplitSentences(text, /*lines_are_breaks=*/false)) {
    const model::Overlap o =
        model::PassageOverlap(text.substr(span.begin, span.end - span.begin)).Measure(words);
    const double strength = o.word_coverage + o.bigram_coverage + (o.verbatim_run ? 1 : 0);
    if (strength > best) {
      best = strength;
      best_at = span.begin;
    }
  }
  int page = p.page_number;
  for (const auto& [offset, number] : p.page_breaks) {
    if (static_cast<size_t>(offset) <= best_at) page = number;
  }
  return page;
}

// Removing a marker also removes the spaces that separated it from the
// text before it (or after it, at the start of a line).
Edit RemovalOf(absl::string_view text, const FoundMarker& m) {
  Edit e;
  e.begin = m.begin;
  e.end = m.end;
  while (e.begin > 0 && (text[e.begin - 1] == ' ' || text[e.begin - 1] == '\t')) --e.begin;
  if (e.begin == m.begin && (m.begin == 0 || text[m.begin - 1] == '\n')) {
    while (e.end < text.size() && (text[e.end] == ' ' || text[e.end] == '\t')) ++e.end;
  }
  return e;
}

class Annotator {
 public:
  Annotator(absl::string_view text, absl::Span<const Passage> passages)
      : text_(text), passages_(passages), aligner_(passages) {
    for (size_t i = 0; i < passages.size(); ++i) {
      const std::optional<model::MarkerParts> parts = model::ParseMarker(passages[i].marker);
      if (!parts.has_value()) continue;
      by_number_.try_emplace(std::make_pair(parts->call_ordinal, parts->result_index),
                             static_cast<int>(i));
      last_call_ = std::max(last_call_, parts->call_ordinal);
    }
    // Markers inside code blocks are code, not citations: left alone.
    const std::vector<model::TextSpan> code = CodeBlocks(text);
    for (const FoundMarker& m : FindMarkers(text)) {
      if (!Inside(code, m.begin)) markers_.push_back(m);
    }
    sentences_ = SplitAnswer(text, markers_, code);
  }

  std::vector<Edit> CitationEdits() {
    std::vector<std::optional<int>> resolved;
    for (const FoundMarker& m : markers_) resolved.push_back(Resolve(m));
    for (size_t i = 0; i < markers_.size(); ++i) {
      if (resolved[i].has_value()) Cite(markers_[i], *resolved[i], OwnerOf(i));
    }
    for (Sentence& s : sentences_) {
      for (size_t i : s.markers) {
        if (!resolved[i].has_value()) RepointOrRemove(s, markers_[i]);
      }
    }
    for (size_t i = 0; i < markers_.size(); ++i) {
      if (!resolved[i].has_value() && !Owned(i)) edits_.push_back(RemovalOf(text_, markers_[i]));
    }
    InsertMissing();
    return std::move(edits_);
  }

 private:
  std::optional<int> Resolve(const FoundMarker& m) const {
    const int call = m.call >= 0 ? m.call : last_call_;
    const auto it = by_number_.find(std::make_pair(call, m.result));
    if (it == by_number_.end()) return std::nullopt;
    return it->second;
  }

  bool Owned(size_t marker) const { return OwnerOf(marker) != nullptr; }

  const Sentence* OwnerOf(size_t marker) const {
    for (const Sentence& s : sentences_) {
      if (std::find(s.markers.begin(), s.markers.end(), marker) != s.markers.end()) return &s;
    }
    return nullptr;
  }

  absl::string_view TextOf(const Sentence* s) const {
    if (s == nullptr) return "";
    return text_.substr(s->span.begin, s->span.end - s->span.begin);
  }

  std::optional<int> AlignedPassage(Sentence& s) {
    if (!s.align_done) {
      s.align_done = true;
      if (!s.in_code)
        s.aligned = aligner_.Align(text_.substr(s.span.begin, s.span.end - s.span.begin));
    }
    return s.aligned;
  }

  void Cite(const FoundMarker& m, int passage, const Sentence* owner) {
    Edit e;
    e.begin = m.begin;
    e.end = m.end;
    e.replacement = std::string(text_.substr(m.begin, m.end - m.begin));
    e.passage = passage;
    e.page = PageOf(passages_[passage], TextOf(owner));
    cited_.insert({LineOf(m.begin), passage, e.page});
    edits_.push_back(std::move(e));
  }

  void RepointOrRemove(Sentence& s, const FoundMarker& m) {
    const std::optional<int> passage = AlignedPassage(s);
    const int page = passage.has_value() ? PageOf(passages_[*passage], TextOf(&s)) : 0;
    if (!passage.has_value() || cited_.contains({s.line, *passage, page})) {
      edits_.push_back(RemovalOf(text_, m));
      return;
    }
    Edit e;
    e.begin = m.begin;
    e.end = m.end;
    e.replacement = passages_[*passage].marker;
    e.passage = *passage;
    e.page = page;
    edits_.push_back(std::move(e));
    cited_.insert({s.line, *passage, page});
  }

  // A marker after each run of unmarked sentences of one line that a
  // passage supports, unless the line cites that passage already.
  void InsertMissing() {
    std::optional<Edit> pending;
    int pending_line = -1;
    for (Sentence& s : sentences_) {
      const int passage = s.markers.empty() ? AlignedPassage(s).value_or(-1) : -1;
      const int page = passage >= 0 ? PageOf(passages_[passage], TextOf(&s)) : 0;
      if (pending.has_value() && passage == pending->passage && page == pending->page &&
          s.line == pending_line) {
        pending->begin = pending->end = s.span.end;
        continue;
      }
      if (pending.has_value()) edits_.push_back(*std::move(pending));
      pending.reset();
      if (passage < 0 || !cited_.insert({s.line, passage, page}).second) continue;
      Edit e;
      e.begin = e.end = s.span.end;
      e.lead = " ";
      e.replacement = passages_[passage].marker;
      e.passage = passage;
      e.page = page;
      pending = std::move(e);
      pending_line = s.line;
    }
    if (pending.has_value()) edits_.push_back(*std::move(pending));
  }

  int LineOf(size_t pos) const {
    return static_cast<int>(std::count(text_.begin(), text_.begin() + pos, '\n'));
  }

  const absl::string_view text_;
  const absl::Span<const Passage> passages_;
  const Aligner aligner_;
  absl::flat_hash_map<std::pair<int, int>, int> by_number_;  // (call, result) -> passage
  int last_call_ = 0;
  std::vector<FoundMarker> markers_;
  std::vector<Sentence> sentences_;
  absl::flat_hash_set<std::tuple<int, int, int>> cited_;  // (line, passage, page)
  std::vector<Edit> edits_;
};

// ---- sandbox links ------------------------------------------------------------

bool IsPathEnd(char c) {
  return absl::ascii_isspace(static_cast<unsigned char>(c)) || c == ')' || c == ']' || c == '"' ||
         c == '\'' || c == '<' || c == '>' || c == '`';
}

std::string PercentDecode(absl::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    int value = 0;
    if (s[i] == '%' && i + 2 < s.size() &&
        absl::ascii_isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        absl::ascii_isxdigit(static_cast<unsigned char>(s[i + 2])) &&
        absl::SimpleHexAtoi(s.substr(i + 1, 2), &value)) {
      out.push_back(static_cast<char>(value));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<Edit> FilePathEdits(absl::string_view text,
                                absl::Span<const std::pair<std::string, std::string>> files) {
  std::vector<Edit> edits;
  if (files.empty()) return edits;
  size_t pos = 0;
  while ((pos = text.find(kSandbox, pos)) != absl::string_view::npos) {
    size_t end = pos + kSandbox.size();
    while (end < text.size() && !IsPathEnd(text[end])) ++end;
    while (end > pos + kSandbox.size() && absl::StrContains(".,;:!?", text[end - 1])) --end;
    const absl::string_view path = text.substr(pos + kSandbox.size(), end - pos - kSandbox.size());
    const std::string decoded = PercentDecode(path);
    for (const auto& [file_path, file_id] : files) {
      if (file_path != path && file_path != decoded) continue;
      Edit e;
      e.begin = pos;
      e.end = end;
      e.replacement = std::string(text.substr(pos, end - pos));
      e.file_id = file_id;
      edits.push_back(std::move(e));
      break;
    }
    pos = std::max(end, pos + 1);
  }
  return edits;
}

// ---- applying ---------------------------------------------------------------

// Code points in out[0, byte), counted on from a previous position.
class CodePointCounter {
 public:
  explicit CodePointCounter(absl::string_view text) : text_(text) {}
  int At(size_t byte) {
    for (; pos_ < byte; ++pos_) {
      if ((static_cast<unsigned char>(text_[pos_]) & 0xC0) != 0x80) ++count_;
    }
    return count_;
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
  int count_ = 0;
};

v1::Annotation MakeAnnotation(const Edit& e, absl::Span<const Passage> passages) {
  v1::Annotation a;
  a.set_text(e.replacement);
  if (e.passage >= 0) {
    const Passage& p = passages[e.passage];
    v1::FileCitation* c = a.mutable_file_citation();
    c->set_file_id(p.file_id);
    c->set_page_number(e.page > 0 ? e.page : p.page_number);
    c->set_file_name(p.file_name);
  } else {
    a.mutable_file_path()->set_file_id(e.file_id);
  }
  return a;
}

AnnotatedText Apply(absl::string_view text, std::vector<Edit> edits,
                    absl::Span<const Passage> passages) {
  std::stable_sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) {
    return a.begin != b.begin ? a.begin < b.begin : (a.end == a.begin) > (b.end == b.begin);
  });
  AnnotatedText out;
  std::vector<std::pair<size_t, size_t>> byte_ranges;
  size_t cursor = 0;
  for (const Edit& e : edits) {
    if (e.begin < cursor) continue;  // overlaps an earlier edit
    out.value.append(text.data() + cursor, e.begin - cursor);
    out.value += e.lead;
    const size_t start = out.value.size();
    out.value += e.replacement;
    cursor = e.end;
    if (e.passage < 0 && e.file_id.empty()) continue;  // a removal
    byte_ranges.emplace_back(start, out.value.size());
    out.annotations.push_back(MakeAnnotation(e, passages));
  }
  out.value.append(text.data() + cursor, text.size() - cursor);
  CodePointCounter counter(out.value);
  for (size_t i = 0; i < byte_ranges.size(); ++i) {
    out.annotations[i].set_start_index(counter.At(byte_ranges[i].first));
    out.annotations[i].set_end_index(counter.At(byte_ranges[i].second));
  }
  return out;
}

}  // namespace

std::vector<Passage> RunPassages(absl::Span<const v1::RunStep> steps) {
  std::vector<Passage> passages;
  int call = 0;
  for (const v1::RunStep& step : steps) {
    if (!step.step_details().has_tool_calls()) continue;
    for (const v1::ToolCall& tool_call : step.step_details().tool_calls().tool_calls()) {
      if (!tool_call.has_file_search()) continue;
      for (Passage& p : FileSearchPassages(tool_call.file_search(), call)) {
        passages.push_back(std::move(p));
      }
      ++call;
    }
  }
  return passages;
}

std::vector<std::pair<std::string, std::string>> RunOutputFiles(
    absl::Span<const v1::RunStep> steps) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const v1::RunStep& step : steps) {
    if (!step.step_details().has_tool_calls()) continue;
    for (const v1::ToolCall& tool_call : step.step_details().tool_calls().tool_calls()) {
      if (!tool_call.has_code_interpreter()) continue;
      for (const v1::CodeInterpreterFile& f : tool_call.code_interpreter().files()) {
        files.emplace_back(f.path(), f.file_id());
      }
    }
  }
  return files;
}

AnnotatedText Annotate(absl::string_view text, absl::Span<const Passage> passages,
                       absl::Span<const std::pair<std::string, std::string>> files) {
  std::vector<Edit> edits = Annotator(text, passages).CitationEdits();
  for (Edit& e : FilePathEdits(text, files)) edits.push_back(std::move(e));
  return Apply(text, std::move(edits), passages);
}

}  // namespace assistd::orchestrator
