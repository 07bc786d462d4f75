/* The firmware behind app.h: boot, the main loop, outputs, TELEMETRY and EVENTs. Requests are
 * answered in app_req.c; the config store is store.c, the rules engine.c. docs/firmware.md tells
 * the whole story (boot sequence, safe mode, budgets). */
#include "app_int.h"

#include "dur16.h"
#include "frame.h"
#include "image_layout.h"

#define STABLE_MS 30000UL  /* this long up without a reset: the watchdog-reset count starts over */
#define SAFE_MODE_RESETS 3 /* consecutive watchdog resets that put the board in safe mode */
#define RX_PER_POLL 80     /* bytes taken from the UART per pass, so a flood cannot starve the loop */

app_t app;
static td_frame_dec_t rx;

/* --- sending ----------------------------------------------------------------------------------- */

/* Frames one message; false (nothing written) if `must` is false and the UART has no room. */
bool app_send(uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t len, bool must)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t n = 0;
    if (!frame_encode(TD_PROTOCOL_VERSION, type, seq, payload, len, wire, sizeof wire, &n)) {
        return false;
    }
    if (!must && hal_uart_tx_free() < n) {
        return false;
    }
    hal_uart_write(wire, n);
    return true;
}

/* A device message of its own (HELLO at boot, EVENT, LOG, TELEMETRY) takes the next device seq. */
static bool send_own(uint8_t type, const uint8_t *payload, uint8_t len, bool must)
{
    if (!app_send(type, app.seq, payload, len, must)) {
        return false;
    }
    app.seq++;
    return true;
}

/* Every event goes out at once, as an EVENT frame (u32 time, kind, a, b, c, i32 value); it waits
 * for the UART rather than be lost. */
void app_emit(void *ctx, const td_event_t *ev)
{
    uint8_t out[12];
    (void)ctx;
    le_put_u32(out, ev->time_ms);
    out[4] = ev->kind;
    out[5] = ev->a;
    out[6] = ev->b;
    out[7] = ev->c;
    le_put_i32(&out[8], ev->value);
    send_own(TD_MSG_EVENT, out, sizeof out, true);
}

void app_event(uint8_t kind, uint8_t b, int32_t value)
{
    td_event_t ev;
    ev.time_ms = app.now;
    ev.kind = kind;
    ev.a = TD_NO_INDEX;
    ev.b = b;
    ev.c = TD_NO_INDEX;
    ev.value = value;
    app_emit(NULL, &ev);
}

/* LOG with a text kept in program memory (on AVR, strings in RAM would cost the RAM budget). */
void app_log(uint8_t level, const char *text_rom)
{
    uint8_t out[TD_MAX_PAYLOAD];
    uint8_t n = 1;
    char c;
    out[0] = level;
    while (n < TD_MAX_PAYLOAD && (c = (char)TD_ROM_U8((const uint8_t *)text_rom + n - 1)) != '\0') {
        out[n++] = (uint8_t)c;
    }
    send_own(TD_MSG_LOG, out, n, true);
}

/* HELLO (docs/protocol.md), written at its offsets. */
enum {
    HELLO_VERSION = 0, HELLO_BOARD = 1, HELLO_FW = 2, HELLO_RESET = 5, HELLO_FLAGS = 6, HELLO_DEVICE_ID = 8,
    HELLO_BOOTS = 12, HELLO_CAPS = 16, HELLO_GENERATION = 20, HELLO_HASH = 24, HELLO_MAX_PAYLOAD = 32,
    HELLO_MAX_IMAGE = 34, HELLO_NAME = 36
};
TD_STATIC_ASSERT(HELLO_NAME == TD_HELLO_FROZEN_SIZE && HELLO_MAX_PAYLOAD - HELLO_HASH == TD_RECIPE_HASH_SIZE, hello);
TD_STATIC_ASSERT(sizeof TD_FW_NAME - 1 <= TD_FW_NAME_SIZE, fw_name_fits);
#define TD_CAPS                                                                                          \
    (TD_CAPABILITY_CONFIG_STORE | TD_CAPABILITY_PARAM_STORE | TD_CAPABILITY_PWM | TD_CAPABILITY_RAW_TELEMETRY | \
     TD_CAPABILITY_WATCHDOG | TD_CAPS_EXTRA)

