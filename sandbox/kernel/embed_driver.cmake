# cmake -DIN=driver.py -DOUT=driver_source.h -P embed_driver.cmake
file(READ ${IN} SOURCE)
file(WRITE ${OUT}.tmp
  "// Generated from sandbox/kernel/driver.py; do not edit.\n"
  "#ifndef ASSISTD_SANDBOX_KERNEL_DRIVER_SOURCE_H_\n"
  "#define ASSISTD_SANDBOX_KERNEL_DRIVER_SOURCE_H_\n"
  "namespace assistd::sandbox {\n"
  "inline constexpr char kDriverSource[] = R\"ASSISTD_PY(${SOURCE})ASSISTD_PY\";\n"
  "}  // namespace assistd::sandbox\n"
  "#endif\n")
file(RENAME ${OUT}.tmp ${OUT})
