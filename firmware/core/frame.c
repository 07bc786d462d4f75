/* Streaming frame decoder and frame encoder (docs/protocol.md). COBS is undone as bytes arrive, so
 * the decoder needs TD_MAX_FRAME bytes of buffer, not TD_MAX_ENCODED. */
#include "frame.h"

#include "crc.h"
#include "le.h"
#include "tendril_records.h"

#define FRAME_MIN (TD_HEADER_SIZE + TD_CRC_SIZE)

/* COBS output is always at least one byte shorter than its input, so TD_MAX_ENCODED encoded bytes
 * never decode to more than buf holds. Counters are uint8_t. */
TD_STATIC_ASSERT(TD_MAX_ENCODED - 1 <= TD_MAX_FRAME, buf_holds_largest_frame);
TD_STATIC_ASSERT(TD_MAX_FRAME == TD_HEADER_SIZE + TD_MAX_PAYLOAD + TD_CRC_SIZE, frame_layout);
TD_STATIC_ASSERT(TD_MAX_ENCODED < 255 && TD_FRAME_WIRE_MAX <= 255, counters_fit_u8);
TD_STATIC_ASSERT(TD_HEADER_SIZE == TD_FRAME_HEADER_SIZE && TD_CRC_SIZE == 2, header_layout);

static void dec_reset(td_frame_dec_t *dec)
{
    dec->len = 0;
    dec->enc_len = 0;
    dec->left = 0;
}

void frame_dec_init(td_frame_dec_t *dec)
{
    dec_reset(dec);
    dec->frame_len = 0;
}

/* A delimiter arrived: judge what was collected, in the order protocol.md gives. */
static td_frame_outcome_t dec_finish(td_frame_dec_t *dec)
{
    uint8_t body;
    if (dec->enc_len == TD_FRAME_DISCARDING) {
        return FRAME_OVERSIZE;
    }
    if (dec->enc_len == 0) {
        return FRAME_EMPTY;
    }
    if (dec->left != 0) {
        return FRAME_COBS; /* the last block ends past the delimiter */
    }
    if (dec->len < FRAME_MIN) {
        return FRAME_SHORT;
    }
    body = (uint8_t)(dec->len - TD_CRC_SIZE);
    if (crc16(dec->buf, body) != le_u16(&dec->buf[body])) {
        return FRAME_CRC;
    }
    if (dec->buf[TD_FRAME_HEADER_VERSION] != TD_PROTOCOL_VERSION) {
        return FRAME_VERSION;
    }
    dec->frame_len = dec->len;
    return FRAME_OK;
}

td_frame_outcome_t frame_feed(td_frame_dec_t *dec, uint8_t byte)
{
    dec->frame_len = 0;
    if (byte == 0) {
        td_frame_outcome_t outcome = dec_finish(dec);
        dec_reset(dec);
        return outcome;
    }
    if (dec->enc_len >= TD_MAX_ENCODED) {
        dec->enc_len = TD_FRAME_DISCARDING;
        return FRAME_NONE;
    }
    if (dec->left != 0) {
        dec->left--; /* a data byte */
    } else {
        /* A code byte: the block before it, if any, stood for its data plus a zero. (A full 254-byte
         * block, whose zero is implicit, would run past TD_MAX_ENCODED first.) */
        dec->left = (uint8_t)(byte - 1u);
        byte = 0;
        if (dec->enc_len == 0) {
            dec->enc_len = 1;
            return FRAME_NONE;
        }
    }
    /* Every byte after the first decodes to at most one: buf holds them (static assert above). */
    dec->buf[dec->len++] = byte;
    dec->enc_len++;
    return FRAME_NONE;
}

bool frame_get(const td_frame_dec_t *dec, td_frame_t *frame)
{
    if (dec->frame_len < FRAME_MIN || dec->frame_len > sizeof dec->buf) {
        return false;
    }
    frame->version = dec->buf[TD_FRAME_HEADER_VERSION];
    frame->type = dec->buf[TD_FRAME_HEADER_TYPE];
    frame->seq = le_u16(&dec->buf[TD_FRAME_HEADER_SEQ]);
    frame->payload = &dec->buf[TD_HEADER_SIZE];
    frame->payload_len = (uint8_t)(dec->frame_len - FRAME_MIN);
    return true;
}

/* The raw frame is built at out[1..n] and COBS-encoded where it lies: a non-zero byte stays where it
 * is, a zero becomes the code byte of the block after it, and out[0] is the first block's code. A
 * frame never holds 254 non-zero bytes in a row, so no block is ever full (COBS's special case). */
TD_STATIC_ASSERT(TD_MAX_FRAME < 254, no_full_cobs_block);

uint8_t frame_wrap(uint8_t *out, uint8_t version, uint8_t type, uint16_t seq, uint8_t payload_len)
{
    uint8_t n = (uint8_t)(FRAME_MIN + payload_len); /* raw frame length */
    uint8_t i;
    uint8_t run = 1;     /* distance from the open block's code byte */
    uint8_t *code = out; /* where that code byte goes */
    uint8_t *p = out;
    out[1 + TD_FRAME_HEADER_VERSION] = version; /* out[0]: the COBS code byte */
    out[1 + TD_FRAME_HEADER_TYPE] = type;
    le_put_u16(&out[1 + TD_FRAME_HEADER_SEQ], seq);
    /* crc16() as the decoder uses it: one CRC loop in the firmware */
    le_put_u16(&out[n - 1], crc16(&out[1], (uint8_t)(n - TD_CRC_SIZE)));
    /* A walking pointer and a byte counter rather than out[i]: no 16-bit index sums on AVR. */
    for (i = n; i != 0; i--) {
        if (*++p == 0) {
            *code = run;
            code = p;
            run = 1;
        } else {
            run++;
        }
    }
    *code = run;
    p[1] = 0x00;
    return (uint8_t)(n + 2u);
}

bool frame_encode(uint8_t version, uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t payload_len,
                  uint8_t *out, uint8_t cap, uint8_t *out_len)
{
    uint8_t i;
    *out_len = 0;
    if (payload_len > TD_MAX_PAYLOAD || (payload == NULL && payload_len > 0) || out == NULL ||
        cap < (uint8_t)(FRAME_MIN + payload_len + 2u)) {
        return false;
    }
    for (i = 0; i < payload_len; i++) {
        out[TD_FRAME_PAYLOAD_AT + i] = payload[i];
    }
    *out_len = frame_wrap(out, version, type, seq, payload_len);
    return true;
}
