/* The firmware behind app.h: boot, the main loop, pins and TELEMETRY, on the HAL. Requests are
 * answered by req.c, the device's own messages are device.c's; the config store is store.c, the
 * rules engine.c. docs/firmware.md tells the whole story (boot sequence, safe mode, budgets). */
#include "app.h"

#include "board.h"
#include "device.h"
#include "frame.h"
#include "hal.h"
#include "image_layout.h"
#include "le.h"
#include "onewire.h"
#include "req.h"
#include "sensor.h"
#include "store.h"

#ifndef TD_BAUD
#define TD_BAUD 115200UL
#endif

/* COMMAND op of the debug build only (TD_DEBUG_HANG): outside the contract's op range, so no
 * host sends it by accident; it hangs the main loop so tests can watch the watchdog act. */
#define TD_OP_DEBUG_HANG 0xF0

#define STABLE_MS 30000UL  /* this long up without a reset: the watchdog-reset count starts over */
#define SAFE_MODE_RESETS 3 /* consecutive watchdog resets that put the board in safe mode */
#define RX_PER_POLL 80     /* bytes taken from the UART per pass, so a flood cannot starve the loop */

static device_t app;
static sensors_t sensors; /* when each channel's driver wants to run again */
static td_frame_dec_t app_rx; /* zeroed RAM is frame_dec_init()'s state: no call needed */

/* --- the device's port and the store's EEPROM, on the HAL ----------------------------------- */

static bool port_write(device_t *d, const uint8_t *frame, uint8_t n, bool only_if_room)
{
    (void)d;
    if (only_if_room && hal_uart_tx_free() < n) {
        return false;
    }
    hal_uart_write(frame, n);
    return true;
}

static void config_pins(device_t *d);
static void write_outputs(device_t *d);
static const device_port_t port = {port_write,     config_pins,   write_outputs, onewire_search,
                                   hal_i2c_begin, hal_i2c_write, hal_i2c_read};
static const store_eeprom_t eeprom = {hal_eeprom_read, hal_eeprom_write, hal_eeprom_size, hal_entropy};

/* --- pins -------------------------------------------------------------------------------------- */

/* A servo's pulse for `deg` degrees: SERVO_PULSE_MIN_US at 0 to SERVO_PULSE_MAX_US at SERVO_MAX_DEG
 * (both spans divided by 20 first). */
#define SERVO_SPAN_US (TD_SERVO_PULSE_MAX_US - TD_SERVO_PULSE_MIN_US)
TD_STATIC_ASSERT(SERVO_SPAN_US % 20 == 0 && TD_SERVO_MAX_DEG % 20 == 0 && (SERVO_SPAN_US / 20) * 255u < 65536u,
                 servo_pulse_in_16_bits);
/* The division by 9 as a multiply by 2^16 / 9 rounded up, then a shift: exact for every deg up to
 * 255 (the error stays under 0.07 where a quotient's fraction is at most 8/9), and no 16-bit
 * division routine in the firmware for it. */
#define SERVO_RECIP ((65536UL + TD_SERVO_MAX_DEG / 20 - 1) / (TD_SERVO_MAX_DEG / 20))
TD_STATIC_ASSERT(SERVO_SPAN_US / 20 == 100 && TD_SERVO_MAX_DEG / 20 == 9, servo_recip_checked_for_these);
static uint16_t servo_pulse_us(uint8_t deg)
{
    return (uint16_t)(TD_SERVO_PULSE_MIN_US + (uint16_t)(((uint32_t)(deg * (SERVO_SPAN_US / 20)) * SERVO_RECIP) >> 16));
}

/* Drives the actuator whose record is at `off` in image `src` at `level` (0 = its safe state: a
 * servo's safe position). The pin is checked against the board again: at boot this runs on images
 * that have not been validated yet. A servo's level is its position in degrees, already inside its
 * limits (the engine clamps it). */
