/* Every request of docs/protocol.md, answered (req.h). A handler returns 0 (ACK with the detail
 * and value it set), a NACK code (with its detail), or REPLIED when it sent its own reply (PONG,
 * HELLO, PARAMS, STATUS, CONFIG_DATA, and COMMIT's ACK/NACK followed by its CONFIG event). The bus
 * requests (SCAN_ONEWIRE, SCAN_I2C, I2C_READ) are req_bus.c's. */
#include "req.h"
#include "req_int.h"

#include "board.h"
#include "frame.h"
#include "image_layout.h"
#include "store.h"


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
    [TD_OP_SCAN_ONEWIRE] = req_scan_onewire,
#if TD_BOARD_I2C_SDA != TD_NO_INDEX
    [TD_OP_SCAN_I2C] = req_i2c,
    [TD_OP_I2C_READ] = req_i2c,
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
