/* Consistent Overhead Byte Stuffing (Cheshire and Baker, 1999), incremental both ways, so frames
 * are encoded straight from their fields and decoded one received byte at a time. */
#ifndef TD_COBS_H
#define TD_COBS_H

#include "td.h"

typedef enum {
    COBS_OK = 0,
    COBS_BAD,     /* a code byte points past the end, or a zero inside the encoded data */
    COBS_NO_ROOM  /* the output does not fit the buffer given */
} td_cobs_status_t;

/* Encoder: cobs_enc_begin(), cobs_enc_byte() for each input byte, cobs_enc_end(). Output that
 * would not fit `cap` is dropped and reported by cobs_enc_end(). A run of 254 non-zero bytes at
 * the very end gets no extra 0x01 block (as Python's `cobs` package writes it). */
typedef struct {
    uint8_t *out;
    size_t cap;
    size_t len;      /* bytes written so far, including the open block's code byte */
    size_t code_pos; /* where the open block's code byte goes */
    uint8_t code;    /* 1 + data bytes in the open block */
    bool ok;
} td_cobs_enc_t;

void cobs_enc_begin(td_cobs_enc_t *enc, uint8_t *out, size_t cap);
void cobs_enc_byte(td_cobs_enc_t *enc, uint8_t byte);
td_cobs_status_t cobs_enc_end(td_cobs_enc_t *enc, size_t *out_len);

/* Whole-buffer encode, no delimiter. */
td_cobs_status_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Decoder state for one encoded frame (the bytes between two delimiters). */
typedef struct {
    uint8_t left; /* data bytes still to come in the current block */
    uint8_t code; /* the current block's code byte, 0 before the first */
} td_cobs_dec_t;

typedef enum {
    COBS_STEP_NONE = 0, /* consumed, nothing to output */
    COBS_STEP_BYTE,     /* one decoded byte is in *out */
    COBS_STEP_BAD       /* a zero byte: never valid inside an encoded frame */
} td_cobs_step_t;

void cobs_dec_begin(td_cobs_dec_t *dec);
td_cobs_step_t cobs_dec_byte(td_cobs_dec_t *dec, uint8_t in, uint8_t *out);
/* True when the bytes fed so far end on a block boundary (a complete encoding). */
bool cobs_dec_complete(const td_cobs_dec_t *dec);

/* Whole-buffer decode of data without its delimiter. Decoding never grows data, so in == out
 * is allowed. Empty input decodes to empty output. */
td_cobs_status_t cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif /* TD_COBS_H */