void app_hello(uint16_t seq, bool own)
{
    static const char name[] TD_ROM = TD_FW_NAME;
    uint8_t out[TD_HELLO_SIZE];
    uint8_t i;
    for (i = 0; i < TD_HELLO_SIZE; i++) {
        out[i] = 0; /* the reserved byte and the name's NUL padding */
    }
    out[HELLO_VERSION] = TD_PROTOCOL_VERSION;
    out[HELLO_BOARD] = TD_BOARD->board_class;
    out[HELLO_FW] = TD_FW_MAJOR;
    out[HELLO_FW + 1] = TD_FW_MINOR;
    out[HELLO_FW + 2] = TD_FW_PATCH;
    out[HELLO_RESET] = app.reset_cause;
    out[HELLO_FLAGS] = app_flags();
    le_put_u32(&out[HELLO_DEVICE_ID], app.sys.device_id);
    le_put_u32(&out[HELLO_BOOTS], app.sys.boot_count);
    le_put_u32(&out[HELLO_CAPS], TD_CAPS);
    le_put_u32(&out[HELLO_GENERATION], store_generation(&app.st));
    store_recipe_hash(&app.st, &out[HELLO_HASH]);
    out[HELLO_MAX_PAYLOAD] = TD_MAX_PAYLOAD;
    le_put_u16(&out[HELLO_MAX_IMAGE], TD_BOARD->max_image);
    for (i = 0; i < sizeof name - 1; i++) {
        out[HELLO_NAME + i] = TD_ROM_U8((const uint8_t *)&name[i]);
    }
    if (own) {
        send_own(TD_MSG_HELLO, out, sizeof out, true);
    } else {
        app_send(TD_MSG_HELLO, seq, out, sizeof out, true);
    }
}

uint8_t app_flags(void)
{
    uint8_t f = 0;
    if (app.sys.flags & STORE_FLAG_SAFE_MODE) f |= TD_HELLO_FLAG_SAFE_MODE;
    if (app.running && !app.eng.automation) f |= TD_HELLO_FLAG_PAUSED;
    if (store_has_config(&app.st)) f |= TD_HELLO_FLAG_HAS_CONFIG;
    if (app.raw_telemetry) f |= TD_HELLO_FLAG_RAW_TELEMETRY;
    return f;
}

/* --- pins -------------------------------------------------------------------------------------- */

/* Drives the actuator whose record is at `off` in image `src` at `level` (0 = its safe state). The
 * pin is checked against the board again: at boot this runs on images that have not been
 * validated yet. */
