/* Request decoding and device-message encoding (docs/protocol.md, "Message catalogue"). */
#include "msg.h"

#include <string.h>

#include "le.h"

TD_STATIC_ASSERT(TD_MAX_PAYLOAD <= 255, payload_len_fits_u8);
TD_STATIC_ASSERT(TD_STATUS_HEAD_SIZE + TD_STATUS_ACT_SIZE <= TD_MAX_PAYLOAD, status_holds_an_entry);
TD_STATIC_ASSERT(TD_HELLO_SIZE == TD_HELLO_FROZEN_SIZE + TD_FW_NAME_SIZE && TD_HELLO_SIZE <= TD_MAX_PAYLOAD, hello);
TD_STATIC_ASSERT(TD_HELLO_FROZEN_SIZE == 32 + 2 + 2, hello_frozen_part);
TD_STATIC_ASSERT(4 + TD_CONFIG_CHUNK_MAX <= TD_MAX_PAYLOAD, config_data_fits);
TD_STATIC_ASSERT(TD_LOG_TEXT_MAX + 1 <= TD_MAX_PAYLOAD, log_fits);

/* Fixed request sizes, in bytes of payload (COMMAND sizes include the op byte). */
#define CONFIG_BEGIN_SIZE (2 + 4 + TD_RECIPE_HASH_SIZE + 4)
#define CONFIG_CHUNK_HEAD 2
#define CONFIG_READ_SIZE 3

/* --- requests -------------------------------------------------------------------------------- */

/* COMMAND payload sizes by op (the op byte included); ops run 1..TD_OP_TELEMETRY_MODE. */
static const uint8_t command_size[] TD_ROM = {
    0,     /* no op 0 */
    1 + 6, /* LEASE: actuator u8, duration_ms u32, level u8 */
    1 + 1, /* OFF: actuator u8 */
    1,     /* PAUSE */
    1,     /* RESUME */
    1 + 5, /* SET_PARAM: index u8, value i32 */
    1 + 1, /* GET_PARAMS: first u8 */
    1,     /* HELLO */
    1 + 2, /* STATUS: section u8, first u8 */
    1,     /* CLEAR_SAFE_MODE */
    1 + 1, /* TELEMETRY_MODE: flags u8 */
};
TD_STATIC_ASSERT(TD_OP_LEASE == 1 && TD_OP_OFF == 2 && TD_OP_PAUSE == 3 && TD_OP_RESUME == 4, ops_1_4);
TD_STATIC_ASSERT(TD_OP_SET_PARAM == 5 && TD_OP_GET_PARAMS == 6 && TD_OP_HELLO == 7 && TD_OP_STATUS == 8, ops_5_8);
TD_STATIC_ASSERT(TD_OP_CLEAR_SAFE_MODE == 9 && TD_OP_TELEMETRY_MODE == 10 && sizeof command_size == 11, ops_9_10);

/* Every request type and its payload length limits; a COMMAND's op then needs command_size[op].
 * Data that runs to the payload's end (PING, CONFIG_CHUNK) has a maximum; the rest ignore extra
 * bytes. */
typedef struct {
    uint8_t type, min, max;
} req_len_t;
static const req_len_t request_len[] TD_ROM = {
    {TD_MSG_PING, 0, TD_PING_MAX},
    {TD_MSG_CONFIG_BEGIN, CONFIG_BEGIN_SIZE, 255},
    {TD_MSG_CONFIG_CHUNK, CONFIG_CHUNK_HEAD + 1, CONFIG_CHUNK_HEAD + TD_CONFIG_CHUNK_MAX},
    {TD_MSG_CONFIG_COMMIT, 0, 255},
    {TD_MSG_CONFIG_ABORT, 0, 255},
    {TD_MSG_CONFIG_READ, CONFIG_READ_SIZE, 255},
    {TD_MSG_COMMAND, 1, 255},
};
#define N_REQUEST_TYPES (sizeof request_len / sizeof request_len[0])

td_msg_status_t msg_request_check(uint8_t type, const uint8_t *payload, uint8_t len)
{
    uint8_t i;
    if (payload == NULL && len > 0) {
        return MSG_BAD_LENGTH;
    }
    for (i = 0; TD_ROM_U8(&request_len[i].type) != type; i++) {
        if (i + 1 == N_REQUEST_TYPES) {
            return MSG_UNKNOWN_TYPE;
        }
    }
    if (len < TD_ROM_U8(&request_len[i].min) || len > TD_ROM_U8(&request_len[i].max)) {
        return MSG_BAD_LENGTH;
    }
    if (type != TD_MSG_COMMAND) {
        return MSG_OK;
    }
    if (payload[0] == 0 || payload[0] >= sizeof command_size) {
        return MSG_UNKNOWN_OP;
    }
    return len < TD_ROM_U8(&command_size[payload[0]]) ? MSG_BAD_LENGTH : MSG_OK;
}

