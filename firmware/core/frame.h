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

typedef struct {
    uint8_t buf[TD_MAX_FRAME]; /* decoded bytes of the frame being received */
    uint8_t len;               /* decoded bytes in buf */
    uint8_t enc_len;           /* encoded bytes since the last delimiter */
    uint8_t frame_len;         /* length of the frame FRAME_OK just reported, else 0 */
    bool discarding;           /* oversize: dropping bytes until the next delimiter */
    td_cobs_dec_t cobs;
} td_frame_dec_t;

void frame_dec_init(td_frame_dec_t *dec);
td_frame_outcome_t frame_feed(td_frame_dec_t *dec, uint8_t byte);
/* The frame the last frame_feed() reported as FRAME_OK; false after any other outcome. */
bool frame_get(const td_frame_dec_t *dec, td_frame_t *frame);

/* Encode one frame with its trailing 0x00 into out[0..cap). False, writing *out_len = 0, if
 * payload_len > TD_MAX_PAYLOAD or the frame does not fit (TD_FRAME_WIRE_MAX always fits). */
#define TD_FRAME_WIRE_MAX (TD_MAX_ENCODED + 1)
bool frame_encode(uint8_t version, uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t payload_len,
                  uint8_t *out, uint8_t cap, uint8_t *out_len);

#endif /* TD_FRAME_H */