static void drive(const td_src_t *src, uint16_t off, uint8_t level, bool setup)
{
    uint8_t pin = image_rd_u8(src, off + A_PIN);
    uint8_t flags = image_rd_u8(src, off + A_FLAGS);
    uint8_t caps = board_pin_caps(TD_BOARD, pin);
    if ((caps & (TD_PIN_CAP_RESERVED | TD_PIN_CAP_DIGITAL_OUT)) != TD_PIN_CAP_DIGITAL_OUT) {
        return;
    }
    if (!(flags & TD_ACTUATOR_FLAG_PWM) && level) {
        level = 255; /* a relay is on at any level */
    }
    if (flags & TD_ACTUATOR_FLAG_ACTIVE_LOW) {
        level = (uint8_t)(255u - level);
    }
    if ((flags & TD_ACTUATOR_FLAG_PWM) && (caps & TD_PIN_CAP_PWM) && !setup) {
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

static void write_outputs(void)
{
    uint8_t i;
    uint16_t off = app.eng.act_at;
    for (i = 0; i < app.eng.na; i++, off += TD_ACTUATOR_SIZE) {
        drive(&app.src, off, app.running ? engine_output(&app.eng, i) : 0, false);
    }
}

/* Automation stops (a new config, safe mode): what is on goes off with ACT_OFF(reason), then
 * every actuator is driven to its safe state. */
void app_stop_outputs(uint8_t reason)
{
    if (app.running) {
        engine_stop(&app.eng, reason, app.now);
    }
    app.running = 0;
    write_outputs();
}

/* --- the config in force ----------------------------------------------------------------------- */

/* Channel `i`'s pin and kind, read field by field rather than through image_channel(): the
 * image in force was validated, so every record below the engine's counts is there, and decoding
 * the whole record costs flash the device needs elsewhere. */
static uint8_t chan_pin(uint8_t i, uint8_t *kind)
{
    uint16_t off = (uint16_t)(app.eng.chan_at + TD_CHANNEL_SIZE * i);
    *kind = image_rd_u8(&app.src, off + C_MODE) & TD_CHANNEL_KIND_MASK;
    return image_rd_u8(&app.src, off + C_PIN);
}

void app_apply_config(void)
{
    uint8_t i;
    uint8_t kind;
    int32_t v;
    app.src = app.st.active;
    app.running = 0;
    app.eng.na = 0;
    if (!store_has_config(&app.st) || !engine_start(&app.eng, &app.src, app_emit, NULL)) {
        return;
    }
    all_safe(&app.src);
    for (i = 0; i < app.eng.nc; i++) {
        uint8_t pin = chan_pin(i, &kind);
        hal_pin_mode(pin, kind == TD_CHANNEL_KIND_DIGITAL_PULLUP ? HAL_INPUT_PULLUP : HAL_INPUT);
    }
    for (i = 0; i < app.eng.np; i++) {
        uint16_t off = (uint16_t)(TD_IMAGE_HEADER_SIZE + TD_PARAM_SIZE * i);
        if (store_param_load(&app.st, i, &v) && v >= image_rd_i32(&app.src, off + P_MIN) &&
            v <= image_rd_i32(&app.src, off + P_MAX)) {
            app.eng.params[i] = v;
        }
    }
    app.tele_ms = dur16_ms(image_rd_u16(&app.src, H_TELEMETRY));
    app.running = !(app.sys.flags & STORE_FLAG_SAFE_MODE);
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
    /* 1. Actuators safe before anything else, from whatever the slots say they are. */
    for (slot = 0; slot < 2; slot++) {
        if (store_slot_src(&src, slot)) {
            all_safe(&src);
        }
    }
    /* 2. The rest of the hardware, the watchdog, and who we are. */
    app.reset_cause = hal_reset_cause();
    hal_init(TD_BAUD);
    hal_watchdog_start();
    frame_dec_init(&rx);
    store_sys_load(&app.sys);
    app.sys.boot_count++;
    if (app.reset_cause & TD_RESET_CAUSE_WATCHDOG) {
        if (app.sys.wd_resets < 255) app.sys.wd_resets++;
        if (app.sys.wd_resets >= SAFE_MODE_RESETS && !(app.sys.flags & STORE_FLAG_SAFE_MODE)) {
            app.sys.flags |= STORE_FLAG_SAFE_MODE;
            entered = true;
        }
    } else {
        app.sys.wd_resets = 0;
    }
    store_sys_save(&app.sys);
    /* 3. The config, then HELLO. */
    bad = store_load(&app.st);
    app_apply_config();
    app.now = hal_millis();
    app_hello(0, true);
    app_log(TD_LOG_LEVEL_INFO, log_boot);
    if (bad) {
        app_log(TD_LOG_LEVEL_WARNING, log_bad);
        app_event(TD_EVENT_KIND_ERROR, TD_ERROR_CODE_STORED_CONFIG_INVALID, bad);
    }
    if (app.sys.flags & STORE_FLAG_SAFE_MODE) {
        app_log(TD_LOG_LEVEL_WARNING, log_safe);
        if (entered) app_event(TD_EVENT_KIND_MODE, TD_MODE_CHANGE_SAFE_MODE_ENTERED, 0);
    }
}

/* --- the main loop ----------------------------------------------------------------------------- */

/* TELEMETRY: u32 time, u8 first channel, u8 flags, then up to 14 i32 values a frame. */
static void telemetry(void)
{
    uint8_t out[6 + 4 * TD_TELEMETRY_MAX_VALUES];
    uint8_t first, n, len;
    if (!app.running || app.tele_ms == 0 || app.now - app.tele_last < app.tele_ms) {
        return;
    }
    /* Keep the cadence: the next frame is due one period after this one was due, not after the
     * loop got here, so loop jitter does not stretch a 2 ms period; after a stall, start afresh. */
    app.tele_last += app.tele_ms;
    if (app.now - app.tele_last >= app.tele_ms) {
        app.tele_last = app.now;
    }
    le_put_u32(out, app.now);
    out[5] = app.raw_telemetry ? TD_TELEMETRY_FLAG_RAW : 0;
    for (first = 0; first < app.eng.nc; first = (uint8_t)(first + n)) {
        out[4] = first;
        len = 6;
        for (n = 0; n < TD_TELEMETRY_MAX_VALUES && first + n < app.eng.nc; n++, len = (uint8_t)(len + 4)) {
            const eng_chan_t *c = &app.eng.ch[first + n];
            le_put_i32(&out[len], app.raw_telemetry ? (int32_t)c->raw : c->value);
        }
        if (!send_own(TD_MSG_TELEMETRY, out, len, false)) {
            app.tele_dropped++; /* no room in the UART: telemetry is what gives way */
            return;
        }
    }
}

static void sample_and_tick(void)
{
    uint8_t i;
    uint8_t kind;
    if (!app.running) {
        return;
    }
    for (i = 0; i < app.eng.nc; i++) {
        if (engine_sample_due(&app.eng, i, app.now)) {
            uint8_t pin = chan_pin(i, &kind);
            engine_set_raw(&app.eng, i, kind == TD_CHANNEL_KIND_ANALOG ? hal_analog_read(pin) : hal_digital_read(pin));
        }
    }
    engine_tick(&app.eng, app.now);
}

void app_poll(void)
{
    uint8_t budget = RX_PER_POLL;
    int16_t c;
    td_frame_t f;
    app.now = hal_millis();
    while (budget-- && (c = hal_uart_read()) >= 0) {
        td_frame_outcome_t out = frame_feed(&rx, (uint8_t)c);
        if (out == FRAME_OK && frame_get(&rx, &f)) {
            app_request(&f);
        } else if (out == FRAME_VERSION && rx.buf[1] < 0x80) {
            /* A newer host's request: refuse it in our own framing, keep running. */
            app_reply(le_get_u16(&rx.buf[2]), rx.buf[1], TD_NACK_BAD_VERSION, TD_PROTOCOL_VERSION, 0);
        } else if (out > FRAME_EMPTY) {
            app.rx_errors++;
        }
    }
    sample_and_tick();
    if (store_has_config(&app.st)) {
        write_outputs();
    }
    telemetry();
    if (!app.stable && app.now >= STABLE_MS) {
        app.stable = 1;
        if (app.sys.wd_resets != 0) {
            app.sys.wd_resets = 0;
            store_sys_save(&app.sys);
        }
    }
    hal_watchdog_feed();
}
