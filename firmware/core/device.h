/* The device's state and what it says on its own (HELLO, EVENT, LOG), shared by the main loop
 * (app.c) and request handling (req.c). Pure: the state is passed in, and what reaches the
 * hardware goes through the port's three functions, so requests run in a test with no HAL.
 *
 *     app.c (boot, main loop, pins, TELEMETRY; the HAL)  ->  req.c (requests)  ->  device.c
 *     app.c  ->  device.c                                    req.c, device.c  ->  store.c, engine.c
 */
#ifndef TD_DEVICE_H
#define TD_DEVICE_H

#include "engine.h"
#include "msg.h"
#include "td.h"

#ifndef TD_BOARD_SELECTED
#error "the firmware is built for one board: -DTD_BOARD_UNO (or another TD_BOARD_<NAME>)"
#endif

typedef struct device device_t;

typedef struct {
    /* Writes a whole frame (n bytes) to the host. only_if_room: false, nothing written, when it
     * does not fit the UART now (TELEMETRY gives way); else it may wait until it is all queued. */
    bool (*write)(device_t *d, const uint8_t *frame, uint8_t n, bool only_if_room);
    /* A config was started (device_apply_config): every actuator of d->src to its safe state as
     * an output, every channel pin an input. */
    void (*config_pins)(device_t *d);
    /* Every actuator of the config in force at its engine output, or safe while not running. */
    void (*drive_outputs)(device_t *d);
    /* A 1-Wire bus search on `pin` (onewire_search): codes from `first` on into out (at most
     * `max`, 8 bytes each), *n of them, *total found; a td_scan_result_t. NULL: no 1-Wire. */
    uint8_t (*ow_search)(uint8_t pin, uint8_t first, uint8_t *out, uint8_t max, uint8_t *n, uint8_t *total);
    /* The board's I2C bus: hal.h's hal_i2c_begin, hal_i2c_write and hal_i2c_read. NULL: no bus. */
    uint8_t (*i2c_begin)(uint8_t khz400);
    uint8_t (*i2c_write)(uint8_t addr, const uint8_t *data, uint8_t len, uint8_t stop);
    uint8_t (*i2c_read)(uint8_t addr, uint8_t *data, uint8_t len);
} device_port_t;

/* The small fields first: within the 63-byte displacement of an AVR pointer load, where after the
 * engine's few hundred bytes each access had to compute its address (flash). */
struct device {
    td_src_t src;          /* the image the engine runs (a copy: a commit moves the store's first) */
    const device_port_t *port;
    uint32_t now;          /* the clock of this pass (the main loop sets it) */
    uint32_t tele_ms;      /* telemetry period, 0 = none */
    uint32_t tele_last;
    uint16_t seq;          /* the device's own frame counter */
    uint16_t req_seq;      /* the request being answered: replies echo its seq and type */
    uint8_t req_type;
    uint8_t reset_cause;
    uint8_t running;       /* a config, an engine, and not in safe mode: rules run */
    uint8_t raw_telemetry;
    uint8_t stable;        /* up for long enough: the watchdog-reset count was cleared */
    engine_t eng;
};

/* A fresh state (no config, seq 0) on `port`. */
void device_init(device_t *d, const device_port_t *port);
size_t device_sizeof(void);
void device_set_now(device_t *d, uint32_t now);

#define SEND_OWN 0x01 /* the device's own message: next device seq (else a reply to d->req_seq) */
#define SEND_TRY 0x02 /* only if the UART has room now: TELEMETRY gives way */
/* wire: a TD_FRAME_WIRE_MAX buffer with the payload (len bytes) at wire[TD_FRAME_PAYLOAD_AT..],
 * where msg.c's encoders wrote it; framed in place and written through the port. */
bool device_send(device_t *d, uint8_t type, uint8_t *wire, uint8_t len, uint8_t how);
#define DEVICE_PAYLOAD(wire) (&(wire)[TD_FRAME_PAYLOAD_AT])

/* The engine's emit function (ctx: the device_t): every event goes out at once as an EVENT. */
void device_emit(void *ctx, const td_event_t *ev);
/* The device's own EVENT (a and c: no index). */
void device_event(device_t *d, uint8_t kind, uint8_t b, int32_t value);
/* LOG with a text kept in program memory (TD_ROM). */
void device_log(device_t *d, uint8_t level, const char *text_rom);
void device_hello(device_t *d, uint8_t how);
uint8_t device_flags(const device_t *d); /* TD_HELLO_FLAG_* */

/* Starts the store's config in force, if any: the engine with its stored parameter overrides,
 * the pins (port), the telemetry period; runs it unless in safe mode. */
void device_apply_config(device_t *d);
/* Automation stops (a new config): what is on goes off with ACT_OFF(reason), then every actuator
 * is driven to its safe state. */
void device_stop_outputs(device_t *d, uint8_t reason);

#endif /* TD_DEVICE_H */
