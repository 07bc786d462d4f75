/* Requests (docs/protocol.md): each is decoded by msg.c, then answered by its handler from a
 * table (request type -> handler, COMMAND op -> handler), with the device's state passed in.
 * Exactly one reply per request, echoing its seq. Pure: the state and the store's functions are
 * all a handler touches, so request handling runs in a test with no HAL (tests/core). */
#ifndef TD_REQ_H
#define TD_REQ_H

#include "device.h"

/* The request frame_feed reported FRAME_OK: its type, seq and payload. */
void req_handle(device_t *d, uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t len);
/* A request in a newer protocol version: NACK BAD_VERSION with our version as detail. */
void req_refuse_version(device_t *d, uint8_t type, uint16_t seq);
/* ACK (code 0: detail's low byte, value) or NACK (code, detail) for d's request being answered
 * (d->req_type, d->req_seq). */
void req_reply(device_t *d, uint8_t code, uint16_t detail, uint32_t value);

#endif /* TD_REQ_H */
