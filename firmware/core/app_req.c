/* Every request of docs/protocol.md, answered: exactly one reply per request, echoing its seq. */
#include "app_int.h"

#include "image_layout.h"

static void ack(uint16_t seq, uint8_t type, uint8_t detail, uint32_t value)
{
    uint8_t out[6];
    uint8_t len;
    msg_encode_ack(type, detail, value, out, sizeof out, &len);
    app_send(TD_MSG_ACK, seq, out, len, true);
}

void app_nack(uint16_t seq, uint8_t type, uint8_t code, uint16_t detail)
{
    uint8_t out[4];
    uint8_t len;
    msg_encode_nack(type, code, detail, out, sizeof out, &len);
    app_send(TD_MSG_NACK, seq, out, len, true);
}

static uint8_t config_commit(uint16_t *detail)
{
    uint8_t code = store_commit(&app.st, detail);
    if (code == 0) {
        /* The new image is in force: the old engine (still reading its own slot) stops first. */
        app_stop_outputs(TD_OFF_REASON_RECONFIG);
        app_apply_config();
    }
    return code;
}

static void config_read(uint16_t seq, uint16_t offset, uint8_t count)
{
    uint8_t data[TD_CONFIG_CHUNK_MAX];
    uint8_t out[TD_MAX_PAYLOAD];
    uint8_t n = 0;
    uint8_t len;
    uint16_t total = app.src.len;
    while (n < count && (uint32_t)offset + n < total) {
        data[n] = image_rd_u8(&app.src, (uint16_t)(offset + n));
        n++;
    }
    msg_encode_config_data(offset, total, data, n, out, sizeof out, &len);
    app_send(TD_MSG_CONFIG_DATA, seq, out, len, true);
}

static void params(uint16_t seq, uint8_t first)
{
    int32_t v[TD_PARAMS_MAX_VALUES];
    uint8_t out[TD_MAX_PAYLOAD];
    uint8_t n = 0;
    uint8_t len;
    uint8_t total = store_has_config(&app.st) ? app.eng.np : 0;
    while (n < TD_PARAMS_MAX_VALUES && (uint16_t)first + n < total) {
        v[n] = app.eng.params[first + n];
        n++;
    }
    msg_encode_params(first, total, v, n, out, sizeof out, &len);
    app_send(TD_MSG_PARAMS, seq, out, len, true);
}

static void status(uint16_t seq, uint8_t section, uint8_t first)
{
    uint8_t out[TD_MAX_PAYLOAD];
    uint8_t len;
    bool cfg = store_has_config(&app.st);
    uint8_t total = !cfg ? 0 : section == TD_STATUS_SECTION_ACTUATORS ? app.eng.na : app.eng.nr;
    uint8_t i;
    msg_encode_status(app.now, app_flags(), section, first, total, out, sizeof out, &len);
    for (i = first; i < total; i++) {
        td_msg_status_t st;
        if (section == TD_STATUS_SECTION_ACTUATORS) {
            td_act_status_t a;
            engine_act_status(&app.eng, i, app.now, &a);
            st = msg_status_add_actuator(&a, out, sizeof out, &len);
        } else {
            td_rule_status_t r;
            engine_rule_status(&app.eng, i, app.now, &r);
            st = msg_status_add_rule(&r, out, sizeof out, &len);
        }
        if (st != MSG_OK) {
            break; /* as many entries as fit; the host asks again from the next */
        }
    }
    app_send(TD_MSG_STATUS, seq, out, len, true);
}

/* COMMAND ops that change the engine: 0 (ACK) or a NACK code. */
static uint8_t command(const td_request_t *r, uint16_t *detail, uint32_t *value)
{
    engine_t *e = &app.eng;
    *detail = 0;
    *value = 0;
    switch (r->op) {
    case TD_OP_CLEAR_SAFE_MODE:
        if (app.sys.flags & STORE_FLAG_SAFE_MODE) {
            app.sys.flags &= (uint8_t)~STORE_FLAG_SAFE_MODE;
            app.sys.wd_resets = 0;
            store_sys_save(&app.sys);
            app_event(TD_EVENT_KIND_MODE, TD_MODE_CHANGE_SAFE_MODE_CLEARED, 0);
            app_apply_config(); /* automation starts afresh, as after a boot */
        }
        return 0;
    case TD_OP_TELEMETRY_MODE:
        app.raw_telemetry = (r->u.telemetry_mode.flags & TD_TELEMETRY_FLAG_RAW) != 0;
        return 0;
    default: break;
    }
    if (app.sys.flags & STORE_FLAG_SAFE_MODE) {
        return TD_NACK_SAFE_MODE; /* the engine is stopped: nothing here may act on it */
    }
    if (!store_has_config(&app.st)) {
        return TD_NACK_NO_CONFIG;
    }
    switch (r->op) {
    case TD_OP_LEASE:
        *value = r->u.lease.duration_ms;
        return engine_lease(e, r->u.lease.actuator, r->u.lease.duration_ms, r->u.lease.level, app.now, detail);
    case TD_OP_OFF: return engine_off(e, r->u.off.actuator, app.now, detail);
    case TD_OP_PAUSE: engine_pause(e, app.now); return 0;
    case TD_OP_RESUME: engine_resume(e, app.now); return 0;
    case TD_OP_SET_PARAM: {
        uint8_t code = engine_set_param(e, r->u.set_param.index, r->u.set_param.value, app.now, detail);
        if (code == 0) {
            store_param_save(&app.st, r->u.set_param.index, r->u.set_param.value);
            *value = (uint32_t)r->u.set_param.value;
        }
        return code;
    }
    default: return TD_NACK_UNKNOWN_OP; /* decoded ops are all handled above */
    }
}

