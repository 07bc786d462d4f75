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
td_frame_dec_t app_rx; /* zeroed RAM is frame_dec_init()'s state: no call needed */

/* --- sending ----------------------------------------------------------------------------------- */

/* Frames the message of `len` bytes its caller wrote at wire[TD_FRAME_PAYLOAD_AT..] (so no
 * payload is copied) and sends it. A reply echoes the seq of the request still in app_rx.buf
 * (valid until the next frame_feed); SEND_OWN takes the next device seq. SEND_TRY: false, nothing
 * written, when the UART has no room. */
TD_STATIC_ASSERT(SEND_OWN == 1, send_own_is_one);
bool app_send(uint8_t type, uint8_t *wire, uint8_t len, uint8_t how)
{
    uint16_t seq = (how & SEND_OWN) ? app.seq : le_get_u16(&app_rx.buf[2]);
    uint8_t n = frame_wrap(wire, TD_PROTOCOL_VERSION, type, seq, len);
    if ((how & SEND_TRY) && hal_uart_tx_free() < n) {
        return false;
    }
    hal_uart_write(wire, n);
    app.seq += how & SEND_OWN; /* SEND_OWN is 1 (asserted): no branch */
    return true;
}

/* Every device message is encoded by msg.c (the codec the vectors and fuzzers test) straight into
 * its frame: the payload at wire[TD_FRAME_PAYLOAD_AT..], TD_MAX_PAYLOAD bytes of room. */
#define PAYLOAD(wire) (&(wire)[TD_FRAME_PAYLOAD_AT])

/* Every event goes out at once, as an EVENT frame; it waits for the UART rather than be lost. */
void app_emit(void *ctx, const td_event_t *ev)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t n;
    (void)ctx;
    (void)msg_encode_event(ev, PAYLOAD(wire), TD_MAX_PAYLOAD, &n); /* an EVENT always fits */
    app_send(TD_MSG_EVENT, wire, n, SEND_OWN);
}

/* The device's own EVENT (a and c: no index). */
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

/* LOG with a text kept in program memory (on AVR, strings in RAM would cost the RAM budget): it is
 * copied to the stack for the encoder, and cut at TD_LOG_TEXT_MAX. */
void app_log(uint8_t level, const char *text_rom)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    char text[TD_LOG_TEXT_MAX];
    uint8_t n = 0;
    char c;
    while (n < TD_LOG_TEXT_MAX && (c = (char)TD_ROM_U8((const uint8_t *)text_rom + n)) != '\0') {
        text[n++] = c;
    }
    (void)msg_encode_log(level, text, n, PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
    app_send(TD_MSG_LOG, wire, n, SEND_OWN);
}

/* HELLO (docs/protocol.md). */
TD_STATIC_ASSERT(sizeof TD_FW_NAME - 1 <= TD_FW_NAME_SIZE, fw_name_fits);
#define TD_CAPS                                                                                          \
    (TD_CAPABILITY_CONFIG_STORE | TD_CAPABILITY_PARAM_STORE | TD_CAPABILITY_PWM | TD_CAPABILITY_RAW_TELEMETRY | \
     TD_CAPABILITY_WATCHDOG | TD_CAPS_EXTRA)

void app_hello(uint8_t how)
{
    static const char name_rom[] TD_ROM = TD_FW_NAME;
    uint8_t wire[TD_FRAME_WIRE_MAX];
    char name[sizeof name_rom - 1];
    td_hello_t h;
    uint8_t i;
    memset(&h, 0, sizeof h); /* a recipe hash of zeros without a config */
    h.protocol_version = TD_PROTOCOL_VERSION;
    h.board_class = TD_BOARD->board_class;
    h.fw_major = TD_FW_MAJOR;
    h.fw_minor = TD_FW_MINOR;
    h.fw_patch = TD_FW_PATCH;
    h.reset_cause = app.reset_cause;
    h.flags = app_flags();
    h.device_id = store_device_id();
    h.boot_count = store_boot_count();
    h.capabilities = TD_CAPS;
    h.config_generation = store_generation();
    if (store_has_config()) {
        store_recipe_hash(h.recipe_hash);
    }
    h.max_payload = TD_MAX_PAYLOAD;
    h.max_image = TD_BOARD->max_image;
    for (i = 0; i < sizeof name; i++) {
        name[i] = (char)TD_ROM_U8((const uint8_t *)&name_rom[i]);
    }
    h.name = name;
    h.name_len = sizeof name;
    (void)msg_encode_hello(&h, PAYLOAD(wire), TD_MAX_PAYLOAD, &i); /* the name fits (asserted) */
    app_send(TD_MSG_HELLO, wire, i, how);
}

