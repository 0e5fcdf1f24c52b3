#ifndef ASSISTD_INDEXER_EXTRACT_EXTRACTION_ZYGOTE_H_
#define ASSISTD_INDEXER_EXTRACT_EXTRACTION_ZYGOTE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "indexer/extract/document.h"

namespace assistd::extract {

// Extracts one file; runs in a forked child of the zygote.
using ExtractHandler = std::function<absl::StatusOr<Document>(
    const std::string& path, const std::string& filename)>;

// The zygote: serves zygote_protocol.h requests on `control_fd` until the
// server closes it, then kills its remaining children and returns 0.
//
// Each request gets a fresh fork of this (already initialised) process,
// which applies RLIMIT_CPU, RLIMIT_AS, RLIMIT_CORE=0 and RLIMIT_NOFILE and
// dies with the zygote before it touches the input, makes the request's
// pipe its stdout, runs `handler`, writes the encoded result
// (document_codec.h) there and _exits. Anything else printed to stdout makes
// the result undecodable, which the server reports as invalid_file.
// So every file still gets a process of its own, without paying for exec
// and dynamic linking each time.
//
// Call from a single-threaded process only (fork must not copy a lock held
// by another thread).
int RunExtractionZygote(int control_fd, const ExtractHandler& handler);

}  // namespace assistd::extract

#endif  // ASSISTD_INDEXER_EXTRACT_EXTRACTION_ZYGOTE_H_