static uint8_t decode_nack(td_msg_status_t st)
{
    return st == MSG_UNKNOWN_TYPE ? TD_NACK_UNKNOWN_TYPE : st == MSG_UNKNOWN_OP ? TD_NACK_UNKNOWN_OP : TD_NACK_BAD_LENGTH;
}

void app_request(const td_frame_t *f)
{
    td_request_t r;
    td_msg_status_t st = msg_decode_request(f->type, f->payload, f->payload_len, &r);
    uint16_t detail = 0;
    uint32_t value = 0;
    uint8_t code = 0;
    bool already = false;
#ifdef TD_DEBUG_HANG
    if (st == MSG_UNKNOWN_OP && r.op == TD_OP_DEBUG_HANG) {
        ack(f->seq, f->type, 0, 0);
        for (;;) {
            /* Never feeds the watchdog: the board must reset, come up safe, and not loop. */
            (void)hal_millis();
        }
    }
#endif
    if (st != MSG_OK) {
        app_nack(f->seq, f->type, decode_nack(st), st == MSG_UNKNOWN_OP ? r.op : 0);
        return;
    }
    switch (r.type) {
    case TD_MSG_PING:
        /* PONG is the PING's payload: send it straight back. */
        app_send(TD_MSG_PONG, f->seq, r.u.ping.data, r.u.ping.len, true);
        return;
    case TD_MSG_CONFIG_BEGIN:
        code = store_begin(&app.st, r.u.config_begin.length, r.u.config_begin.crc32, r.u.config_begin.recipe_hash,
                           r.u.config_begin.generation, &already, &detail);
        break;
    case TD_MSG_CONFIG_CHUNK:
        code = store_chunk(&app.st, r.u.config_chunk.offset, r.u.config_chunk.data, r.u.config_chunk.len, &detail);
        value = app.st.staged;
        break;
    case TD_MSG_CONFIG_COMMIT:
        code = config_commit(&detail);
        value = store_generation(&app.st);
        if (code == TD_NACK_STORAGE) {
            app_event(TD_EVENT_KIND_ERROR, TD_ERROR_CODE_STORAGE_WRITE, 0);
        }
        if (code != TD_NACK_NO_TRANSFER) {
            /* The reply first, then what became of the config. */
            if (code == 0) ack(f->seq, f->type, 0, value);
            else app_nack(f->seq, f->type, code, detail);
            app_event(TD_EVENT_KIND_CONFIG, code == 0 ? TD_CONFIG_OUTCOME_APPLIED : TD_CONFIG_OUTCOME_REJECTED,
                      code == 0 ? (int32_t)value : (int32_t)detail);
            return;
        }
        break;
    case TD_MSG_CONFIG_ABORT: store_abort(&app.st); break;
    case TD_MSG_CONFIG_READ:
        if (!store_has_config(&app.st)) {
            code = TD_NACK_NO_CONFIG;
        } else if (r.u.config_read.count == 0 || r.u.config_read.count > TD_CONFIG_CHUNK_MAX) {
            code = TD_NACK_BAD_VALUE;
        } else {
            config_read(f->seq, r.u.config_read.offset, r.u.config_read.count);
            return;
        }
        break;
    default: /* TD_MSG_COMMAND: the decoder knows no other request */
        if (r.op == TD_OP_HELLO) {
            app_hello(f->seq, false);
            return;
        }
        if (r.op == TD_OP_GET_PARAMS) {
            params(f->seq, r.u.get_params.first);
            return;
        }
        if (r.op == TD_OP_STATUS) {
            if (r.u.status.section > TD_STATUS_SECTION_RULES) {
                app_nack(f->seq, f->type, TD_NACK_BAD_VALUE, 0);
            } else {
                status(f->seq, r.u.status.section, r.u.status.first);
            }
            return;
        }
        code = command(&r, &detail, &value);
        break;
    }
    if (code != 0) {
        app_nack(f->seq, f->type, code, detail);
    } else {
        ack(f->seq, f->type, already ? TD_ACK_DETAIL_ALREADY_ACTIVE : 0, value);
    }
}