uint8_t app_flags(void)
{
    uint8_t f = 0;
    if (store.sys.flags & STORE_FLAG_SAFE_MODE) f |= TD_HELLO_FLAG_SAFE_MODE;
    if (app.running && !app.eng.automation) f |= TD_HELLO_FLAG_PAUSED;
    if (store_has_config()) f |= TD_HELLO_FLAG_HAS_CONFIG;
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
    app.running = 0;
    app.eng.na = 0;
    if (!store_has_config()) {
        return;
    }
    store_active_src(&app.src);
    if (!engine_start(&app.eng, &app.src, app_emit, NULL)) {
        return;
    }
    all_safe(&app.src);
    for (i = 0; i < app.eng.nc; i++) {
        uint8_t pin = chan_pin(i, &kind);
        hal_pin_mode(pin, kind == TD_CHANNEL_KIND_DIGITAL_PULLUP ? HAL_INPUT_PULLUP : HAL_INPUT);
    }
    store_params_load(&app.src, app.eng.params, app.eng.np);
    app.tele_ms = dur16_ms(image_rd_u16(&app.src, H_TELEMETRY));
    app.eng.automation = !(store.sys.flags & STORE_FLAG_PAUSED); /* a pause outlives a reset */
    app.running = !(store.sys.flags & STORE_FLAG_SAFE_MODE);
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
    store_sys_load();
    store_count_boot();
    if (app.reset_cause & TD_RESET_CAUSE_WATCHDOG) {
        if (store.sys.wd_resets < 255) store.sys.wd_resets++;
        if (store.sys.wd_resets >= SAFE_MODE_RESETS && !(store.sys.flags & STORE_FLAG_SAFE_MODE)) {
            store.sys.flags |= STORE_FLAG_SAFE_MODE;
            entered = true;
        }
    } else {
        store.sys.wd_resets = 0;
    }
    store_sys_save();
    /* 3. The config, then HELLO. */
    bad = store_load();
    app_apply_config();
    app.now = hal_millis();
    app_hello(SEND_OWN);
    app_log(TD_LOG_LEVEL_INFO, log_boot);
    if (bad) {
        app_log(TD_LOG_LEVEL_WARNING, log_bad);
        app_event(TD_EVENT_KIND_ERROR, TD_ERROR_CODE_STORED_CONFIG_INVALID, bad);
    }
    if (store.sys.flags & STORE_FLAG_SAFE_MODE) {
        app_log(TD_LOG_LEVEL_WARNING, log_safe);
        if (entered) app_event(TD_EVENT_KIND_MODE, TD_MODE_CHANGE_SAFE_MODE_ENTERED, 0);
    }
}

/* --- the main loop ----------------------------------------------------------------------------- */

/* TELEMETRY: up to TD_TELEMETRY_MAX_VALUES channels a frame, as many frames as it takes. */
static void telemetry(void)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *out = PAYLOAD(wire);
    uint8_t first, n, i, len;
    uint32_t period = app.tele_ms;
    uint32_t late = app.now - app.tele_last;
    if (!app.running || period == 0 || late < period) {
        return;
    }
    /* Keep the cadence: the next frame is due one period after this one was due, not after the
     * loop got here, so loop jitter does not stretch a 2 ms period; after a stall, start afresh. */
    app.tele_last = late - period >= period ? app.now : app.tele_last + period;
    for (first = 0; first < app.eng.nc; first = (uint8_t)(first + n)) {
        n = (uint8_t)(app.eng.nc - first);
        if (n > TD_TELEMETRY_MAX_VALUES) {
            n = TD_TELEMETRY_MAX_VALUES;
        }
        /* The head again for every frame (framing rewrites the buffer), then the values one by one
         * from the engine's channels: no array of them on the stack. raw_telemetry is 0 or
         * TD_TELEMETRY_FLAG_RAW, as TELEMETRY_MODE set it. */
        (void)msg_encode_telemetry(app.now, first, app.raw_telemetry, NULL, 0, out, TD_MAX_PAYLOAD, &len);
        for (i = 0; i < n; i++) {
            const eng_chan_t *c = &app.eng.ch[first + i];
            (void)msg_append_i32(app.raw_telemetry ? (int32_t)c->raw : c->value, out, TD_MAX_PAYLOAD, &len);
        }
        if (!app_send(TD_MSG_TELEMETRY, wire, len, SEND_OWN | SEND_TRY)) {
            return; /* no room in the UART: telemetry is what gives way */
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
    app.now = hal_millis();
    while (budget-- && (c = hal_uart_read()) >= 0) {
        td_frame_outcome_t out = frame_feed(&app_rx, (uint8_t)c);
        if (out == FRAME_OK) {
            app_request();
        } else if (out == FRAME_VERSION && app_rx.buf[1] < 0x80) {
            /* A newer host's request: refuse it in our own framing, keep running. */
            app_reply(TD_NACK_BAD_VERSION, TD_PROTOCOL_VERSION, 0);
        } /* anything else the decoder refused is dropped silently (protocol.md, "Receiving") */
    }
    sample_and_tick();
    if (store_has_config()) {
        write_outputs();
    }
    telemetry();
    if (!app.stable && app.now >= STABLE_MS) {
        app.stable = 1;
        if (store.sys.wd_resets != 0) {
            store.sys.wd_resets = 0;
            store_sys_save();
        }
    }
    hal_watchdog_feed();
}
