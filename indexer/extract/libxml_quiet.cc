#include "indexer/extract/libxml_quiet.h"

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

namespace assistd::extract {
namespace {

void IgnoreGenericError(void* /*ctx*/, const char* /*msg*/, ...) {}
void IgnoreStructuredError(void* /*ctx*/, xmlErrorPtr /*error*/) {}

// xmlInitParser is not thread-safe in libxml2 2.9: run it while the program
// is still single-threaded (static initialisation), not on first use.
[[maybe_unused]] const bool kLibxml2Initialized = (xmlInitParser(), true);

}  // namespace

ScopedLibxmlQuiet::ScopedLibxmlQuiet()
    : generic_(reinterpret_cast<Handler>(xmlGenericError)),
      generic_context_(xmlGenericErrorContext),
      structured_(reinterpret_cast<Handler>(xmlStructuredError)),
      structured_context_(xmlStructuredErrorContext) {
  xmlSetGenericErrorFunc(nullptr, &IgnoreGenericError);
  xmlSetStructuredErrorFunc(nullptr, &IgnoreStructuredError);
}

ScopedLibxmlQuiet::~ScopedLibxmlQuiet() {
  xmlSetGenericErrorFunc(generic_context_,
                         reinterpret_cast<xmlGenericErrorFunc>(generic_));
  xmlSetStructuredErrorFunc(
      structured_context_,
      reinterpret_cast<xmlStructuredErrorFunc>(structured_));
}

}  // namespace assistd::extract
