#ifndef ASSISTD_BENCH_EQUIPMENT_MANUAL_H_
#define ASSISTD_BENCH_EQUIPMENT_MANUAL_H_

// A generated operating manual for a fictional pump, for benchmarks that
// need a realistic document: 20 pages, each about its own topic with its
// own facts (figures, part numbers, error codes) amid the general prose
// manuals are full of. Deterministic for a given revision.

#include <string>
#include <vector>

namespace assistd::bench {

// The pages, each at least `words_per_page` words (up to about 30 more),
// as lines of at most 82 characters for tests/util/pdf_fixtures.h
// WriteTextPdf. `revision` is printed on every page, so manuals of
// different revisions differ in their bytes (no cache can serve one for
// another).
std::vector<std::string> EquipmentManualPages(int revision, int words_per_page);

// A question a user might ask about the manual, with a phrase of the
// answer and the page (1-based) holding it.
struct ManualQuestion {
  std::string question;
  std::string answer_phrase;
  int page = 0;
};
const std::vector<ManualQuestion>& EquipmentManualQuestions();

}  // namespace assistd::bench

#endif  // ASSISTD_BENCH_EQUIPMENT_MANUAL_H_
