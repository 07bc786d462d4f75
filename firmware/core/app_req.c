/* Every request of docs/protocol.md, answered: exactly one reply per request, echoing its seq.
 *
 * The payload is checked once (msg_request_check: lengths, type, op, the same rules the host
 * library's msg_decode_request applies) and its fields are then read straight from it at their
 * protocol offsets; every reply is encoded by msg.c, and every ACK or NACK goes through one reply
 * writer. */
#include "app_int.h"

#include "image_layout.h"

TD_STATIC_ASSERT((MSG_BAD_LENGTH ^ 3) == TD_NACK_BAD_LENGTH && (MSG_UNKNOWN_TYPE ^ 3) == TD_NACK_UNKNOWN_TYPE,
                 msg_status_to_nack);

#define REPLIED 0xFF /* a handler sent its own reply (PONG, HELLO, PARAMS, STATUS, CONFIG_DATA) */

/* COMMAND: u8 op, then its arguments from byte 1 (LEASE: actuator, u32 ms, level; SET_PARAM: index,
 * i32 value; STATUS: section, first). */
enum { CMD_OP = 0, CMD_ARG = 1, CMD_VALUE = 2, CMD_LEASE_LEVEL = 6, CMD_STATUS_FIRST = 2 };

/* Replies are encoded by msg.c straight into their frame (as app.c's messages are). */
#define PAYLOAD(wire) (&(wire)[TD_FRAME_PAYLOAD_AT])

/* ACK (code 0: detail's low byte, value) or NACK (code, detail) for the request in app_rx. */
void app_reply(uint8_t code, uint16_t detail, uint32_t value)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t type = app_rx.buf[1];
    uint8_t n;
    if (code == TD_NACK_STORAGE) {
        /* A config write found a cell that did not take its value: said as an event first. */
        app_event(TD_EVENT_KIND_ERROR, TD_ERROR_CODE_STORAGE_WRITE, 0);
    }
    if (code != 0) {
        (void)msg_encode_nack(type, code, detail, PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
        app_send(TD_MSG_NACK, wire, n, 0);
    } else {
        (void)msg_encode_ack(type, (uint8_t)detail, value, PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
        app_send(TD_MSG_ACK, wire, n, 0);
    }
}

/* count <= TD_CONFIG_CHUNK_MAX (checked by the caller). */
static void config_read(uint16_t offset, uint8_t count)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t data[TD_CONFIG_CHUNK_MAX];
    uint16_t total = app.src.len;
    uint16_t avail = offset < total ? (uint16_t)(total - offset) : 0;
    uint8_t n;
    if (count > avail) {
        count = (uint8_t)avail; /* a read past the end returns no data bytes */
    }
    image_rd_bytes(&app.src, offset, data, count);
    (void)msg_encode_config_data(offset, total, data, count, PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
    app_send(TD_MSG_CONFIG_DATA, wire, n, 0);
}

static void params(uint8_t first)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t total = store_has_config() ? app.eng.np : 0;
    uint8_t n = first < total ? (uint8_t)(total - first) : 0;
    if (n > TD_PARAMS_MAX_VALUES) {
        n = TD_PARAMS_MAX_VALUES; /* the host asks again from the next */
    }
    (void)msg_encode_params(first, total, &app.eng.params[n ? first : 0], n, PAYLOAD(wire), TD_MAX_PAYLOAD, &n);
    app_send(TD_MSG_PARAMS, wire, n, 0);
}

/* The head, then as many entries from `first` on as fit; the host asks again from the next. */
static void status(uint8_t section, uint8_t first)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *out = PAYLOAD(wire);
    uint8_t acts = section == TD_STATUS_SECTION_ACTUATORS;
    uint8_t total = !store_has_config() ? 0 : acts ? app.eng.na : app.eng.nr;
    uint8_t i, n;
    td_msg_status_t st = msg_encode_status(app.now, app_flags(), section, first, total, out, TD_MAX_PAYLOAD, &n);
    for (i = first; i < total && st == MSG_OK; i++) {
        if (acts) {
            td_act_status_t a;
            engine_act_status(&app.eng, i, app.now, &a);
            st = msg_status_add_actuator(&a, out, TD_MAX_PAYLOAD, &n);
        } else {
            td_rule_status_t r;
            engine_rule_status(&app.eng, i, app.now, &r);
            st = msg_status_add_rule(&r, out, TD_MAX_PAYLOAD, &n);
        }
    }
    app_send(TD_MSG_STATUS, wire, n, 0);
}

/* PONG is the PING's payload, sent straight back. */
static void pong(const uint8_t *p, uint8_t len)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    (void)msg_encode_pong(p, len, PAYLOAD(wire), TD_MAX_PAYLOAD, &len); /* len <= TD_PING_MAX: checked */
    app_send(TD_MSG_PONG, wire, len, 0);
}

