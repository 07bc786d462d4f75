/* The device's state and its own messages (device.h). Every message is encoded by msg.c straight
 * into its frame and written through the port. */
#include "device.h"

#include <string.h>

#include "board.h"
#include "dur16.h"
#include "frame.h"
#include "image_layout.h"
#include "le.h"
#include "sensor.h"
#include "store.h"

#ifndef TD_FW_NAME
#define TD_FW_NAME "tendril-avr"
#endif
#ifndef TD_CAPS_EXTRA
#define TD_CAPS_EXTRA 0 /* a port adds TD_CAPABILITY_SIMULATED */
#endif
#define TD_FW_MAJOR 0
#define TD_FW_MINOR 1
#define TD_FW_PATCH 0
#define TD_CAPS                                                                                          \
    (TD_CAPABILITY_CONFIG_STORE | TD_CAPABILITY_PARAM_STORE | TD_CAPABILITY_PWM | TD_CAPABILITY_RAW_TELEMETRY | \
     TD_CAPABILITY_WATCHDOG | TD_CAPS_EXTRA)
TD_STATIC_ASSERT(sizeof TD_FW_NAME - 1 <= TD_FW_NAME_SIZE, fw_name_fits);

void device_init(device_t *d, const device_port_t *port)
{
    memset(d, 0, sizeof *d);
    d->port = port;
}

size_t device_sizeof(void)
{
    return sizeof(device_t);
}

void device_set_now(device_t *d, uint32_t now)
{
    d->now = now;
}

/* A reply echoes the seq of the request being answered; SEND_OWN takes the next device seq. */
bool device_send(device_t *d, uint8_t type, uint8_t *wire, uint8_t len, uint8_t how)
{
    uint16_t seq = (how & SEND_OWN) ? d->seq : d->req_seq;
    uint8_t n = frame_wrap(wire, TD_PROTOCOL_VERSION, type, seq, len);
    if (!d->port->write(d, wire, n, (how & SEND_TRY) != 0)) {
        return false;
    }
    if (how & SEND_OWN) {
        d->seq++;
    }
    return true;
}

/* It waits for the UART rather than be lost. */
void device_emit(void *ctx, const td_event_t *ev)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t n;
    (void)msg_encode_event(ev, DEVICE_PAYLOAD(wire), TD_MAX_PAYLOAD, &n); /* an EVENT always fits */
    device_send((device_t *)ctx, TD_MSG_EVENT, wire, n, SEND_OWN);
}

void device_event(device_t *d, uint8_t kind, uint8_t b, int32_t value)
{
    td_event_t ev;
    ev.time_ms = d->now;
    ev.kind = kind;
    ev.a = TD_NO_INDEX;
    ev.b = b;
    ev.c = TD_NO_INDEX;
    ev.value = value;
    device_emit(d, &ev);
}

/* The text lives in program memory (on AVR, strings in RAM would cost the RAM budget): it is
 * copied straight to its place in the payload, after the level, cut at TD_LOG_TEXT_MAX (LOG is
 * those two fields: no encoder call to copy the text onto itself). */
TD_STATIC_ASSERT(TD_LOG_LEVEL == 0 && TD_LOG_SIZE == 1 && TD_LOG_SIZE + TD_LOG_TEXT_MAX <= TD_MAX_PAYLOAD, log_layout);
void device_log(device_t *d, uint8_t level, const char *text_rom)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *p = DEVICE_PAYLOAD(wire);
    uint8_t n = 0;
    uint8_t c;
    p[TD_LOG_LEVEL] = level;
    while (n < TD_LOG_TEXT_MAX && (c = TD_ROM_U8((const uint8_t *)text_rom + n)) != 0) {
        p[TD_LOG_SIZE + n++] = c;
    }
    device_send(d, TD_MSG_LOG, wire, (uint8_t)(TD_LOG_SIZE + n), SEND_OWN);
}

/* HELLO's bytes that are the same on every boot of a build, at the generated offsets, with the
 * name NUL-padded in place: copied whole, then the few that change are written over them (the
 * reserved byte, and a recipe hash without a config, stay 0). One copy instead of a td_hello_t
 * filled field by field and encoded again by msg_encode_hello(): 276 B less on the Uno. */
