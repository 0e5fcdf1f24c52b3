#include "tests/util/pdf_fixtures.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <zlib.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace assistd::testing {

absl::Status WriteTextPdf(const std::string& path,
                          const std::vector<std::string>& pages) {
  cairo_surface_t* surface = cairo_pdf_surface_create(path.c_str(), 595, 842);
  cairo_t* cr = cairo_create(surface);
  for (const std::string& page : pages) {
    if (page == kImageOnlyPage) {
      cairo_set_source_rgb(cr, 0.2, 0.3, 0.4);
      cairo_rectangle(cr, 50, 50, 400, 600);
      cairo_fill(cr);
    } else {
      cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                             CAIRO_FONT_WEIGHT_NORMAL);
      cairo_set_font_size(cr, 12);
      double y = 60;
      for (absl::string_view line : absl::StrSplit(page, '\n')) {
        cairo_move_to(cr, 50, y);
        cairo_show_text(cr, std::string(line).c_str());
        y += 18;
      }
    }
    cairo_show_page(cr);
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("cairo: ", cairo_status_to_string(status)));
  }
  return absl::OkStatus();
}

absl::Status WriteEncryptedPdf(const std::string& in, const std::string& out) {
  std::string cmd = absl::StrCat("qpdf --encrypt usersecret ownersecret 256 -- '", in,
                                 "' '", out, "' 2>/dev/null");
  if (std::system(cmd.c_str()) != 0) {
    return absl::InternalError("qpdf failed (is it installed? scripts/deps.sh install dev)");
  }
  return absl::OkStatus();
}

absl::Status WriteDecompressionBombPdf(const std::string& path, int inflated_mb) {
  // Compress the content stream in pieces so the test itself stays small.
  const std::string unit = "BT /F1 12 Tf 50 700 Td (bomb bomb bomb bomb bomb) Tj ET\n";
  std::string block;
  while (block.size() < (1 << 20)) block += unit;
  z_stream z{};
  deflateInit(&z, Z_BEST_COMPRESSION);
  std::string compressed;
  char out[1 << 16];
  for (int i = 0; i < inflated_mb; ++i) {
    z.next_in = reinterpret_cast<Bytef*>(block.data());
    z.avail_in = static_cast<uInt>(block.size());
    const int flush = i + 1 == inflated_mb ? Z_FINISH : Z_NO_FLUSH;
    do {
      z.next_out = reinterpret_cast<Bytef*>(out);
      z.avail_out = sizeof(out);
      deflate(&z, flush);
      compressed.append(out, sizeof(out) - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);

  std::vector<std::string> objects = {
      "<< /Type /Catalog /Pages 2 0 R >>",
      "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
      "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
      "/Resources << /Font << /F1 5 0 R >> >> >>",
      absl::StrCat("<< /Length ", compressed.size(), " /Filter /FlateDecode >>\nstream\n",
                   compressed, "\nendstream"),
      "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"};
  std::string pdf = "%PDF-1.4\n";
  std::vector<size_t> offsets;
  for (size_t i = 0; i < objects.size(); ++i) {
    offsets.push_back(pdf.size());
    absl::StrAppend(&pdf, i + 1, " 0 obj\n", objects[i], "\nendobj\n");
  }
  const size_t xref = pdf.size();
  absl::StrAppend(&pdf, "xref\n0 ", objects.size() + 1, "\n0000000000 65535 f \n");
  for (size_t off : offsets) {
    char line[32];
    std::snprintf(line, sizeof(line), "%010zu 00000 n \n", off);
    pdf += line;
  }
  absl::StrAppend(&pdf, "trailer\n<< /Size ", objects.size() + 1,
                  " /Root 1 0 R >>\nstartxref\n", xref, "\n%%EOF\n");
  std::ofstream f(path, std::ios::binary);
  f << pdf;
  return f.good() ? absl::OkStatus() : absl::InternalError("writing bomb PDF");
}

}  // namespace assistd::testing
