// DigitTokenizer::FeedAvx2: the word-level walk (digit_tokenizer_words.h) on AVX2, for CPUs
// without AVX-512 (a 64-byte block as two 32-byte vectors).
#include "match/digit_tokenizer.h"
#include "match/digit_tokenizer_classes.h"

#define VIGIE_TOK_WIDTH 256
#define VIGIE_TOK_TARGET __attribute__((target("avx2,bmi,bmi2,lzcnt,popcnt")))
#define VIGIE_TOK_FEED FeedAvx2
#include "match/digit_tokenizer_words.h"
