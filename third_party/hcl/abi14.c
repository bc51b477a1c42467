// tree-sitter-hcl is published only as an ABI 15 parser; Debian's runtime (0.20.7) loads ABI 14.
// The two TSLanguage layouts agree up to `primary_state_ids` except the lex modes, which ABI 15
// widens by a reserved-word set id (unused by this grammar: max_reserved_word_set_size is 0).
// This builds, once, an ABI 14 copy with the lex modes narrowed; the tables stay shared.
#include <tree_sitter/parser.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  uint16_t lex_state;
  uint16_t external_lex_state;
  uint16_t reserved_word_set_id;
} Abi15LexMode;

const void* tree_sitter_hcl(void);

static TSLanguage language;

static void narrow(void) {
  const void* abi15 = tree_sitter_hcl();
  memcpy(&language, abi15,
         offsetof(TSLanguage, primary_state_ids) + sizeof(language.primary_state_ids));
  const Abi15LexMode* wide = (const Abi15LexMode*)language.lex_modes;
  TSLexMode* modes = calloc(language.state_count, sizeof(TSLexMode));
  for (uint32_t i = 0; i < language.state_count; ++i) {
    modes[i].lex_state = wide[i].lex_state;
    modes[i].external_lex_state = wide[i].external_lex_state;
  }
  language.lex_modes = modes;
  language.version = 14;
}

// Analyzer threads may ask for the language at the same time: the copy is made once.
const TSLanguage* tree_sitter_hcl_abi14(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, narrow);
  return &language;
}
