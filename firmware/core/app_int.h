/* Inside the firmware: the state app.c and app_req.c share. Not an API for anyone else. */
#ifndef TD_APP_INT_H
#define TD_APP_INT_H

#include "app.h"
#include "board.h"
#include "engine.h"
#include "frame.h"
#include "hal.h"
#include "msg.h"
#include "store.h"

#include <string.h>

#ifndef TD_BOARD_SELECTED
#error "the firmware is built for one board: -DTD_BOARD_UNO (or another TD_BOARD_<NAME>)"
#endif
#ifndef TD_BAUD
#define TD_BAUD 115200UL
#endif
#ifndef TD_FW_NAME
#define TD_FW_NAME "tendril-avr"
#endif
#ifndef TD_CAPS_EXTRA
#define TD_CAPS_EXTRA 0 /* a port adds TD_CAPABILITY_SIMULATED */
#endif
#define TD_FW_MAJOR 0
#define TD_FW_MINOR 1
#define TD_FW_PATCH 0

/* COMMAND op of the debug build only (TD_DEBUG_HANG): outside the contract's op range, so no
 * host sends it by accident; it hangs the main loop so tests can watch the watchdog act. */
#define TD_OP_DEBUG_HANG 0xF0

typedef struct {
    engine_t eng;
    td_src_t src;          /* the image the engine runs (a copy: a commit moves the store's first) */
    uint32_t now;          /* hal_millis() of this pass */
    uint32_t tele_ms;      /* telemetry period, 0 = none */
    uint32_t tele_last;
    uint16_t seq;          /* the device's own frame counter */
    uint8_t reset_cause;
    uint8_t running;       /* a config, an engine, and not in safe mode: rules run */
    uint8_t raw_telemetry;
    uint8_t stable;        /* up for STABLE_MS: the watchdog-reset count was cleared */
} app_t;

extern app_t app;
extern td_frame_dec_t app_rx; /* the request being answered is in its buf */

#define SEND_OWN 0x01 /* the device's own message: next device seq (else a reply to app_rx's request) */
#define SEND_TRY 0x02 /* only if the UART has room now: TELEMETRY gives way */
/* wire: a TD_FRAME_WIRE_MAX buffer with the payload at wire[TD_FRAME_PAYLOAD_AT..]. */
bool app_send(uint8_t type, uint8_t *wire, uint8_t len, uint8_t how);
void app_emit(void *ctx, const td_event_t *ev);
void app_event(uint8_t kind, uint8_t b, int32_t value);
void app_log(uint8_t level, const char *text_rom);
void app_hello(uint8_t how);
uint8_t app_flags(void);
void app_apply_config(void);
void app_stop_outputs(uint8_t reason);

/* The request frame_feed just reported FRAME_OK, in app_rx.buf. */
void app_request(void);
/* ACK (code 0: detail's low byte, value) or NACK (code, detail) for app_rx's request. */
void app_reply(uint8_t code, uint16_t detail, uint32_t value);

#endif /* TD_APP_INT_H */
