// DigitTokenizer::FeedAvx512: the word-level walk (digit_tokenizer_words.h) on AVX-512BW.
#include "match/digit_tokenizer.h"
#include "match/digit_tokenizer_classes.h"

#define VIGIE_TOK_WIDTH 512
#define VIGIE_TOK_TARGET __attribute__((target("avx512f,avx512bw,bmi,bmi2,lzcnt,popcnt")))
#define VIGIE_TOK_FEED FeedAvx512
#include "match/digit_tokenizer_words.h"