td_msg_status_t msg_decode_request(uint8_t type, const uint8_t *payload, uint8_t len, td_request_t *req)
{
    td_msg_status_t st = msg_request_check(type, payload, len);
    const uint8_t *p = payload;
    memset(req, 0, sizeof *req);
    req->type = type;
    if (type == TD_MSG_COMMAND && len > 0 && payload != NULL) {
        req->op = p[0];
    }
    if (st != MSG_OK) {
        return st;
    }
    switch (type) {
    case TD_MSG_PING:
        req->u.ping.data = payload;
        req->u.ping.len = len;
        break;
    case TD_MSG_CONFIG_BEGIN:
        req->u.config_begin.length = le_get_u16(&p[0]);
        req->u.config_begin.crc32 = le_get_u32(&p[2]);
        memcpy(req->u.config_begin.recipe_hash, &p[6], TD_RECIPE_HASH_SIZE);
        req->u.config_begin.generation = le_get_u32(&p[6 + TD_RECIPE_HASH_SIZE]);
        break;
    case TD_MSG_CONFIG_CHUNK:
        req->u.config_chunk.offset = le_get_u16(&p[0]);
        req->u.config_chunk.data = &p[CONFIG_CHUNK_HEAD];
        req->u.config_chunk.len = (uint8_t)(len - CONFIG_CHUNK_HEAD);
        break;
    case TD_MSG_CONFIG_READ:
        req->u.config_read.offset = le_get_u16(&p[0]);
        req->u.config_read.count = p[2];
        break;
    case TD_MSG_COMMAND:
        switch (req->op) {
        case TD_OP_LEASE:
            req->u.lease.actuator = p[1];
            req->u.lease.duration_ms = le_get_u32(&p[2]);
            req->u.lease.level = p[6];
            break;
        case TD_OP_OFF: req->u.off.actuator = p[1]; break;
        case TD_OP_SET_PARAM:
            req->u.set_param.index = p[1];
            req->u.set_param.value = le_get_i32(&p[2]);
            break;
        case TD_OP_GET_PARAMS: req->u.get_params.first = p[1]; break;
        case TD_OP_STATUS:
            req->u.status.section = p[1];
            req->u.status.first = p[2];
            break;
        case TD_OP_TELEMETRY_MODE: req->u.telemetry_mode.flags = p[1]; break;
        default: break; /* no arguments */
        }
        break;
    default: break; /* COMMIT, ABORT: no fields */
    }
    return MSG_OK;
}

/* --- device messages ------------------------------------------------------------------------- */

/* A bounded payload writer: the first write that does not fit marks it failed, later writes are
 * dropped, and the caller reports MSG_NO_ROOM. */
typedef struct {
    uint8_t *out;
    uint8_t cap;
    uint8_t len;
    bool ok;
} writer_t;

static TD_NOINLINE void wr_begin(writer_t *w, uint8_t *out, uint8_t cap, uint8_t start)
{
    w->out = out;
    w->cap = (cap > TD_MAX_PAYLOAD) ? TD_MAX_PAYLOAD : cap;
    w->len = start;
    w->ok = out != NULL && start <= w->cap;
}

static void wr_bytes(writer_t *w, const uint8_t *data, uint8_t n)
{
    uint8_t i;
    if (!w->ok || n > (uint8_t)(w->cap - w->len) || (data == NULL && n > 0)) {
        w->ok = false;
        return;
    }
    for (i = 0; i < n; i++) {
        w->out[w->len++] = data[i];
    }
}

static void wr_u8(writer_t *w, uint8_t v)
{
    wr_bytes(w, &v, 1);
}

static void wr_u16(writer_t *w, uint16_t v)
{
    uint8_t b[2];
    le_put_u16(b, v);
    wr_bytes(w, b, 2);
}

static void wr_u32(writer_t *w, uint32_t v)
{
    uint8_t b[4];
    le_put_u32(b, v);
    wr_bytes(w, b, 4);
}

static td_msg_status_t wr_end(const writer_t *w, uint8_t *len)
{
    *len = w->ok ? w->len : 0;
    return w->ok ? MSG_OK : MSG_NO_ROOM;
}

/* A message that is a struct's fields in order: one table entry per field instead of one call
 * per field (on AVR each call site costs more flash than its two table bytes). */
typedef struct {
    uint8_t at;    /* offsetof the field, or ZERO_BYTE */
    uint8_t width; /* 2 or 4: a little-endian integer; else that many bytes as they are */
} field_t;
#define ZERO_BYTE 0xFF /* a reserved byte, sent as 0 */
#define FIELD(type, member) {(uint8_t)offsetof(type, member), (uint8_t)sizeof(((type *)0)->member)}

