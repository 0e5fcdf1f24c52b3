#ifndef ASSISTD_CLI_PAGING_H_
#define ASSISTD_CLI_PAGING_H_

// The paging flags of every list command: --limit N, --after ID,
// --order asc|desc.

#include "absl/status/statusor.h"
#include "assistd/v1/common.pb.h"
#include "cli/args.h"

namespace assistd::cli {

// UsageError for a --limit that is not a positive number or an --order
// other than asc/desc. Range limits beyond that are the server's to check.
absl::StatusOr<v1::PageRequest> PageFromArgs(const Args& args,
                                             v1::Order fallback_order = v1::ORDER_DESC);

}  // namespace assistd::cli

#endif  // ASSISTD_CLI_PAGING_H_