#define LE16(v) (uint8_t)((v) & 0xFFu), (uint8_t)(((v) >> 8) & 0xFFu)
#define LE32(v) LE16((uint32_t)(v) & 0xFFFFu), LE16(((uint32_t)(v) >> 16) & 0xFFFFu)
typedef struct {
    uint8_t head[TD_HELLO_FW_NAME];
    char name[TD_FW_NAME_SIZE];
    uint8_t tail[TD_HELLO_SIZE - TD_HELLO_FW_NAME - TD_FW_NAME_SIZE];
} hello_rom_t;
TD_STATIC_ASSERT(sizeof(hello_rom_t) == TD_HELLO_SIZE && TD_HELLO_SENSOR_KINDS == TD_HELLO_FW_NAME + TD_FW_NAME_SIZE,
                 hello_rom_layout);
static const hello_rom_t hello_rom TD_ROM = {
    {
        [TD_HELLO_PROTOCOL_VERSION] = TD_PROTOCOL_VERSION,
        [TD_HELLO_FW_MAJOR] = TD_FW_MAJOR,
        [TD_HELLO_FW_MINOR] = TD_FW_MINOR,
        [TD_HELLO_FW_PATCH] = TD_FW_PATCH,
        [TD_HELLO_CAPABILITIES] = LE32(TD_CAPS),
        [TD_HELLO_MAX_PAYLOAD] = LE16(TD_MAX_PAYLOAD),
    },
    TD_FW_NAME,
    {LE32(TD_SENSOR_KINDS_BUILT)},
};

void device_hello(device_t *d, uint8_t how)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *p = DEVICE_PAYLOAD(wire);
    uint8_t i;
    for (i = 0; i < TD_HELLO_SIZE; i++) {
        p[i] = TD_ROM_U8((const uint8_t *)&hello_rom + i);
    }
    p[TD_HELLO_BOARD_CLASS] = TD_BOARD->board_class;
    p[TD_HELLO_RESET_CAUSE] = d->reset_cause;
    p[TD_HELLO_FLAGS] = device_flags(d);
    le_put_u32(&p[TD_HELLO_DEVICE_ID], store_device_id());
    le_put_u32(&p[TD_HELLO_BOOT_COUNT], store_boot_count());
    le_put_u32(&p[TD_HELLO_CONFIG_GENERATION], store_generation());
    if (store_has_config()) {
        store_recipe_hash(&p[TD_HELLO_RECIPE_HASH]);
    }
    le_put_u16(&p[TD_HELLO_MAX_IMAGE], TD_BOARD->max_image);
    device_send(d, TD_MSG_HELLO, wire, TD_HELLO_SIZE, how);
}

uint8_t device_flags(const device_t *d)
{
    uint8_t f = 0;
    if (store_safe_mode()) f |= TD_HELLO_FLAG_SAFE_MODE;
    if (d->running && !d->eng.automation) f |= TD_HELLO_FLAG_PAUSED;
    if (store_has_config()) f |= TD_HELLO_FLAG_HAS_CONFIG;
    if (d->raw_telemetry) f |= TD_HELLO_FLAG_RAW_TELEMETRY;
    return f;
}

void device_apply_config(device_t *d)
{
    d->running = 0;
    d->eng.na = 0;
    if (!store_has_config()) {
        return;
    }
    store_active_src(&d->src);
    if (!engine_start(&d->eng, &d->src, device_emit, d)) {
        return;
    }
    d->port->config_pins(d);
    store_params_load(&d->src, d->eng.params, d->eng.np);
    d->tele_ms = dur16_ms(image_rd_u16(&d->src, TD_IMAGE_HEADER_TELEMETRY_PERIOD));
    d->eng.automation = !store_paused(); /* a pause outlives a reset */
    d->running = !store_safe_mode();
}

void device_stop_outputs(device_t *d, uint8_t reason)
{
    if (d->running) {
        engine_stop(&d->eng, reason, d->now);
    }
    d->running = 0;
    d->port->drive_outputs(d);
}
