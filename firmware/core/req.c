/* Every request of docs/protocol.md, answered (req.h). A handler returns 0 (ACK with the detail
 * and value it set), a NACK code (with its detail), or REPLIED when it sent its own reply (PONG,
 * HELLO, PARAMS, STATUS, CONFIG_DATA, and COMMIT's ACK/NACK followed by its CONFIG event). */
#include "req.h"

#include "board.h"
#include "frame.h"
#include "hal.h"
#include "image_layout.h"
#include "store.h"
#include "tendril_kinds.h"

#define REPLIED 0xFF

typedef struct {
    uint16_t detail;
    uint32_t value;
} reply_t;

typedef uint8_t (*req_fn_t)(device_t *d, const td_request_t *r, reply_t *out);

void req_reply(device_t *d, uint8_t code, uint16_t detail, uint32_t value)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t n;
    if (code == TD_NACK_STORAGE) {
        /* A config write found a cell that did not take its value: said as an event first. */
        device_event(d, TD_EVENT_KIND_ERROR, TD_ERROR_CODE_STORAGE_WRITE, 0);
    }
    if (code != 0) {
        (void)msg_encode_nack(d->req_type, code, detail, DEVICE_PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
        device_send(d, TD_MSG_NACK, wire, n, 0);
    } else {
        (void)msg_encode_ack(d->req_type, (uint8_t)detail, value, DEVICE_PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
        device_send(d, TD_MSG_ACK, wire, n, 0);
    }
}

/* --- requests ---------------------------------------------------------------------------------- */

/* PONG is the PING's payload, sent straight back. */
static uint8_t on_ping(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t n;
    (void)out;
    (void)msg_encode_pong(r->u.ping.data, r->u.ping.len, DEVICE_PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
    device_send(d, TD_MSG_PONG, wire, n, 0);
    return REPLIED;
}

static uint8_t on_config_begin(device_t *d, const td_request_t *r, reply_t *out)
{
    (void)d;
    return store_begin(r->u.config_begin.length, r->u.config_begin.crc32, r->u.config_begin.recipe_hash,
                       r->u.config_begin.generation, &out->detail);
}

static uint8_t on_config_chunk(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t code = store_chunk(r->u.config_chunk.offset, r->u.config_chunk.data, r->u.config_chunk.len, &out->detail);
    (void)d;
    out->value = store_staged();
    return code;
}

static uint8_t on_config_commit(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t code = store_commit(&out->detail);
    (void)r;
    if (code == TD_NACK_NO_TRANSFER) {
        return code;
    }
    if (code == 0) {
        /* The new image is in force: the old engine (still reading its own slot) stops first. */
        device_stop_outputs(d, TD_OFF_REASON_RECONFIG);
        device_apply_config(d);
    }
    /* The reply first, then what became of the config. */
    out->value = store_generation();
    req_reply(d, code, out->detail, out->value);
    device_event(d, TD_EVENT_KIND_CONFIG, code == 0 ? TD_CONFIG_OUTCOME_APPLIED : TD_CONFIG_OUTCOME_REJECTED,
                 code == 0 ? (int32_t)out->value : (int32_t)out->detail);
    return REPLIED;
}

static uint8_t on_config_abort(device_t *d, const td_request_t *r, reply_t *out)
{
    (void)d;
    (void)r;
    (void)out;
    store_abort();
    return 0;
}

static uint8_t on_config_read(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *data = DEVICE_PAYLOAD(wire) + TD_CONFIG_DATA_SIZE; /* read in place: no copy on the stack */
    uint16_t offset = r->u.config_read.offset;
    uint8_t count = r->u.config_read.count;
    uint16_t total = d->src.len;
    uint16_t avail = offset < total ? (uint16_t)(total - offset) : 0;
    uint8_t n;
    (void)out;
    if (!store_has_config()) {
        return TD_NACK_NO_CONFIG;
    }
    if (count == 0 || count > TD_CONFIG_CHUNK_MAX) {
        return TD_NACK_BAD_VALUE;
    }
    if (count > avail) {
        count = (uint8_t)avail; /* a read past the end returns no data bytes */
    }
    image_rd_bytes(&d->src, offset, data, count);
    (void)msg_encode_config_data(offset, total, data, count, DEVICE_PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
    device_send(d, TD_MSG_CONFIG_DATA, wire, n, 0);
    return REPLIED;
}

static uint8_t on_command(device_t *d, const td_request_t *r, reply_t *out);

typedef struct {
    uint8_t type;
    req_fn_t fn;
} req_entry_t;

static const req_entry_t requests[] TD_ROM = {
    {TD_MSG_PING, on_ping},
    {TD_MSG_CONFIG_BEGIN, on_config_begin},
    {TD_MSG_CONFIG_CHUNK, on_config_chunk},
    {TD_MSG_CONFIG_COMMIT, on_config_commit},
    {TD_MSG_CONFIG_ABORT, on_config_abort},
    {TD_MSG_CONFIG_READ, on_config_read},
    {TD_MSG_COMMAND, on_command},
};

/* --- COMMAND ops ------------------------------------------------------------------------------- */

static uint8_t cmd_hello(device_t *d, const td_request_t *r, reply_t *out)
{
    (void)r;
    (void)out;
    device_hello(d, 0);
    return REPLIED;
}

static uint8_t cmd_get_params(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t first = r->u.get_params.first;
    uint8_t total = store_has_config() ? d->eng.np : 0;
    uint8_t n = first < total ? (uint8_t)(total - first) : 0;
    (void)out;
    if (n > TD_PARAMS_MAX_VALUES) {
        n = TD_PARAMS_MAX_VALUES; /* the host asks again from the next */
    }
    (void)msg_encode_params(first, total, &d->eng.params[n ? first : 0], n, DEVICE_PAYLOAD(wire), TD_MAX_PAYLOAD,
                            &n);
    device_send(d, TD_MSG_PARAMS, wire, n, 0);
    return REPLIED;
}

/* The head, then as many entries from `first` on as fit; the host asks again from the next. */
static uint8_t cmd_status(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *p = DEVICE_PAYLOAD(wire);
    uint8_t section = r->u.status.section;
    uint8_t acts = section == TD_STATUS_SECTION_ACTUATORS;
    uint8_t total = !store_has_config() ? 0 : acts ? d->eng.na : d->eng.nr;
    uint8_t i, n;
    td_msg_status_t st;
    (void)out;
    if (section > TD_STATUS_SECTION_RULES) {
        return TD_NACK_BAD_VALUE;
    }
    st = msg_encode_status(d->now, device_flags(d), section, r->u.status.first, total, p, TD_MAX_PAYLOAD, &n);
    for (i = r->u.status.first; i < total && st == MSG_OK; i++) {
        if (acts) {
            td_act_status_t a;
            engine_act_status(&d->eng, i, d->now, &a);
            st = msg_status_add_actuator(&a, p, TD_MAX_PAYLOAD, &n);
        } else {
            td_rule_status_t rs;
            engine_rule_status(&d->eng, i, d->now, &rs);
            st = msg_status_add_rule(&rs, p, TD_MAX_PAYLOAD, &n);
        }
    }
    device_send(d, TD_MSG_STATUS, wire, n, 0);
    return REPLIED;
}

static uint8_t cmd_clear_safe_mode(device_t *d, const td_request_t *r, reply_t *out)
{
    (void)r;
    (void)out;
    if (store_clear_safe_mode()) {
        device_event(d, TD_EVENT_KIND_MODE, TD_MODE_CHANGE_SAFE_MODE_CLEARED, 0);
        device_apply_config(d); /* automation starts afresh, as after a boot */
    }
    return 0;
}

static uint8_t cmd_telemetry_mode(device_t *d, const td_request_t *r, reply_t *out)
{
    (void)out;
    d->raw_telemetry = r->u.telemetry_mode.flags & TD_TELEMETRY_FLAG_RAW;
    return 0;
}

/* The ops below act on the engine: refused in safe mode (it is stopped) and without a config. */
static uint8_t engine_refusal(void)
{
    if (store_safe_mode()) return TD_NACK_SAFE_MODE;
    if (!store_has_config()) return TD_NACK_NO_CONFIG;
    return 0;
}

static uint8_t cmd_lease(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t code = engine_refusal();
    if (code != 0) return code;
    out->value = r->u.lease.duration_ms; /* the ACK's value: the duration granted */
    return engine_lease(&d->eng, r->u.lease.actuator, r->u.lease.duration_ms, r->u.lease.level, d->now, &out->detail);
}

static uint8_t cmd_off(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t code = engine_refusal();
    if (code != 0) return code;
    return engine_off(&d->eng, r->u.off.actuator, d->now, &out->detail);
}

/* PAUSE and RESUME are kept in the system record, so a reset (an Uno resets on every port open)
 * keeps them. One handler for both: two nearly identical ones cost twice the flash. */
static uint8_t cmd_pause_resume(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t code = engine_refusal();
    bool pause = r->op == TD_OP_PAUSE;
    (void)out;
    if (code != 0) return code;
    if (pause) {
        engine_pause(&d->eng, d->now);
    } else {
        engine_resume(&d->eng, d->now);
    }
    store_set_paused(pause);
    return 0;
}

static uint8_t cmd_set_param(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t code = engine_refusal();
    if (code != 0) return code;
    out->value = (uint32_t)r->u.set_param.value;
    code = engine_set_param(&d->eng, r->u.set_param.index, r->u.set_param.value, d->now, &out->detail);
    if (code == 0) {
        store_param_save(r->u.set_param.index, r->u.set_param.value);
    }
    return code;
}

/* The sensor kinds whose pins a bus request may share: the DS18B20 (a 1-Wire search), the I2C
 * kinds (SCAN_I2C, I2C_READ). */
#define BUS_ONEWIRE 0
#define BUS_I2C 1
static bool on_bus(uint8_t kind, uint8_t bus)
{
    return bus == BUS_I2C ? TD_ROM_U8(&td_sensor_kinds[kind].bus) == TD_SENSOR_BUS_I2C : kind == TD_SENSOR_KIND_DS18B20;
}

/* Whether the config in force gives `pin` to something a bus request would disturb: an actuator,
 * a channel that reads the pin itself, or a sensor that is not on that bus. */
static bool pin_in_use(const device_t *d, uint8_t pin, uint8_t bus)
{
    const td_src_t *s = &d->src;
    image_counts_t c;
    uint16_t off;
    uint8_t i, ns;
    if (!store_has_config()) return false;
    image_counts(s, &c);
    for (i = 0, off = image_channels_at(&c); i < c.nc; i++, off += TD_CHANNEL_SIZE) {
        uint8_t kind = image_rd_u8(s, off + TD_CHANNEL_MODE) & TD_CHANNEL_KIND_MASK;
        if (kind != TD_CHANNEL_FROM_SENSOR && image_rd_u8(s, off + TD_CHANNEL_PIN) == pin) return true;
    }
    for (i = 0, off = image_actuators_at(&c); i < c.na; i++, off += TD_ACTUATOR_SIZE) {
        if (image_rd_u8(s, off + TD_ACTUATOR_PIN) == pin) return true;
    }
    ns = image_n_sensors(s, &c);
    for (i = 0, off = image_size(&c); i < ns; i++, off += TD_SENSOR_SIZE) {
        if (!on_bus(image_rd_u8(s, off + TD_SENSOR_KIND), bus) &&
            (image_rd_u8(s, off + TD_SENSOR_PIN) == pin || image_rd_u8(s, off + TD_SENSOR_PIN2) == pin)) {
            return true;
        }
    }
    return false;
}

/* A 1-Wire bus search on a pin with digital in and out that nothing else of the config uses (a
 * DS18B20's bus is fine: a reading under way is only delayed, its conversion goes on). */
static uint8_t cmd_scan_onewire(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *p = DEVICE_PAYLOAD(wire);
    uint8_t pin = r->u.scan_onewire.pin, n = 0, total = 0, result = TD_SCAN_RESULT_NO_DEVICE;
    uint8_t caps = board_pin_caps(TD_BOARD, pin);
    out->detail = pin;
    if ((caps & (TD_PIN_CAP_DIGITAL_IN | TD_PIN_CAP_DIGITAL_OUT | TD_PIN_CAP_RESERVED)) !=
        (TD_PIN_CAP_DIGITAL_IN | TD_PIN_CAP_DIGITAL_OUT)) {
        return TD_NACK_BAD_INDEX;
    }
    if (pin_in_use(d, pin, BUS_ONEWIRE)) return TD_NACK_PIN_IN_USE;
    if (d->port->ow_search != NULL) {
        result = d->port->ow_search(pin, r->u.scan_onewire.first, p + TD_ROM_CODES_SIZE, TD_ROM_CODES_MAX, &n, &total);
    }
    (void)msg_encode_rom_codes(pin, result, r->u.scan_onewire.first, total, p + TD_ROM_CODES_SIZE, n, p,
                               TD_MAX_PAYLOAD, &n);
    device_send(d, TD_MSG_ROM_CODES, wire, n, 0);
    return REPLIED;
}
TD_STATIC_ASSERT(TD_ROM_CODES_SIZE + TD_ROM_CODE_SIZE * TD_ROM_CODES_MAX <= TD_MAX_PAYLOAD, rom_codes_fit);

/* SCAN_I2C and I2C_READ on the board's bus (docs/protocol.md): refused while the config gives SDA
 * or SCL to something that is not an I2C sensor. One handler for both: the checks, the bus's
 * recovery and the reply are the same. A board with no bus has no entry (UNKNOWN_OP). */
#define I2C_READ_TRIES 100 /* a busy chip NACKs its address: ~100 us a try, ~10 ms in all */
static uint8_t cmd_i2c(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *p = DEVICE_PAYLOAD(wire);
    uint8_t *got = p + TD_I2C_SCAN_SIZE;
    const device_port_t *port = d->port;
    uint8_t n = 0, second, tries = I2C_READ_TRIES, st;
    uint8_t a = r->u.i2c_read.address, nread = r->u.i2c_read.nread; /* scan_i2c.first is address */
    if (port->i2c_begin == NULL) {
        out->detail = r->op;
        return TD_NACK_UNKNOWN_OP;
    }
    if (r->op == TD_OP_I2C_READ &&
        (a > 0x7F || r->u.i2c_read.nwrite > TD_I2C_WRITE_MAX || nread == 0 || nread > TD_I2C_READ_MAX)) {
        return TD_NACK_BAD_VALUE;
    }
    out->detail = TD_BOARD_I2C_SDA;
    if (pin_in_use(d, TD_BOARD_I2C_SDA, BUS_I2C)) return TD_NACK_PIN_IN_USE;
    out->detail = TD_BOARD_I2C_SCL;
    if (pin_in_use(d, TD_BOARD_I2C_SCL, BUS_I2C)) return TD_NACK_PIN_IN_USE;
    st = port->i2c_begin(0);
    if (r->op == TD_OP_SCAN_I2C) {
        if (a < TD_I2C_ADDR_FIRST) a = TD_I2C_ADDR_FIRST;
        for (; st == HAL_I2C_OK && a <= TD_I2C_ADDR_LAST && n < TD_I2C_SCAN_MAX; a++) {
            st = port->i2c_write(a, NULL, 0, 1);
            if (st == HAL_I2C_OK) got[n++] = a;
            if (st == HAL_I2C_NACK_ADDR) st = HAL_I2C_OK;
        }
        second = n;
    } else {
        if (st == HAL_I2C_OK && r->u.i2c_read.nwrite) st = port->i2c_write(a, r->u.i2c_read.w, r->u.i2c_read.nwrite, 1);
        if (st == HAL_I2C_OK) {
            do {
                st = port->i2c_read(a, got, nread);
            } while (st == HAL_I2C_NACK_ADDR && --tries);
        }
        if (st == HAL_I2C_OK) n = nread;
        second = a;
    }
    (void)msg_encode_i2c(st, second, n, p, TD_MAX_PAYLOAD, &n);
    device_send(d, r->op == TD_OP_SCAN_I2C ? TD_MSG_I2C_SCAN : TD_MSG_I2C_DATA, wire, n, 0);
    return REPLIED;
}
TD_STATIC_ASSERT((int)HAL_I2C_OK == (int)TD_I2C_STATUS_OK && (int)HAL_I2C_NACK_ADDR == (int)TD_I2C_STATUS_NACK_ADDR &&
                     (int)HAL_I2C_NACK_DATA == (int)TD_I2C_STATUS_NACK_DATA &&
                     (int)HAL_I2C_TIMEOUT == (int)TD_I2C_STATUS_TIMEOUT &&
                     (int)HAL_I2C_BUS_STUCK == (int)TD_I2C_STATUS_BUS_STUCK,
                 hal_i2c_statuses_are_the_contracts);
TD_STATIC_ASSERT(TD_I2C_SCAN_SIZE + TD_I2C_SCAN_MAX <= TD_MAX_PAYLOAD, i2c_scan_fits);

/* Indexed by op; msg_decode_request let only ops 1..TD_OP_I2C_READ through. */
static const req_fn_t commands[TD_OP_I2C_READ + 1] TD_ROM = {
    [TD_OP_LEASE] = cmd_lease,
    [TD_OP_OFF] = cmd_off,
    [TD_OP_PAUSE] = cmd_pause_resume,
    [TD_OP_RESUME] = cmd_pause_resume,
    [TD_OP_SET_PARAM] = cmd_set_param,
    [TD_OP_GET_PARAMS] = cmd_get_params,
    [TD_OP_HELLO] = cmd_hello,
    [TD_OP_STATUS] = cmd_status,
    [TD_OP_CLEAR_SAFE_MODE] = cmd_clear_safe_mode,
    [TD_OP_TELEMETRY_MODE] = cmd_telemetry_mode,
    [TD_OP_SCAN_ONEWIRE] = cmd_scan_onewire,
#if TD_BOARD_I2C_SDA != TD_NO_INDEX
    [TD_OP_SCAN_I2C] = cmd_i2c,
    [TD_OP_I2C_READ] = cmd_i2c,
#endif
};

static uint8_t on_command(device_t *d, const td_request_t *r, reply_t *out)
{
    req_fn_t fn = r->op < sizeof commands / sizeof commands[0] ? TD_ROM_FN(req_fn_t, &commands[r->op]) : NULL;
    if (fn == NULL) {
        out->detail = r->op;
        return TD_NACK_UNKNOWN_OP;
    }
    return fn(d, r, out);
}

/* --- the entry --------------------------------------------------------------------------------- */

void req_handle(device_t *d, uint8_t type, uint16_t seq, const uint8_t *payload, uint8_t len)
{
    td_request_t r;
    reply_t out = {0, 0};
    uint8_t code = TD_NACK_UNKNOWN_TYPE;
    uint8_t i;
    d->req_type = type;
    d->req_seq = seq;
    switch (msg_decode_request(type, payload, len, &r)) {
    case MSG_OK:
        for (i = 0; i < sizeof requests / sizeof requests[0]; i++) {
            if (TD_ROM_U8(&requests[i].type) == type) {
                code = TD_ROM_FN(req_fn_t, &requests[i].fn)(d, &r, &out);
                break;
            }
        }
        break;
    case MSG_BAD_LENGTH: code = TD_NACK_BAD_LENGTH; break;
    case MSG_UNKNOWN_OP:
        code = TD_NACK_UNKNOWN_OP;
        out.detail = r.op;
        break;
    default: break; /* MSG_UNKNOWN_TYPE */
    }
    if (code != REPLIED) {
        req_reply(d, code, out.detail, out.value);
    }
}

void req_refuse_version(device_t *d, uint8_t type, uint16_t seq)
{
    d->req_type = type;
    d->req_seq = seq;
    req_reply(d, TD_NACK_BAD_VERSION, TD_PROTOCOL_VERSION, 0);
}
