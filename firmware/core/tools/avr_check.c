/* A tiny AVR program that uses the core the way the firmware will: bytes from the UART through the
 * frame decoder, requests decoded, replies encoded and framed, the config image validated straight
 * from EEPROM. It never runs; `make avr-check` links it so avr-size can show what the core costs.
 * Volatile registers stand in for the UART so the compiler keeps every path. */
#include <avr/eeprom.h>

#include "calib.h"
#include "frame.h"
#include "image.h"
#include "msg.h"

static volatile uint8_t uart_rx;
static volatile uint8_t uart_tx;
static td_frame_dec_t rx;

static uint8_t eeprom_read(const void *ctx, uint16_t offset)
{
    return eeprom_read_byte((const uint8_t *)ctx + offset);
}

static void send(uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t len)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t n = 0;
    uint8_t i;
    if (frame_encode(TD_PROTOCOL_VERSION, type, seq, payload, len, wire, sizeof wire, &n)) {
        for (i = 0; i < n; i++) {
            uart_tx = wire[i];
        }
    }
}

static void handle(const td_frame_t *f, const td_src_t *image)
{
    td_request_t req;
    uint8_t out[TD_MAX_PAYLOAD];
    uint8_t len = 0;
    uint8_t index = 0;
    td_msg_status_t st = msg_decode_request(f->type, f->payload, f->payload_len, &req);
    if (st != MSG_OK) {
        uint8_t code = st == MSG_UNKNOWN_TYPE ? TD_NACK_UNKNOWN_TYPE
                     : st == MSG_UNKNOWN_OP   ? TD_NACK_UNKNOWN_OP
                                              : TD_NACK_BAD_LENGTH;
        msg_encode_nack(f->type, code, req.op, out, sizeof out, &len);
        send(TD_MSG_NACK, f->seq, out, len);
        return;
    }
    if (req.type == TD_MSG_PING) {
        msg_encode_pong(req.u.ping.data, req.u.ping.len, out, sizeof out, &len);
        send(TD_MSG_PONG, f->seq, out, len);
    } else if (req.type == TD_MSG_CONFIG_COMMIT) {
        td_image_error_t err = image_validate(image, TD_BOARD, &index);
        if (err != IMAGE_OK) {
            msg_encode_nack(f->type, TD_NACK_IMAGE_INVALID, (uint16_t)(((uint16_t)err << 8) | index), out,
                            sizeof out, &len);
            send(TD_MSG_NACK, f->seq, out, len);
            return;
        }
        msg_encode_ack(f->type, 0, 1, out, sizeof out, &len);
        send(TD_MSG_ACK, f->seq, out, len);
    } else {
        msg_encode_ack(f->type, 0, req.u.lease.duration_ms, out, sizeof out, &len);
        send(TD_MSG_ACK, f->seq, out, len);
    }
}

static void telemetry(const td_src_t *image, uint16_t seq)
{
    td_channel_t ch;
    int32_t values[TD_LIMIT_CHANNELS];
    uint8_t out[TD_MAX_PAYLOAD];
    uint8_t n = 0;
    uint8_t len = 0;
    while (n < TD_LIMIT_CHANNELS && image_channel(image, n, &ch)) {
        values[n] = calib_apply(uart_rx, ch.gain, ch.offset);
        n++;
    }
    if (msg_encode_telemetry(seq, 0, 0, values, n, out, sizeof out, &len) == MSG_OK) {
        send(TD_MSG_TELEMETRY, seq, out, len);
    }
}

int main(void)
{
    td_src_t image;
    td_frame_t frame;
    uint16_t seq = 0;
    image.read = eeprom_read;
    image.ctx = (const void *)0; /* slot 0 of the EEPROM */
    image.len = TD_LIMIT_IMAGE;
    frame_dec_init(&rx);
    for (;;) {
        if (frame_feed(&rx, uart_rx) == FRAME_OK && frame_get(&rx, &frame)) {
            handle(&frame, &image);
        }
        telemetry(&image, seq++);
    }
}
