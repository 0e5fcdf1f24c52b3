#include "services/orchestrator/model/extractive_model.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/ids.h"
#include "common/status_macros.h"
#include "services/orchestrator/model/passages.h"
#include "services/orchestrator/model/text_overlap.h"

namespace assistd::model {
namespace {

using Json = nlohmann::json;
using WordSet = absl::flat_hash_set<std::string>;

constexpr absl::string_view kFileSearch = "file_search";
constexpr absl::string_view kCodeInterpreter = "code_interpreter";

constexpr int kMaxQuotes = 3;
constexpr size_t kMaxAnswerBytes = 1200;
constexpr size_t kMaxQuoteBytes = 480;
constexpr size_t kMinQuoteBytes = 120;
constexpr size_t kMaxOutputBytes = 4000;
constexpr size_t kMaxFragmentBytes = 32;

constexpr absl::string_view kQuoteIntro =
    "From the attached files (assistd-extractive quotes passages; it does not "
    "write answers of its own):";
constexpr absl::string_view kWeakIntro =
    "No passage in the attached files shares words with the question; the "
    "closest one found is quoted below (assistd-extractive quotes passages; it "
    "does not write answers of its own):";
constexpr absl::string_view kNoPassages =
    "No passage in the attached files matches the question. Try rephrasing it "
    "with the words the documents are likely to use. (assistd-extractive only "
    "quotes passages from the files; it does not write answers of its own.)";
constexpr absl::string_view kAbout =
    "This assistant runs on assistd-extractive, the built-in model of assistd. "
    "It needs no model weights and writes no answers of its own: it searches "
    "the attached files with file_search and quotes the passages that match, "
    "and it runs fenced Python code (```python ... ```) with code_interpreter "
    "and shows the output.";
constexpr absl::string_view kConfigure =
    "To get written answers, configure a language model with --model_endpoints "
    "(see docs/orchestrator.md) and use its name as the assistant's model.";

// What the conversation holds since the newest user message.
struct Turn {
  std::string question;
  bool has_tool_results = false;
  std::string last_tool;                    // name of the newest tool result's tool
  std::vector<std::string> search_outputs;  // file_search results, in order
  std::string code_output;                  // the newest code_interpreter result
};

bool Cancelled(const ChatRequest& request) {
  return request.cancelled != nullptr && request.cancelled->load();
}

int64_t EstimateTokens(size_t bytes) { return static_cast<int64_t>((bytes + 3) / 4); }

int64_t PromptTokens(const ChatRequest& request) {
  size_t bytes = 0;
  for (const ChatMessage& m : request.messages) {
    bytes += 16 + m.content.size();
    for (const ToolCall& call : m.tool_calls) bytes += call.name.size() + call.arguments.size();
  }
  for (const ToolSchema& tool : request.tools) {
    bytes += tool.name.size() + tool.description.size() + tool.parameters_json.size();
  }
  return EstimateTokens(bytes);
}

// The largest prefix length <= `limit` that does not cut a UTF-8 sequence.
size_t Utf8Prefix(absl::string_view text, size_t limit) {
  if (limit >= text.size()) return text.size();
  while (limit > 0 && (static_cast<unsigned char>(text[limit]) & 0xC0) == 0x80) --limit;
  return limit;
}

Turn ReadTurn(const std::vector<ChatMessage>& messages) {
  Turn turn;
  size_t user = messages.size();
  for (size_t i = messages.size(); i > 0; --i) {
    if (messages[i - 1].role == ChatMessage::Role::kUser) {
      user = i - 1;
      break;
    }
  }
  if (user == messages.size()) return turn;
  turn.question = std::string(absl::StripAsciiWhitespace(messages[user].content));
  absl::flat_hash_map<std::string, std::string> tool_of_call;
  std::string newest_call_tool;
  for (size_t i = user + 1; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    if (m.role == ChatMessage::Role::kAssistant) {
      for (const ToolCall& call : m.tool_calls) {
        tool_of_call[call.id] = call.name;
        newest_call_tool = call.name;
      }
      continue;
    }
    if (m.role != ChatMessage::Role::kTool) continue;
    const auto it = tool_of_call.find(m.tool_call_id);
    turn.last_tool = it != tool_of_call.end() ? it->second : newest_call_tool;
    turn.has_tool_results = true;
    if (turn.last_tool == kFileSearch) turn.search_outputs.push_back(m.content);
    if (turn.last_tool == kCodeInterpreter) turn.code_output = m.content;
  }
  return turn;
}

// The Python of the ```python / ```py / ``` fences of `text`, joined; "" if
// there is none.
std::string FencedPython(absl::string_view text) {
  std::vector<absl::string_view> blocks;
  size_t pos = 0;
  while ((pos = text.find("```", pos)) != absl::string_view::npos) {
    const size_t info_end = text.find('\n', pos + 3);
    if (info_end == absl::string_view::npos) break;
    const size_t close = text.find("```", info_end + 1);
    if (close == absl::string_view::npos) break;
    const absl::string_view info =
        absl::StripAsciiWhitespace(text.substr(pos + 3, info_end - pos - 3));
    if (info.empty() || absl::EqualsIgnoreCase(info, "python") ||
        absl::EqualsIgnoreCase(info, "py") || absl::EqualsIgnoreCase(info, "python3")) {
      const absl::string_view code = text.substr(info_end + 1, close - info_end - 1);
      if (!absl::StripAsciiWhitespace(code).empty()) blocks.push_back(code);
    }
    pos = close + 3;
  }
  std::string joined = absl::StrJoin(blocks, "\n");
  while (!joined.empty() && absl::ascii_isspace(static_cast<unsigned char>(joined.back())))
    joined.pop_back();
  return joined;
}

bool Offered(const ChatRequest& request, absl::string_view name) {
  return std::any_of(request.tools.begin(), request.tools.end(),
                     [name](const ToolSchema& t) { return t.name == name; });
}

// ---- streaming ------------------------------------------------------------

// Streams `text` in word-sized fragments (whitespace stays with the word
// before it; long runs without spaces are cut at UTF-8 boundaries).
absl::Status StreamText(absl::string_view text, const ChatRequest& request,
                        ChatStreamObserver* observer) {
  while (!text.empty()) {
    if (Cancelled(request)) return absl::CancelledError("run cancelled");
    size_t end = 0;
    while (end < text.size() && !absl::ascii_isspace(static_cast<unsigned char>(text[end]))) ++end;
    while (end < text.size() && absl::ascii_isspace(static_cast<unsigned char>(text[end]))) ++end;
    if (end > kMaxFragmentBytes) {
      const size_t cut = Utf8Prefix(text, kMaxFragmentBytes);
      end = cut > 0 ? cut : end;
    }
    if (observer != nullptr && !observer->OnText(text.substr(0, end))) {
      return absl::CancelledError("the stream observer stopped the answer");
    }
    text.remove_prefix(end);
  }
  return absl::OkStatus();
}

absl::StatusOr<ChatResult> Answer(std::string text, const ChatRequest& request,
                                  ChatStreamObserver* observer) {
  RETURN_IF_ERROR(StreamText(text, request, observer));
  ChatResult result;
  result.usage.prompt_tokens = PromptTokens(request);
  result.usage.completion_tokens = EstimateTokens(text.size());
  result.text = std::move(text);
  return result;
}

absl::StatusOr<ChatResult> CallTool(absl::string_view name, const Json& args,
                                    const ChatRequest& request, ChatStreamObserver* observer) {
  if (Cancelled(request)) return absl::CancelledError("run cancelled");
  ToolCall call;
  call.id = NewId(IdKind::kToolCall);
  call.name = std::string(name);
  call.arguments = args.dump(-1, ' ', false, Json::error_handler_t::replace);
  const absl::string_view arguments = call.arguments;
  const size_t half = Utf8Prefix(arguments, arguments.size() / 2);
  if (observer != nullptr &&
      (!observer->OnToolCallDelta(0, call.id, call.name, arguments.substr(0, half)) ||
       !observer->OnToolCallDelta(0, "", "", arguments.substr(half)))) {
    return absl::CancelledError("the stream observer stopped the tool call");
  }
  ChatResult result;
  result.finish_reason = FinishReason::kToolCalls;
  result.usage.prompt_tokens = PromptTokens(request);
  result.usage.completion_tokens = EstimateTokens(call.arguments.size() + call.name.size());
  result.tool_calls.push_back(std::move(call));
  return result;
}

// ---- answers from file_search passages ------------------------------------

std::string CollapseWhitespace(absl::string_view text) {
  return absl::StrJoin(absl::StrSplit(text, absl::ByAnyChar(" \t\r\n\f\v"), absl::SkipEmpty()),
                       " ");
}

WordSet ToSet(const std::vector<std::string>& words) { return WordSet(words.begin(), words.end()); }

int SharedWords(const WordSet& words, const WordSet& question) {
  int n = 0;
  for (const std::string& w : question) n += words.contains(w) ? 1 : 0;
  return n;
}

// Grows tokens[*begin, *end) by whole tokens, alternately to the left and
// the right, while it stays within `budget` bytes.
void GrowWithin(const std::vector<absl::string_view>& tokens, size_t budget, size_t* begin,
                size_t* end) {
  size_t bytes = 0;
  for (size_t i = *begin; i < *end; ++i) bytes += tokens[i].size() + 1;
  bool grew = true;
  while (grew) {
    grew = false;
    if (*begin > 0 && bytes + tokens[*begin - 1].size() + 1 <= budget) {
      bytes += tokens[--*begin].size() + 1;
      grew = true;
    }
    if (*end < tokens.size() && bytes + tokens[*end].size() + 1 <= budget) {
      bytes += tokens[(*end)++].size() + 1;
      grew = true;
    }
  }
}

// The part of a long one-line `sentence` of at most `budget` bytes holding
// the most question words, centred on them, with "…" where it was cut.
std::string TrimToBudget(absl::string_view sentence, const WordSet& question, size_t budget) {
  budget = budget > 8 ? budget - 8 : 0;  // room for the two "…"
  const std::vector<absl::string_view> tokens = absl::StrSplit(sentence, ' ');
  std::vector<int> hits;
  for (absl::string_view t : tokens) hits.push_back(SharedWords(ToSet(ContentWords(t)), question));
  // The window with the most hits (two pointers), then shrunk to its first
  // and last hit and grown evenly on both sides.
  size_t best_begin = 0;
  size_t best_end = 0;
  int best_hits = -1;
  size_t end = 0;
  size_t bytes = 0;
  int window_hits = 0;
  for (size_t begin = 0; begin < tokens.size(); ++begin) {
    if (end < begin) {
      end = begin;
      bytes = 0;
      window_hits = 0;
    }
    while (end < tokens.size() && bytes + tokens[end].size() + 1 <= budget) {
      bytes += tokens[end].size() + 1;
      window_hits += hits[end++];
    }
    if (end == begin) continue;
    if (window_hits > best_hits) {
      best_hits = window_hits;
      best_begin = begin;
      best_end = end;
    }
    bytes -= tokens[begin].size() + 1;
    window_hits -= hits[begin];
  }
  if (best_end == best_begin) {  // no token fits: cut the first one
    return absl::StrCat(sentence.substr(0, Utf8Prefix(sentence, budget)), "\u2026");
  }
  if (best_hits > 0) {
    while (hits[best_begin] == 0) ++best_begin;
    while (hits[best_end - 1] == 0) --best_end;
    GrowWithin(tokens, budget, &best_begin, &best_end);
  }
  std::vector<absl::string_view> kept(tokens.begin() + best_begin, tokens.begin() + best_end);
  return absl::StrCat(best_begin > 0 ? "\u2026" : "", absl::StrJoin(kept, " "),
                      best_end < tokens.size() ? "\u2026" : "");
}

// True when `text` starts like the middle of a sentence: a lowercase
// letter or a continuing punctuation mark.
bool StartsMidSentence(absl::string_view text) {
  if (text.empty()) return false;
  const char c = text[0];
  return absl::ascii_islower(static_cast<unsigned char>(c)) || c == ',' || c == ';' ||
         c == ')' || c == ':';
}

// A sentence worth quoting on its own: it ends like one, or is long
// enough not to be a heading or a list label.
bool IsQuotable(const std::string& sentence) {
  if (sentence.empty()) return false;
  const char last = sentence.back();
  if (last == '.' || last == '!' || last == '?' || last == ')' || last == '"') {
    return Words(sentence).size() >= 3;
  }
  return Words(sentence).size() >= 6;
}

struct Window {
  std::string text;
  int score = 0;  // distinct question words it holds
};

// The 1-3 consecutive sentences of `passage` that hold the most question
// words (fewer sentences win ties, then earlier ones), within `budget`.
Window BestWindow(absl::string_view passage, const WordSet& question, size_t budget) {
  std::vector<std::string> sentences;
  std::vector<WordSet> words;
  std::vector<TextSpan> spans = SplitSentences(passage, /*lines_are_breaks=*/false);
  // A chunk that starts inside a sentence (overlapping windows do) begins
  // with its tail ("the warranty."): never quote that fragment alone.
  if (spans.size() > 1 && StartsMidSentence(passage.substr(spans[0].begin))) {
    spans.erase(spans.begin());
  }
  for (const TextSpan& s : spans) {
    sentences.push_back(CollapseWhitespace(passage.substr(s.begin, s.end - s.begin)));
    words.push_back(ToSet(ContentWords(sentences.back())));
  }
  Window best;
  size_t best_begin = 0, best_count = 0;
  const bool any_quotable = std::any_of(sentences.begin(), sentences.end(), IsQuotable);
  for (size_t i = 0; i < sentences.size(); ++i) {
    // Headings ("20. Warranty") share the question's words but say nothing.
    if (any_quotable && !IsQuotable(sentences[i])) continue;
    WordSet seen;
    size_t bytes = 0;
    for (size_t n = 1; n <= 3 && i + n <= sentences.size(); ++n) {
      seen.insert(words[i + n - 1].begin(), words[i + n - 1].end());
      bytes += sentences[i + n - 1].size() + 1;
      if (n > 1 && bytes > budget) break;
      const int score = SharedWords(seen, question);
      if (best_count == 0 || score > best.score || (score == best.score && n < best_count)) {
        best.score = score;
        best_begin = i;
        best_count = n;
      }
    }
  }
  if (best_count == 0) return best;
  std::vector<std::string> parts(sentences.begin() + best_begin,
                                 sentences.begin() + best_begin + best_count);
  best.text = absl::StrJoin(parts, " ");
  if (best.text.size() > budget) best.text = TrimToBudget(best.text, question, budget);
  return best;
}

std::string QuoteLine(absl::string_view text, absl::string_view marker) {
  return absl::StrCat("> ", text, " ", marker);
}

// The question's content words, without the word that makes "how" a
// question of degree ("how long", "how much", "how often"): an answer
// rarely repeats it.
WordSet QuestionWords(absl::string_view question) {
  std::string kept;
  bool after_how = false;
  for (const std::string& word : Words(question)) {
    if (!after_how) absl::StrAppend(&kept, word, " ");
    after_how = word == "how";
  }
  return ToSet(ContentWords(kept));
}

std::string QuotePassages(const std::vector<Passage>& passages, absl::string_view question) {
  if (passages.empty()) return std::string(kNoPassages);
  const WordSet question_words = QuestionWords(question);
  std::vector<Window> windows;
  int best = 0;
  for (const Passage& p : passages) {
    windows.push_back(BestWindow(p.text, question_words, kMaxQuoteBytes));
    best = std::max(best, windows.back().score);
  }
  if (best == 0) {
    if (windows[0].text.empty()) return std::string(kNoPassages);
    return absl::StrCat(kWeakIntro, "\n\n", QuoteLine(windows[0].text, passages[0].marker));
  }
  std::string answer(kQuoteIntro);
  WordSet quoted;
  int quotes = 0;
  for (size_t i = 0; i < passages.size() && quotes < kMaxQuotes; ++i) {
    const int score = windows[i].score;
    if (score == 0 || (quotes > 0 && 2 * score < best)) continue;
    if (!quoted.insert(windows[i].text).second) continue;
    const size_t used = answer.size() + 3 + passages[i].marker.size() + 2;
    if (used + kMinQuoteBytes > kMaxAnswerBytes) break;
    const size_t budget = std::min(kMaxQuoteBytes, kMaxAnswerBytes - used);
    Window window = windows[i];
    if (window.text.size() > budget) window = BestWindow(passages[i].text, question_words, budget);
    absl::StrAppend(&answer, "\n\n", QuoteLine(window.text, passages[i].marker));
    ++quotes;
  }
  return answer;
}

// ---- answers from code_interpreter output ---------------------------------

bool IsImageLine(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  return absl::StartsWith(line, "[image ") && absl::EndsWith(line, "]");
}

// "[wrote /mnt/data/x.csv; link it as sandbox:/mnt/data/x.csv]" (the
// orchestrator's note of a file the code wrote): the sandbox link.
std::optional<absl::string_view> WrittenFileLink(absl::string_view line) {
  line = absl::StripAsciiWhitespace(line);
  if (!absl::ConsumePrefix(&line, "[wrote ") || !absl::ConsumeSuffix(&line, "]")) {
    return std::nullopt;
  }
  const size_t link = line.find("sandbox:");
  if (link == absl::string_view::npos) return std::nullopt;
  return line.substr(link);
}

// Head and tail of an output longer than kMaxOutputBytes.
std::string ShortenOutput(absl::string_view output) {
  if (output.size() <= kMaxOutputBytes) return std::string(output);
  const size_t half = kMaxOutputBytes / 2;
  const size_t head = Utf8Prefix(output, half);
  size_t tail = output.size() - half;
  while (tail < output.size() && (static_cast<unsigned char>(output[tail]) & 0xC0) == 0x80) ++tail;
  return absl::StrCat(output.substr(0, head), "\n[... output shortened ...]\n",
                      output.substr(tail));
}

// A backtick fence longer than any backtick run in `text`.
std::string FenceFor(absl::string_view text) {
  size_t longest = 0, run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return std::string(std::max<size_t>(3, longest + 1), '`');
}

std::string CodeAnswer(absl::string_view output) {
  std::vector<absl::string_view> lines, links;
  int images = 0;
  for (absl::string_view line : absl::StrSplit(output, '\n')) {
    if (IsImageLine(line)) {
      ++images;
    } else if (std::optional<absl::string_view> link = WrittenFileLink(line)) {
      links.push_back(*link);
    } else {
      lines.push_back(line);
    }
  }
  std::string text = absl::StrJoin(lines, "\n");
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back())))
    text.pop_back();
  while (!text.empty() && text.front() == '\n') text.erase(0, 1);
  std::string answer;
  if (text.empty()) {
    answer = "The code ran without printing anything.";
  } else {
    const std::string shown = ShortenOutput(text);
    const std::string fence = FenceFor(shown);
    answer = absl::StrCat("The code ran. Output:\n\n", fence, "\n", shown, "\n", fence);
  }
  if (images > 0) {
    absl::StrAppend(&answer, text.empty() ? " " : "\n\n", "It produced ", images,
                    images == 1 ? " image." : " images.");
  }
  for (absl::string_view link : links) absl::StrAppend(&answer, "\n\nIt wrote ", link, ".");
  return answer;
}

