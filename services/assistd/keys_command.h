#ifndef ASSISTD_SERVICES_ASSISTD_KEYS_COMMAND_H_
#define ASSISTD_SERVICES_ASSISTD_KEYS_COMMAND_H_

namespace assistd {

// `assistd keys create|list|revoke ...` (argv[0] is "keys"): manages the API
// keys of --data_dir (default $ASSISTD_DATA_DIR, then ./data) without
// starting the server; safe next to a running one. Prints a new key once,
// on stdout; everything else on stderr. Returns the exit code.
int RunKeysCommand(int argc, char** argv);

}  // namespace assistd

#endif  // ASSISTD_SERVICES_ASSISTD_KEYS_COMMAND_H_
