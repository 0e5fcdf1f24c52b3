#ifndef ASSISTD_TESTS_UTIL_TEMP_DIR_H_
#define ASSISTD_TESTS_UTIL_TEMP_DIR_H_

#include <string>

namespace assistd::testing {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with everything
// in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string File(const std::string& name) const;

 private:
  std::string path_;
};

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UTIL_TEMP_DIR_H_