// ---- deciding ---------------------------------------------------------------

std::string Explain(absl::string_view reason) {
  return absl::StrCat(kAbout, " ", reason, "\n\n", kConfigure);
}

// What to do before any tool has answered this turn.
absl::StatusOr<ChatResult> Act(const ChatRequest& request, const Turn& turn,
                               ChatStreamObserver* observer) {
  const absl::string_view choice = request.tool_choice;
  if (choice == "none") {
    return Answer(Explain("Tool use is turned off for this run (tool_choice \"none\"), so it has "
                          "nothing to quote or run."),
                  request, observer);
  }
  std::string forced;
  if (absl::StartsWith(choice, "function:")) forced = std::string(choice.substr(9));
  if (!forced.empty() &&
      ((forced != kFileSearch && forced != kCodeInterpreter) || !Offered(request, forced))) {
    return Answer(Explain(absl::StrCat("This run requires the function \"", forced,
                                       "\", which it cannot call: it only calls file_search and "
                                       "code_interpreter.")),
                  request, observer);
  }
  if (turn.question.empty()) {
    return Answer(Explain("The newest message has no text to work with."), request, observer);
  }
  const std::string code = FencedPython(turn.question);
  const bool can_run = Offered(request, kCodeInterpreter);
  if (forced == kCodeInterpreter || (forced.empty() && can_run && !code.empty())) {
    return CallTool(kCodeInterpreter, Json{{"code", code.empty() ? turn.question : code}}, request,
                    observer);
  }
  if (forced == kFileSearch || Offered(request, kFileSearch)) {
    return CallTool(kFileSearch, Json{{"query", turn.question}}, request, observer);
  }
  if (can_run) {
    return Answer(Explain("The message holds no fenced Python code to run, and file_search is "
                          "not enabled for this assistant."),
                  request, observer);
  }
  return Answer(Explain("Neither file_search nor code_interpreter is enabled for this assistant, "
                        "so it has nothing to quote or run."),
                request, observer);
}

}  // namespace

absl::StatusOr<ChatResult> ExtractiveModel::Complete(const ChatRequest& request,
                                                     ChatStreamObserver* observer) {
  if (Cancelled(request)) return absl::CancelledError("run cancelled");
  const Turn turn = ReadTurn(request.messages);
  if (!turn.has_tool_results) return Act(request, turn, observer);
  // Tools have answered this turn: answer now, whatever tool_choice says,
  // so the run loop cannot spin.
  if (turn.last_tool == kCodeInterpreter)
    return Answer(CodeAnswer(turn.code_output), request, observer);
  if (turn.last_tool == kFileSearch) {
    std::vector<Passage> passages;
    for (const std::string& output : turn.search_outputs) {
      for (Passage& p : ParsePassages(output)) passages.push_back(std::move(p));
    }
    return Answer(QuotePassages(passages, turn.question), request, observer);
  }
  return Answer(
      Explain(absl::StrCat("It cannot read the output of the function \"", turn.last_tool, "\".")),
      request, observer);
}

}  // namespace assistd::model
