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
    store_t st;
    store_sys_t sys;
    td_src_t src;          /* the image the engine runs (a copy: a commit moves st.active first) */
    uint32_t now;          /* hal_millis() of this pass */
    uint32_t tele_ms;      /* telemetry period, 0 = none */
    uint32_t tele_last;
    uint16_t seq;          /* the device's own frame counter */
    uint16_t tele_dropped; /* TELEMETRY frames dropped for want of UART room */
    uint16_t rx_errors;    /* frames the decoder refused */
    uint8_t reset_cause;
    uint8_t running;       /* a config, an engine, and not in safe mode: rules run */
    uint8_t raw_telemetry;
    uint8_t stable;        /* up for STABLE_MS: the watchdog-reset count was cleared */
} app_t;

extern app_t app;

bool app_send(uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t len, bool must);
void app_emit(void *ctx, const td_event_t *ev);
void app_event(uint8_t kind, uint8_t b, int32_t value);
void app_log(uint8_t level, const char *text_rom);
void app_hello(uint16_t seq, bool own);
uint8_t app_flags(void);
void app_apply_config(void);
void app_stop_outputs(uint8_t reason);

void app_request(const td_frame_t *f);
/* ACK (code 0: detail's low byte, value) or NACK (code, detail) for request `type`. */
void app_reply(uint16_t seq, uint8_t type, uint8_t code, uint16_t detail, uint32_t value);

#endif /* TD_APP_INT_H */