static void wr_fields(writer_t *w, const void *rec, const field_t *fields, uint8_t n)
{
    uint8_t i;
    for (i = 0; i < n; i++) {
        uint8_t at = TD_ROM_U8(&fields[i].at);
        uint8_t width = TD_ROM_U8(&fields[i].width);
        const uint8_t *p = (const uint8_t *)rec + at;
        if (at == ZERO_BYTE) {
            wr_u8(w, 0);
        } else if (width == 2) {
            uint16_t v;
            memcpy(&v, p, sizeof v);
            wr_u16(w, v);
        } else if (width == 4) {
            uint32_t v;
            memcpy(&v, p, sizeof v);
            wr_u32(w, v);
        } else {
            wr_bytes(w, p, width);
        }
    }
}

static const field_t hello_fields[] TD_ROM = {
    FIELD(td_hello_t, protocol_version), FIELD(td_hello_t, board_class), FIELD(td_hello_t, fw_major),
    FIELD(td_hello_t, fw_minor), FIELD(td_hello_t, fw_patch), FIELD(td_hello_t, reset_cause),
    FIELD(td_hello_t, flags), {ZERO_BYTE, 1}, FIELD(td_hello_t, device_id), FIELD(td_hello_t, boot_count),
    FIELD(td_hello_t, capabilities), FIELD(td_hello_t, config_generation), FIELD(td_hello_t, recipe_hash),
    FIELD(td_hello_t, max_payload), FIELD(td_hello_t, max_image),
};
#define COUNT(a) ((uint8_t)(sizeof(a) / sizeof((a)[0])))
TD_STATIC_ASSERT(sizeof(td_hello_t) < ZERO_BYTE && TD_RECIPE_HASH_SIZE != 2 && TD_RECIPE_HASH_SIZE != 4, fields);

td_msg_status_t msg_encode_hello(const td_hello_t *h, uint8_t *out, uint8_t cap, uint8_t *len)
{
    writer_t w;
    *len = 0;
    if (h->name_len > TD_FW_NAME_SIZE || (h->name == NULL && h->name_len > 0)) {
        return MSG_BAD_VALUE;
    }
    wr_begin(&w, out, cap, 0);
    wr_fields(&w, h, hello_fields, COUNT(hello_fields));
    wr_bytes(&w, (const uint8_t *)h->name, h->name_len);
    while (w.ok && w.len < TD_HELLO_SIZE) {
        wr_u8(&w, 0); /* the name field is u8[TD_FW_NAME_SIZE], NUL-padded */
    }
    return wr_end(&w, len);
}

td_msg_status_t msg_encode_pong(const uint8_t *data, uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len)
{
    writer_t w;
    *len = 0;
    if (n > TD_PING_MAX) {
        return MSG_BAD_VALUE;
    }
    wr_begin(&w, out, cap, 0);
    wr_bytes(&w, data, n);
    return wr_end(&w, len);
}

/* A fixed-size payload: room for all of it, or nothing written. */
static TD_NOINLINE bool room(uint8_t *out, uint8_t cap, uint8_t need, uint8_t *len)
{
    *len = (out != NULL && cap >= need) ? need : 0;
    return *len != 0;
}

td_msg_status_t msg_encode_ack(uint8_t request_type, uint8_t detail, uint32_t value, uint8_t *out, uint8_t cap,
                               uint8_t *len)
{
    if (!room(out, cap, 6, len)) return MSG_NO_ROOM;
    out[0] = request_type;
    out[1] = detail;
    le_put_u32(&out[2], value);
    return MSG_OK;
}

td_msg_status_t msg_encode_nack(uint8_t request_type, uint8_t code, uint16_t detail, uint8_t *out, uint8_t cap,
                                uint8_t *len)
{
    if (!room(out, cap, 4, len)) return MSG_NO_ROOM;
    out[0] = request_type;
    out[1] = code;
    le_put_u16(&out[2], detail);
    return MSG_OK;
}

/* n i32 values at out[at..]: the caller checked the room. */
static void put_values(uint8_t *out, const int32_t *values, uint8_t n)
{
    uint8_t i;
    for (i = 0; i < n; i++) {
        le_put_i32(&out[4 * i], values[i]);
    }
}

td_msg_status_t msg_encode_telemetry(uint32_t time_ms, uint8_t first_channel, uint8_t flags, const int32_t *values,
                                     uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len)
{
    if ((values == NULL && n > 0) || n > TD_TELEMETRY_MAX_VALUES || !room(out, cap, (uint8_t)(6 + 4 * n), len)) {
        *len = 0;
        return MSG_NO_ROOM;
    }
    le_put_u32(out, time_ms);
    out[4] = first_channel;
    out[5] = flags;
    put_values(&out[6], values, n);
    return MSG_OK;
}