static void drive(const td_src_t *src, uint16_t off, uint8_t level, bool setup)
{
    uint8_t rec[TD_ACTUATOR_SIZE]; /* one read for the pin, flags and safe position: flash */
    uint8_t pin, flags, caps;
    image_rd_bytes(src, off, rec, TD_ACTUATOR_SIZE);
    pin = rec[TD_ACTUATOR_PIN];
    flags = rec[TD_ACTUATOR_FLAGS];
    caps = board_pin_caps(TD_BOARD, pin);
    if ((caps & (TD_PIN_CAP_RESERVED | TD_PIN_CAP_DIGITAL_OUT)) != TD_PIN_CAP_DIGITAL_OUT) {
        return;
    }
    if (flags & TD_ACTUATOR_FLAG_SERVO) {
        if (!(caps & TD_PIN_CAP_SERVO)) return;
        if (level == 0) level = rec[TD_ACTUATOR_SERVO_SAFE];
        if (level > TD_SERVO_MAX_DEG) level = TD_SERVO_MAX_DEG; /* an image not validated yet */
        hal_servo_write(pin, servo_pulse_us(level));
        return;
    }
    if (!(flags & TD_ACTUATOR_FLAG_PWM) && level) {
        level = 255; /* a relay is on at any level */
    }
    if (flags & TD_ACTUATOR_FLAG_ACTIVE_LOW) {
        level = (uint8_t)(255u - level);
    }
    /* Not at setup, so the image was validated: a PWM actuator's pin has PWM (no caps check). */
    if ((flags & TD_ACTUATOR_FLAG_PWM) && !setup) {
        hal_pwm_write(pin, level);
    } else {
        /* The level first, then OUTPUT: an active-low relay never sees a LOW glitch. */
        hal_digital_write(pin, level >= 128 ? 1 : 0);
    }
    if (setup) {
        hal_pin_mode(pin, HAL_OUTPUT);
    }
}

/* Every actuator of an image to its safe state, set up as an output. */
static void all_safe(const td_src_t *src)
{
    image_counts_t n;
    uint16_t off;
    uint8_t i;
    image_counts(src, &n);
    off = image_actuators_at(&n);
    for (i = 0; i < n.na && i < TD_LIMIT_ACTUATORS; i++, off += TD_ACTUATOR_SIZE) {
        drive(src, off, 0, true);
    }
}

static void write_outputs(device_t *d)
{
    uint8_t i;
    uint16_t off = d->eng.act_at;
    for (i = 0; i < d->eng.na; i++, off += TD_ACTUATOR_SIZE) {
        drive(&d->src, off, d->running ? engine_output(&d->eng, i) : 0, false);
    }
}

/* --- the config in force ----------------------------------------------------------------------- */

/* The I2C bus off (its pins may be an actuator's now: an I2C sensor's setup begins it again), the
 * actuators safe, then every channel's pin set up by its kind's driver (sensor.h). */
static void config_pins(device_t *d)
{
    hal_i2c_end();
    all_safe(&d->src);
    sensors_setup(&sensors, &d->eng, td_drivers, td_sensor_drivers);
}

/* --- boot -------------------------------------------------------------------------------------- */

static const char log_boot[] TD_ROM = "boot";
static const char log_safe[] TD_ROM = "safe mode: boot loop; automation off until CLEAR_SAFE_MODE";
static const char log_bad[] TD_ROM = "stored config invalid: ignored";

TD_NOINLINE void app_boot(void)
{
    uint8_t slot;
    uint8_t bad;
    bool entered = false;
    td_src_t src;
    store_init(&eeprom);
    /* 1. Actuators safe before anything else, from whatever the slots say they are. */
    for (slot = 0; slot < 2; slot++) {
        if (store_slot_src(&src, slot)) {
            all_safe(&src);
        }
    }
    /* 2. The rest of the hardware, the watchdog, and who we are. */
    device_init(&app, &port);
    app.reset_cause = hal_reset_cause();
    hal_init(TD_BAUD);
    hal_watchdog_start();
    store_sys_load();
    store_count_boot();
    entered = store_note_reset((app.reset_cause & TD_RESET_CAUSE_WATCHDOG) != 0, SAFE_MODE_RESETS);
    /* 3. The config, then HELLO. */
    bad = store_load();
    device_apply_config(&app);
    app.now = hal_millis();
    device_hello(&app, SEND_OWN);
    device_log(&app, TD_LOG_LEVEL_INFO, log_boot);
    if (bad) {
        device_log(&app, TD_LOG_LEVEL_WARNING, log_bad);
        device_event(&app, TD_EVENT_KIND_ERROR, TD_ERROR_CODE_STORED_CONFIG_INVALID, bad);
    }
    if (store_safe_mode()) {
        device_log(&app, TD_LOG_LEVEL_WARNING, log_safe);
        if (entered) device_event(&app, TD_EVENT_KIND_MODE, TD_MODE_CHANGE_SAFE_MODE_ENTERED, 0);
    }
}

