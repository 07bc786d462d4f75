/* libFuzzer target for the frame decoder and the request decoder, with the real buffer sizes.
 *
 * Each input is used twice:
 *  1. as a raw byte stream, fed to the decoder one byte at a time (noise, truncation, oversize);
 *  2. as the contents of one frame (version, type, seq, payload), encoded with a correct CRC and
 *     fed the same way, so mutations reach the message layer instead of dying at the checksum.
 * Every decoded frame goes through msg_decode_request(). Broken invariants abort(). */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "msg.h"

#define CHECK(cond)                                                                                     \
    do {                                                                                                \
        if (!(cond)) {                                                                                  \
            abort();                                                                                    \
        }                                                                                               \
    } while (0)

static void check_request(const td_frame_t *f)
{
    td_request_t req;
    td_msg_status_t st = msg_decode_request(f->type, f->payload, f->payload_len, &req);
    const uint8_t *end = f->payload + f->payload_len;
    CHECK(st == MSG_OK || st == MSG_BAD_LENGTH || st == MSG_UNKNOWN_TYPE || st == MSG_UNKNOWN_OP);
    CHECK(req.type == f->type);
    if (st != MSG_OK) {
        return;
    }
    if (req.type == TD_MSG_PING) {
        CHECK(req.u.ping.len <= TD_PING_MAX && req.u.ping.data + req.u.ping.len <= end);
        {
            /* A PONG echoes any valid PING and always fits a frame. */
            uint8_t out[TD_MAX_PAYLOAD];
            uint8_t len = 0;
            CHECK(msg_encode_pong(req.u.ping.data, req.u.ping.len, out, sizeof out, &len) == MSG_OK);
            CHECK(len == req.u.ping.len && memcmp(out, req.u.ping.data, len) == 0);
        }
    } else if (req.type == TD_MSG_CONFIG_CHUNK) {
        CHECK(req.u.config_chunk.len >= 1 && req.u.config_chunk.len <= TD_CONFIG_CHUNK_MAX);
        CHECK(req.u.config_chunk.data + req.u.config_chunk.len <= end);
    } else if (req.type == TD_MSG_COMMAND) {
        CHECK(f->payload_len >= 1 && req.op == f->payload[0]);
    }
}

/* Feeds one byte; returns the outcome and checks a reported frame. */
static td_frame_outcome_t feed(td_frame_dec_t *dec, uint8_t byte, td_frame_t *got)
{
    td_frame_outcome_t outcome = frame_feed(dec, byte);
    td_frame_t f;
    CHECK(outcome <= FRAME_OVERSIZE);
    CHECK(frame_get(dec, &f) == (outcome == FRAME_OK));
    if (outcome == FRAME_OK) {
        CHECK(f.version == TD_PROTOCOL_VERSION && f.payload_len <= TD_MAX_PAYLOAD);
        CHECK(byte == 0);
        check_request(&f);
        if (got != NULL) {
            *got = f;
        }
    }
    return outcome;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    td_frame_dec_t dec;
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t wire_len = 0;
    uint8_t payload_len;
    size_t i;
    td_frame_outcome_t outcome = FRAME_NONE;
    td_frame_t f;

    frame_dec_init(&dec);
    for (i = 0; i < size; i++) {
        outcome = feed(&dec, data[i], NULL);
        CHECK(data[i] == 0 || outcome == FRAME_NONE); /* outcomes only at delimiters */
    }

    /* Mode 2: a sender's leading 0x00 resynchronises after whatever mode 1 left behind. */
    feed(&dec, 0, NULL);
    if (size < TD_HEADER_SIZE) {
        return 0;
    }
    payload_len = (uint8_t)((size - TD_HEADER_SIZE > TD_MAX_PAYLOAD) ? TD_MAX_PAYLOAD : size - TD_HEADER_SIZE);
    CHECK(frame_encode(data[0], data[1], (uint16_t)(data[2] | (data[3] << 8)), data + TD_HEADER_SIZE, payload_len,
                       wire, sizeof wire, &wire_len));
    CHECK(wire_len >= 2 && wire_len <= TD_FRAME_WIRE_MAX && wire[wire_len - 1] == 0);
    CHECK(memchr(wire, 0, wire_len - 1u) == NULL);
    memset(&f, 0, sizeof f);
    for (i = 0; i < wire_len; i++) {
        outcome = feed(&dec, wire[i], &f);
    }
    if (data[0] != TD_PROTOCOL_VERSION) {
        CHECK(outcome == FRAME_VERSION);
        return 0;
    }
    CHECK(outcome == FRAME_OK);
    CHECK(f.type == data[1] && f.seq == (uint16_t)(data[2] | (data[3] << 8)) && f.payload_len == payload_len);
    CHECK(memcmp(f.payload, data + TD_HEADER_SIZE, payload_len) == 0);
    /* A frame one byte too big for the payload limit is refused, not truncated. */
    if (size - TD_HEADER_SIZE > TD_MAX_PAYLOAD) {
        CHECK(!frame_encode(data[0], data[1], 0, data + TD_HEADER_SIZE, TD_MAX_PAYLOAD + 1, wire, sizeof wire,
                            &wire_len));
    }
    return 0;
}
