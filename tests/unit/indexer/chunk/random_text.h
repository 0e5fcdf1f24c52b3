#ifndef ASSISTD_TESTS_UNIT_INDEXER_CHUNK_RANDOM_TEXT_H_
#define ASSISTD_TESTS_UNIT_INDEXER_CHUNK_RANDOM_TEXT_H_

// Random text for the property tests of the token estimate and the chunker.

#include <random>
#include <string>
#include <vector>

namespace assistd::testing {

// `pieces` snippets drawn at random from a mix of everything the token
// estimate and the chunker tell apart: words, long words, numbers,
// punctuation, whitespace runs and line breaks, Latin, Cyrillic, Han, Hangul,
// CJK punctuation and spaces, emoji. With `invalid`, also bytes that are not
// UTF-8.
inline std::string RandomText(std::mt19937& rng, int pieces, bool invalid) {
  static const std::vector<std::string> kPieces = {
      " ",
      "  ",
      "\n",
      "\n\n",
      "\r\n",
      "\t",
      "a",
      "word",
      "Word",
      "camelCase",
      "internationalization",
      std::string(300, 'z'),
      std::string(40, ' '),
      "x",
      "7",
      "12345",
      ".",
      ". ",
      ",",
      "...",
      "(",
      ")",
      "'s",
      "_id",
      "-",
      "/",
      "\xC3\xA9",                  // e acute
      "\xD0\x9F\xD1\x80\xD0\xB8",  // Cyrillic
      "\xE4\xB8\xAD\xE6\x96\x87",  // Han
      "\xE8\xBF\x99\xE6\x98\xAF\xE4\xB8\x80\xE4\xB8\xAA\xE6\xB5\x8B\xE8\xAF\x95"
      "\xE5\x8F\xA5\xE5\xAD\x90",  // a Chinese clause
      "\xE3\x80\x82",              // ideographic stop
      "\xE3\x80\x80",              // ideographic space
      "\xC2\xA0",                  // no-break space
      "\xEA\xB0\x80",              // Hangul
      "\xF0\x9F\x98\x80",          // emoji
      "\xE2\x80\x94",              // em dash
      "\xFF",
      "\xE2\x82",  // invalid UTF-8
  };
  std::uniform_int_distribution<size_t> pick(
      0, kPieces.size() - (invalid ? 1 : 3));
  std::string text;
  for (int i = 0; i < pieces; ++i) text += kPieces[pick(rng)];
  return text;
}

}  // namespace assistd::testing

#endif  // ASSISTD_TESTS_UNIT_INDEXER_CHUNK_RANDOM_TEXT_H_