/* COMMAND: 0 (ACK), a NACK code, or REPLIED. */
static uint8_t command(const uint8_t *p, uint16_t *detail, uint32_t *value)
{
    engine_t *e = &app.eng;
    uint8_t op = p[CMD_OP];
    uint8_t arg = p[CMD_ARG]; /* in the frame buffer even when the op has no argument */
    uint8_t code;
    /* If chains, not switches: 16-bit compares otherwise (see app_request). */
    if (op == TD_OP_HELLO) {
        app_hello(0);
        return REPLIED;
    }
    if (op == TD_OP_GET_PARAMS) {
        params(arg);
        return REPLIED;
    }
    if (op == TD_OP_STATUS) {
        if (arg > TD_STATUS_SECTION_RULES) return TD_NACK_BAD_VALUE;
        status(arg, p[CMD_STATUS_FIRST]);
        return REPLIED;
    }
    if (op == TD_OP_CLEAR_SAFE_MODE) {
        if (store.sys.flags & STORE_FLAG_SAFE_MODE) {
            store.sys.flags &= (uint8_t)~STORE_FLAG_SAFE_MODE;
            store.sys.wd_resets = 0;
            store_sys_save();
            app_event(TD_EVENT_KIND_MODE, TD_MODE_CHANGE_SAFE_MODE_CLEARED, 0);
            app_apply_config(); /* automation starts afresh, as after a boot */
        }
        return 0;
    }
    if (op == TD_OP_TELEMETRY_MODE) {
        app.raw_telemetry = arg & TD_TELEMETRY_FLAG_RAW;
        return 0;
    }
    /* What is left acts on the engine: LEASE, OFF, PAUSE, RESUME, SET_PARAM. */
    if (store.sys.flags & STORE_FLAG_SAFE_MODE) return TD_NACK_SAFE_MODE; /* the engine is stopped */
    if (!store_has_config()) return TD_NACK_NO_CONFIG;
    if (op == TD_OP_LEASE) {
        *value = le_get_u32(&p[CMD_VALUE]); /* the ACK's value: the duration granted */
        return engine_lease(e, arg, *value, p[CMD_LEASE_LEVEL], app.now, detail);
    }
    if (op == TD_OP_OFF) return engine_off(e, arg, app.now, detail);
    if (op == TD_OP_PAUSE || op == TD_OP_RESUME) {
        /* Kept in the system record, so a reset (an Uno resets on every port open) keeps it. */
        if (op == TD_OP_PAUSE) {
            engine_pause(e, app.now);
            store.sys.flags |= STORE_FLAG_PAUSED;
        } else {
            engine_resume(e, app.now);
            store.sys.flags &= (uint8_t)~STORE_FLAG_PAUSED;
        }
        store_sys_save();
        return 0;
    }
    /* TD_OP_SET_PARAM: msg_request_check let no other op through */
    *value = le_get_u32(&p[CMD_VALUE]);
    code = engine_set_param(e, arg, (int32_t)*value, app.now, detail);
    if (code == 0) {
        store_param_save(arg, (int32_t)*value);
    }
    return code;
}

void app_request(void)
{
    const uint8_t *p = &app_rx.buf[TD_HEADER_SIZE];
    uint8_t type = app_rx.buf[1];
    uint8_t len = (uint8_t)(app_rx.frame_len - TD_HEADER_SIZE - TD_CRC_SIZE);
    uint16_t detail = 0;
    uint32_t value = 0;
    td_msg_status_t st = msg_request_check(type, p, len);
    uint8_t code = 0;
#ifdef TD_DEBUG_HANG
    if (st == MSG_UNKNOWN_OP && p[CMD_OP] == TD_OP_DEBUG_HANG) {
        app_reply(0, 0, 0);
        for (;;) {
            /* Never feeds the watchdog: the board must reset, come up safe, and not loop. */
            (void)hal_millis();
        }
    }
#endif
    if (st != MSG_OK) {
        code = TD_NACK_UNKNOWN_OP;
        if (st == MSG_UNKNOWN_OP) {
            detail = p[CMD_OP];
        } else {
            code = (uint8_t)(st ^ 3); /* BAD_LENGTH 1 -> 2, UNKNOWN_TYPE 2 -> 1 (asserted above) */
        }
    } else {
        /* An if chain: avr-gcc 5 turns this switch into 16-bit compares (18 B more). */
        if (type == TD_MSG_PING) {
            pong(p, len);
            return;
        } else if (type == TD_MSG_CONFIG_BEGIN) {
            code = store_begin(p, &detail);
        } else if (type == TD_MSG_CONFIG_CHUNK) {
            code = store_chunk(p, len, &detail);
            value = store.staged;
        } else if (type == TD_MSG_CONFIG_COMMIT) {
            code = store_commit(&detail);
            if (code != TD_NACK_NO_TRANSFER) {
                if (code == 0) {
                    /* The new image is in force: the old engine (still reading its own slot) stops first. */
                    app_stop_outputs(TD_OFF_REASON_RECONFIG);
                    app_apply_config();
                }
                /* The reply first, then what became of the config. */
                value = store_generation();
                app_reply(code, detail, value);
                app_event(TD_EVENT_KIND_CONFIG, code == 0 ? TD_CONFIG_OUTCOME_APPLIED : TD_CONFIG_OUTCOME_REJECTED,
                          code == 0 ? (int32_t)value : (int32_t)detail);
                return;
            }
        } else if (type == TD_MSG_CONFIG_ABORT) {
            store_abort();
        } else if (type == TD_MSG_CONFIG_READ) {
            if (!store_has_config()) {
                code = TD_NACK_NO_CONFIG;
            } else if (p[2] == 0 || p[2] > TD_CONFIG_CHUNK_MAX) {
                code = TD_NACK_BAD_VALUE;
            } else {
                config_read(le_get_u16(p), p[2]);
                return;
            }
        } else { /* TD_MSG_COMMAND: msg_request_check knows no other request */
            code = command(p, &detail, &value);
            if (code == REPLIED) return;
        }
    }
    app_reply(code, detail, value);
}
