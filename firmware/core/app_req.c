/* Every request of docs/protocol.md, answered: exactly one reply per request, echoing its seq.
 *
 * The payload is checked once (msg_request_check: lengths, type, op, the same rules the host
 * library's msg_decode_request applies) and its fields are then read straight from it at their
 * protocol offsets; every request that is answered with ACK or NACK goes through one reply writer.
 * On an Uno this is flash the per-request decoding into a struct and back cost. */
#include "app_int.h"

#include "image_layout.h"

TD_STATIC_ASSERT((MSG_BAD_LENGTH ^ 3) == TD_NACK_BAD_LENGTH && (MSG_UNKNOWN_TYPE ^ 3) == TD_NACK_UNKNOWN_TYPE,
                 msg_status_to_nack);

#define REPLIED 0xFF /* a handler sent its own reply (PONG, HELLO, PARAMS, STATUS, CONFIG_DATA) */

/* COMMAND: u8 op, then its arguments from byte 1 (LEASE: actuator, u32 ms, level; SET_PARAM: index,
 * i32 value; STATUS: section, first). */
enum { CMD_OP = 0, CMD_ARG = 1, CMD_VALUE = 2, CMD_LEASE_LEVEL = 6, CMD_STATUS_FIRST = 2 };

/* ACK (code 0: detail u8, value u32) or NACK (code, detail u16) for the request in app_rx. */
void app_reply(uint8_t code, uint16_t detail, uint32_t value)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *out = &wire[TD_FRAME_PAYLOAD_AT];
    if (code == TD_NACK_STORAGE) {
        /* A config write found a cell that did not take its value: said as an event first. */
        app_event(TD_EVENT_KIND_ERROR, TD_ERROR_CODE_STORAGE_WRITE, 0);
    }
    out[0] = app_rx.buf[1];
    if (code != 0) {
        out[1] = code;
        le_put_u16(&out[2], detail);
        app_send(TD_MSG_NACK, wire, 4, 0);
    } else {
        out[1] = (uint8_t)detail;
        le_put_u32(&out[2], value);
        app_send(TD_MSG_ACK, wire, 6, 0);
    }
}

static void config_read(uint16_t offset, uint8_t count)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *out = &wire[TD_FRAME_PAYLOAD_AT];
    uint16_t total = app.src.len;
    uint16_t avail = offset < total ? (uint16_t)(total - offset) : 0;
    if (count > avail) {
        count = (uint8_t)avail; /* a read past the end returns no data bytes */
    }
    le_put_u16(out, offset);
    le_put_u16(&out[2], total);
    image_rd_bytes(&app.src, offset, &out[4], count);
    app_send(TD_MSG_CONFIG_DATA, wire, (uint8_t)(4 + count), 0);
}

static void params(uint8_t first)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *out = &wire[TD_FRAME_PAYLOAD_AT];
    uint8_t n = 2;
    uint8_t i;
    uint8_t total = store_has_config() ? app.eng.np : 0;
    out[0] = first;
    out[1] = total;
    for (i = first; i < total && n < 2 + 4 * TD_PARAMS_MAX_VALUES; i++, n = (uint8_t)(n + 4)) {
        le_put_i32(&out[n], app.eng.params[i]);
    }
    app_send(TD_MSG_PARAMS, wire, n, 0);
}

/* The head, then as many entries from `first` on as fit; the host asks again from the next. */
static void status(uint8_t section, uint8_t first)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *out = &wire[TD_FRAME_PAYLOAD_AT];
    uint8_t n = TD_STATUS_HEAD_SIZE;
    uint8_t acts = section == TD_STATUS_SECTION_ACTUATORS;
    uint8_t size = acts ? TD_STATUS_ACT_SIZE : TD_STATUS_RULE_SIZE;
    uint8_t total = !store_has_config() ? 0 : acts ? app.eng.na : app.eng.nr;
    uint8_t i;
    le_put_u32(out, app.now);
    out[4] = app_flags();
    out[5] = section;
    out[6] = first;
    out[7] = total;
    for (i = first; i < total && n + size <= TD_MAX_PAYLOAD; i++, n = (uint8_t)(n + size)) {
        uint8_t *p = &out[n];
        if (acts) {
            td_act_status_t a;
            engine_act_status(&app.eng, i, app.now, &a);
            if (APP_WIRE_LAYOUT(td_act_status_t, TD_STATUS_ACT_SIZE)) {
                memcpy(p, &a, TD_STATUS_ACT_SIZE);
            } else {
                p[0] = a.state;
                p[1] = a.level;
                p[2] = a.owner;
                le_put_u32(&p[3], a.ms_left);
                le_put_u32(&p[7], a.today_on_ms);
            }
        } else {
            td_rule_status_t r;
            engine_rule_status(&app.eng, i, app.now, &r);
            if (APP_WIRE_LAYOUT(td_rule_status_t, TD_STATUS_RULE_SIZE)) {
                memcpy(p, &r, TD_STATUS_RULE_SIZE);
            } else {
                p[0] = r.state;
                p[1] = r.last_skip;
                le_put_u32(&p[2], r.since_fired_ms);
            }
        }
    }
    app_send(TD_MSG_STATUS, wire, n, 0);
}

static void pong(const uint8_t *p, uint8_t len)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t i;
    for (i = 0; i < len; i++) {
        wire[TD_FRAME_PAYLOAD_AT + i] = p[i];
    }
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
            /* PONG is the PING's payload: send it straight back. */
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
