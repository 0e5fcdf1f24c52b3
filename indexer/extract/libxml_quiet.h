#ifndef ASSISTD_INDEXER_EXTRACT_LIBXML_QUIET_H_
#define ASSISTD_INDEXER_EXTRACT_LIBXML_QUIET_H_

// Keeps libxml2 from printing parse errors to stderr. Linking this file in
// also initialises libxml2 (xmlInitParser) during static initialisation,
// while the program is still single-threaded: in libxml2 2.9 it is not
// thread-safe on first use.

namespace assistd::extract {

// Silences libxml2's generic and structured error handlers for the current
// thread while in scope, then restores the previous ones. libxml2 keeps
// these handlers per thread, so concurrent parses (and other users of
// libxml2 on other threads) are unaffected. Create it on the thread that
// parses; nest freely.
class ScopedLibxmlQuiet final {
 public:
  ScopedLibxmlQuiet();
  ~ScopedLibxmlQuiet();
  ScopedLibxmlQuiet(const ScopedLibxmlQuiet&) = delete;
  ScopedLibxmlQuiet& operator=(const ScopedLibxmlQuiet&) = delete;

 private:
  // The handlers in place before. The function pointers are stored as a
  // generic function pointer type and cast back before use, so that this
  // header does not include libxml2.
  using Handler = void (*)();
  Handler generic_;
  void* generic_context_;
  Handler structured_;
  void* structured_context_;
};

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_LIBXML_QUIET_H_