td_msg_status_t msg_encode_event(const td_event_t *e, uint8_t *out, uint8_t cap, uint8_t *len)
{
    if (!room(out, cap, 12, len)) return MSG_NO_ROOM;
    le_put_u32(out, e->time_ms);
    out[4] = e->kind;
    out[5] = e->a;
    out[6] = e->b;
    out[7] = e->c;
    le_put_i32(&out[8], e->value);
    return MSG_OK;
}

td_msg_status_t msg_encode_log(uint8_t level, const char *text, uint8_t n, uint8_t *out, uint8_t cap,
                               uint8_t *len)
{
    writer_t w;
    *len = 0;
    if (n > TD_LOG_TEXT_MAX) {
        return MSG_BAD_VALUE;
    }
    wr_begin(&w, out, cap, 0);
    wr_u8(&w, level);
    wr_bytes(&w, (const uint8_t *)text, n);
    return wr_end(&w, len);
}

td_msg_status_t msg_encode_config_data(uint16_t offset, uint16_t total_length, const uint8_t *data, uint8_t n,
                                       uint8_t *out, uint8_t cap, uint8_t *len)
{
    if (n > TD_CONFIG_CHUNK_MAX) {
        *len = 0;
        return MSG_BAD_VALUE;
    }
    if ((data == NULL && n > 0) || !room(out, cap, (uint8_t)(4 + n), len)) {
        *len = 0;
        return MSG_NO_ROOM;
    }
    le_put_u16(out, offset);
    le_put_u16(&out[2], total_length);
    if (n > 0) {
        memcpy(&out[4], data, n);
    }
    return MSG_OK;
}

td_msg_status_t msg_encode_params(uint8_t first, uint8_t total, const int32_t *values, uint8_t n, uint8_t *out,
                                  uint8_t cap, uint8_t *len)
{
    if ((values == NULL && n > 0) || n > TD_PARAMS_MAX_VALUES || !room(out, cap, (uint8_t)(2 + 4 * n), len)) {
        *len = 0;
        return MSG_NO_ROOM;
    }
    out[0] = first;
    out[1] = total;
    put_values(&out[2], values, n);
    return MSG_OK;
}

td_msg_status_t msg_encode_status(uint32_t time_ms, uint8_t flags, uint8_t section, uint8_t first, uint8_t total,
                                  uint8_t *out, uint8_t cap, uint8_t *len)
{
    if (!room(out, cap, TD_STATUS_HEAD_SIZE, len)) return MSG_NO_ROOM;
    le_put_u32(out, time_ms);
    out[4] = flags;
    out[5] = section;
    out[6] = first;
    out[7] = total;
    return MSG_OK;
}

/* Appends are all-or-nothing, so a full STATUS keeps its last complete entry: the entry's place,
 * or NULL when it does not fit. */
static TD_NOINLINE uint8_t *append(uint8_t *out, uint8_t cap, uint8_t *len, uint8_t size)
{
    uint8_t limit = cap > TD_MAX_PAYLOAD ? TD_MAX_PAYLOAD : cap;
    uint8_t *p;
    if (out == NULL || *len > limit || (uint8_t)(limit - *len) < size) {
        return NULL;
    }
    p = &out[*len];
    *len = (uint8_t)(*len + size);
    return p;
}

td_msg_status_t msg_append_i32(int32_t value, uint8_t *out, uint8_t cap, uint8_t *len)
{
    uint8_t *p = append(out, cap, len, 4);
    if (p == NULL) return MSG_NO_ROOM;
    le_put_i32(p, value);
    return MSG_OK;
}

td_msg_status_t msg_status_add_actuator(const td_act_status_t *e, uint8_t *out, uint8_t cap, uint8_t *len)
{
    uint8_t *p = append(out, cap, len, TD_STATUS_ACT_SIZE);
    if (p == NULL) return MSG_NO_ROOM;
    p[0] = e->state;
    p[1] = e->level;
    p[2] = e->owner;
    le_put_u32(&p[3], e->ms_left);
    le_put_u32(&p[7], e->today_on_ms);
    return MSG_OK;
}

td_msg_status_t msg_status_add_rule(const td_rule_status_t *e, uint8_t *out, uint8_t cap, uint8_t *len)
{
    uint8_t *p = append(out, cap, len, TD_STATUS_RULE_SIZE);
    if (p == NULL) return MSG_NO_ROOM;
    p[0] = e->state;
    p[1] = e->last_skip;
    le_put_u32(&p[2], e->since_fired_ms);
    return MSG_OK;
}
