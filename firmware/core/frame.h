/* Frames on the wire (docs/protocol.md, "Framing" and "Receiving"):
 *   COBS(version u8 | type u8 | seq u16 | payload 0..64 | crc16 u16) 0x00
 * The decoder takes one byte at a time and never holds more than one frame. */
#ifndef TD_FRAME_H
#define TD_FRAME_H

#include "cobs.h"
#include "td.h"

/* What frame_feed() reports; one outcome for every delimiter, FRAME_NONE for every other byte. */
typedef enum {
    FRAME_NONE = 0, /* no delimiter yet */
    FRAME_OK,       /* a good frame: read it with frame_get() */
    FRAME_EMPTY,    /* nothing between two delimiters: ignore silently */
    FRAME_COBS,     /* not valid COBS */
    FRAME_SHORT,    /* decodes to fewer than header + CRC bytes */
    FRAME_CRC,      /* CRC-16 does not match */
    FRAME_VERSION,  /* CRC good, version is not TD_PROTOCOL_VERSION */
    FRAME_OVERSIZE  /* more than TD_MAX_ENCODED bytes before the delimiter (reported at it) */
} td_frame_outcome_t;

typedef struct {
    uint8_t version;
    uint8_t type;
    uint16_t seq;
    uint8_t payload_len;
    const uint8_t *payload; /* points into the decoder: valid until the next frame_feed() */
} td_frame_t;

/* COBS is undone here rather than through cobs.h's decoder: a frame is too short to hold a full
 * 254-byte block, so the COBS state is just the bytes left in the current block. */
typedef struct {
    uint8_t buf[TD_MAX_FRAME]; /* decoded bytes of the frame being received */
    uint8_t len;               /* decoded bytes in buf */
    uint8_t enc_len;           /* encoded bytes since the last delimiter; TD_FRAME_DISCARDING: oversize */
    uint8_t frame_len;         /* length of the frame FRAME_OK just reported, else 0 */
    uint8_t left;              /* COBS: data bytes still to come in the current block */
} td_frame_dec_t;
#define TD_FRAME_DISCARDING (TD_MAX_ENCODED + 1) /* dropping bytes until the next delimiter */

void frame_dec_init(td_frame_dec_t *dec);
td_frame_outcome_t frame_feed(td_frame_dec_t *dec, uint8_t byte);
/* The frame the last frame_feed() reported as FRAME_OK; false after any other outcome. */
bool frame_get(const td_frame_dec_t *dec, td_frame_t *frame);

/* Encode one frame with its trailing 0x00 into out[0..cap). False, writing *out_len = 0, if
 * payload_len > TD_MAX_PAYLOAD or the frame does not fit (TD_FRAME_WIRE_MAX always fits). */
#define TD_FRAME_WIRE_MAX (TD_MAX_ENCODED + 1)
bool frame_encode(uint8_t version, uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t payload_len,
                  uint8_t *out, uint8_t cap, uint8_t *out_len);

/* frame_encode without its checks, for a payload already at out[TD_FRAME_PAYLOAD_AT..] of a
 * TD_FRAME_WIRE_MAX buffer (payload_len <= TD_MAX_PAYLOAD): the header goes in front, the CRC after,
 * COBS over it in place. Returns the bytes to send, delimiter included. */
#define TD_FRAME_PAYLOAD_AT (1 + TD_HEADER_SIZE)
uint8_t frame_wrap(uint8_t *out, uint8_t version, uint8_t type, uint16_t seq, uint8_t payload_len);

#endif /* TD_FRAME_H */
