/* What req.c and req_bus.c share: a handler's reply and signature, and the bus requests' handlers. */
#ifndef TD_REQ_INT_H
#define TD_REQ_INT_H

#include "device.h"

#define REPLIED 0xFF /* the handler sent its own reply */

typedef struct {
    uint16_t detail;
    uint32_t value;
} reply_t;

/* 0 (ACK with the detail and value it set), a NACK code (with its detail), or REPLIED. */
typedef uint8_t (*req_fn_t)(device_t *d, const td_request_t *r, reply_t *out);

uint8_t req_scan_onewire(device_t *d, const td_request_t *r, reply_t *out);
uint8_t req_i2c(device_t *d, const td_request_t *r, reply_t *out);

#endif /* TD_REQ_INT_H */
