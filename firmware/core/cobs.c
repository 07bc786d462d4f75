/* COBS encoder and decoder, one byte at a time, with every write bounds-checked. */
#include "cobs.h"

static TD_NOINLINE void enc_put(td_cobs_enc_t *enc, size_t pos, uint8_t byte)
{
    if (pos < enc->cap) {
        enc->out[pos] = byte;
    } else {
        enc->ok = false;
    }
}

void cobs_enc_begin(td_cobs_enc_t *enc, uint8_t *out, size_t cap)
{
    enc->out = out;
    enc->cap = (out == NULL) ? 0 : cap;
    enc->ok = true;
    enc->code_pos = 0;
    enc->len = 1; /* the first block's code byte, written when the block closes */
    enc->code = 1;
}

/* Close the open block and open the next one. */
static TD_NOINLINE void enc_close_block(td_cobs_enc_t *enc)
{
    enc_put(enc, enc->code_pos, enc->code);
    enc->code_pos = enc->len;
    enc->len++;
    enc->code = 1;
}

void cobs_enc_byte(td_cobs_enc_t *enc, uint8_t byte)
{
    /* A full block (254 data bytes) closes only when more input arrives, so a frame ending on
     * one gets no empty trailing block. */
    if (enc->code == 0xFF) {
        enc_close_block(enc);
    }
    if (byte == 0) {
        enc_close_block(enc);
    } else {
        enc_put(enc, enc->len, byte);
        enc->len++;
        enc->code++;
    }
}

td_cobs_status_t cobs_enc_end(td_cobs_enc_t *enc, size_t *out_len)
{
    enc_put(enc, enc->code_pos, enc->code);
    if (!enc->ok || enc->len > enc->cap) {
        return COBS_NO_ROOM;
    }
    if (out_len != NULL) {
        *out_len = enc->len;
    }
    return COBS_OK;
}

td_cobs_status_t cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    td_cobs_enc_t enc;
    size_t i;
    if (in == NULL && len > 0) {
        return COBS_BAD;
    }
    cobs_enc_begin(&enc, out, cap);
    for (i = 0; i < len; i++) {
        cobs_enc_byte(&enc, in[i]);
    }
    return cobs_enc_end(&enc, out_len);
}

void cobs_dec_begin(td_cobs_dec_t *dec)
{
    dec->left = 0;
    dec->code = 0;
}

td_cobs_step_t cobs_dec_byte(td_cobs_dec_t *dec, uint8_t in, uint8_t *out)
{
    if (in == 0) {
        return COBS_STEP_BAD;
    }
    if (dec->left > 0) {
        dec->left--;
        *out = in;
        return COBS_STEP_BYTE;
    }
    /* A code byte. The previous block stood for its data plus a zero, unless it was a full
     * 254-byte block: that zero is only known to exist now that another block follows. */
    {
        bool zero = dec->code != 0 && dec->code != 0xFF;
        dec->code = in;
        dec->left = (uint8_t)(in - 1u);
        if (zero) {
            *out = 0;
            return COBS_STEP_BYTE;
        }
    }
    return COBS_STEP_NONE;
}

bool cobs_dec_complete(const td_cobs_dec_t *dec)
{
    return dec->left == 0;
}

td_cobs_status_t cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    td_cobs_dec_t dec;
    size_t i;
    size_t n = 0;
    uint8_t byte = 0;
    if (in == NULL && len > 0) {
        return COBS_BAD;
    }
    cobs_dec_begin(&dec);
    for (i = 0; i < len; i++) {
        td_cobs_step_t step = cobs_dec_byte(&dec, in[i], &byte);
        if (step == COBS_STEP_BAD) {
            return COBS_BAD;
        }
        if (step == COBS_STEP_BYTE) {
            if (n >= cap || out == NULL) {
                return COBS_NO_ROOM;
            }
            out[n++] = byte; /* n <= i always, so decoding in place never overtakes the input */
        }
    }
    if (!cobs_dec_complete(&dec)) {
        return COBS_BAD;
    }
    if (out_len != NULL) {
        *out_len = n;
    }
    return COBS_OK;
}