/* --- the main loop ----------------------------------------------------------------------------- */

/* TELEMETRY: up to TD_TELEMETRY_MAX_VALUES channels a frame, as many frames as it takes. Out of
 * line: inlined into the main loop it cost the Uno 62 B more; on a pointer, not cloned on the
 * static device's address, 32 B less again. */
static TD_BYREF void telemetry(device_t *d)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *out = DEVICE_PAYLOAD(wire);
    uint8_t first, n, i, len;
    uint32_t period = d->tele_ms;
    uint32_t late = d->now - d->tele_last;
    if (!d->running || period == 0 || late < period) {
        return;
    }
    /* Keep the cadence: the next frame is due one period after this one was due, not after the
     * loop got here, so loop jitter does not stretch a 2 ms period; after a stall, start afresh. */
    d->tele_last = late - period >= period ? d->now : d->tele_last + period;
    for (first = 0; first < d->eng.nc; first = (uint8_t)(first + n)) {
        n = (uint8_t)(d->eng.nc - first);
        if (n > TD_TELEMETRY_MAX_VALUES) {
            n = TD_TELEMETRY_MAX_VALUES;
        }
        /* The head again for every frame (framing rewrites the buffer), then the values one by one
         * from the engine's channels: no array of them on the stack. raw_telemetry is 0 or
         * TD_TELEMETRY_FLAG_RAW, as TELEMETRY_MODE set it. */
        (void)msg_encode_telemetry(d->now, first, d->raw_telemetry, NULL, 0, out, TD_MAX_PAYLOAD, &len);
        for (i = 0; i < n; i++) {
            const eng_chan_t *c = &d->eng.ch[first + i];
            /* a channel with no valid reading sends the marker, never a made-up number */
            (void)msg_append_i32(!(c->bits & CH_VALID) ? TD_NO_READING : d->raw_telemetry ? c->raw : c->value, out,
                                 TD_MAX_PAYLOAD, &len);
        }
        if (!device_send(&app, TD_MSG_TELEMETRY, wire, len, SEND_OWN | SEND_TRY)) {
            return; /* no room in the UART: telemetry is what gives way */
        }
    }
}

/* The drivers that are due (every channel the engine samples now, any driver whose wait is
 * over), then the engine's tick. */
static void sample_and_tick(void)
{
    if (!app.running) {
        return;
    }
    sensors_poll(&sensors, &app.eng, td_drivers, td_sensor_drivers, app.now);
    engine_tick(&app.eng, app.now);
}

/* The request frame_feed just reported FRAME_OK. */
static void request(void)
{
    td_frame_t f;
    (void)frame_get(&app_rx, &f); /* true: frame_feed just reported FRAME_OK */
#ifdef TD_DEBUG_HANG
    if (f.type == TD_MSG_COMMAND && f.payload_len > 0 && f.payload[0] == TD_OP_DEBUG_HANG) {
        app.req_type = f.type;
        app.req_seq = f.seq;
        req_reply(&app, 0, 0, 0);
        for (;;) {
            /* Never feeds the watchdog: the board must reset, come up safe, and not loop. */
            (void)hal_millis();
        }
    }
#endif
    req_handle(&app, f.type, f.seq, f.payload, f.payload_len);
}

void app_poll(void)
{
    uint8_t budget = RX_PER_POLL;
    int16_t c;
    app.now = hal_millis();
    while (budget-- && (c = hal_uart_read()) >= 0) {
        td_frame_outcome_t out = frame_feed(&app_rx, (uint8_t)c);
        if (out == FRAME_OK) {
            request();
        } else if (out == FRAME_VERSION && app_rx.buf[TD_FRAME_HEADER_TYPE] < 0x80) {
            /* A newer host's request: refuse it in our own framing, keep running. frame_get()
             * gives only FRAME_OK frames, so type and seq are read from the decoded header,
             * whose first bytes every protocol version keeps (version, type, seq). */
            req_refuse_version(&app, app_rx.buf[TD_FRAME_HEADER_TYPE],
                               le_u16(&app_rx.buf[TD_FRAME_HEADER_SEQ]));
        } /* anything else the decoder refused is dropped silently (protocol.md, "Receiving") */
    }
    sample_and_tick();
    if (store_has_config()) {
        write_outputs(&app);
    }
    telemetry(&app);
    if (!app.stable && app.now >= STABLE_MS) {
        app.stable = 1;
        store_reset_count_clear();
    }
    hal_watchdog_feed();
}
