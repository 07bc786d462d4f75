/* Request decoding and device-message encoding (docs/protocol.md, "Message catalogue"). */
#include "msg.h"

#include <string.h>

#include "le.h"
#include "tendril_records.h"

TD_STATIC_ASSERT(TD_MAX_PAYLOAD <= 255, payload_len_fits_u8);
TD_STATIC_ASSERT(TD_STATUS_SIZE + TD_STATUS_ACTUATOR_SIZE <= TD_MAX_PAYLOAD, status_holds_an_entry);
TD_STATIC_ASSERT(TD_HELLO_SIZE == TD_HELLO_FROZEN_SIZE + TD_FW_NAME_SIZE + 4 && TD_HELLO_SIZE <= TD_MAX_PAYLOAD, hello);
TD_STATIC_ASSERT(TD_HELLO_FROZEN_SIZE == TD_HELLO_FW_NAME, hello_frozen_part);
TD_STATIC_ASSERT(TD_CONFIG_DATA_SIZE + TD_CONFIG_CHUNK_MAX <= TD_MAX_PAYLOAD, config_data_fits);
TD_STATIC_ASSERT(TD_LOG_SIZE + TD_LOG_TEXT_MAX <= TD_MAX_PAYLOAD, log_fits);

/* A message that is a struct's fields: one table entry per field instead of one call per field
 * (on AVR each call site costs more flash than its three table bytes). */
typedef struct {
    uint8_t at;    /* offsetof the field in the struct */
    uint8_t width; /* 2 or 4: a little-endian integer; else that many bytes as they are */
    uint8_t wire;  /* its offset in the payload: a generated TD_<RECORD>_<FIELD> */
} field_t;
#define FIELD(type, member, wire) {(uint8_t)offsetof(type, member), (uint8_t)sizeof(((type *)0)->member), (wire)}

/* --- requests -------------------------------------------------------------------------------- */

/* COMMAND payload sizes by op (the op byte included); ops run 1..TD_OP_I2C_READ. */
static const uint8_t command_size[] TD_ROM = {
    0, /* no op 0 */
    TD_CMD_LEASE_SIZE,
    TD_CMD_OFF_SIZE,
    TD_CMD_PAUSE_SIZE,
    TD_CMD_RESUME_SIZE,
    TD_CMD_SET_PARAM_SIZE,
    TD_CMD_GET_PARAMS_SIZE,
    TD_CMD_HELLO_SIZE,
    TD_CMD_STATUS_SIZE,
    TD_CMD_CLEAR_SAFE_MODE_SIZE,
    TD_CMD_TELEMETRY_MODE_SIZE,
    TD_CMD_SCAN_ONEWIRE_SIZE,
    TD_CMD_SCAN_I2C_SIZE,
    TD_CMD_I2C_READ_SIZE,
};
TD_STATIC_ASSERT(TD_OP_LEASE == 1 && TD_OP_OFF == 2 && TD_OP_PAUSE == 3 && TD_OP_RESUME == 4, ops_1_4);
TD_STATIC_ASSERT(TD_OP_SET_PARAM == 5 && TD_OP_GET_PARAMS == 6 && TD_OP_HELLO == 7 && TD_OP_STATUS == 8, ops_5_8);
TD_STATIC_ASSERT(TD_OP_CLEAR_SAFE_MODE == 9 && TD_OP_TELEMETRY_MODE == 10 && TD_OP_SCAN_ONEWIRE == 11, ops_9_11);
TD_STATIC_ASSERT(TD_OP_SCAN_I2C == 12 && TD_OP_I2C_READ == 13, ops_12_13);
TD_STATIC_ASSERT(sizeof command_size == TD_OP_I2C_READ + 1, every_op_sized);

/* Every request type and its payload length limits; a COMMAND's op then needs command_size[op].
 * Data that runs to the payload's end (PING, CONFIG_CHUNK) has a maximum; the rest ignore extra
 * bytes. */
typedef struct {
    uint8_t type, min, max;
} req_len_t;
static const req_len_t request_len[] TD_ROM = {
    {TD_MSG_PING, 0, TD_PING_MAX},
    {TD_MSG_CONFIG_BEGIN, TD_CONFIG_BEGIN_SIZE, 255},
    {TD_MSG_CONFIG_CHUNK, TD_CONFIG_CHUNK_SIZE + 1, TD_CONFIG_CHUNK_SIZE + TD_CONFIG_CHUNK_MAX},
    {TD_MSG_CONFIG_COMMIT, 0, 255},
    {TD_MSG_CONFIG_ABORT, 0, 255},
    {TD_MSG_CONFIG_READ, TD_CONFIG_READ_SIZE, 255},
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

/* Every request's fixed fields in one table, keyed by type, or by 0x80 | op for a COMMAND's (request
 * types are below 0x80): one loop decodes them all, where a switch with a statement per field cost
 * more flash. PING's and CONFIG_CHUNK's data, which run to the payload's end, are set in code. */
typedef struct {
    uint8_t key;
    field_t f;
} req_field_t;
#define RFIELD(key, member, wire) {(key), FIELD(td_request_t, member, wire)}
#define OP_KEY(op) (0x80 | (op))
TD_STATIC_ASSERT(TD_MSG_CONFIG_BEGIN < 0x80 && TD_MSG_CONFIG_CHUNK < 0x80 && TD_MSG_CONFIG_READ < 0x80, types_below_op_keys);
TD_STATIC_ASSERT(sizeof(td_request_t) <= 0xFF, request_offsets_fit);
static const req_field_t request_fields[] TD_ROM = {
    RFIELD(TD_MSG_CONFIG_BEGIN, u.config_begin.length, TD_CONFIG_BEGIN_LENGTH),
    RFIELD(TD_MSG_CONFIG_BEGIN, u.config_begin.crc32, TD_CONFIG_BEGIN_CRC32),
    RFIELD(TD_MSG_CONFIG_BEGIN, u.config_begin.recipe_hash, TD_CONFIG_BEGIN_RECIPE_HASH),
    RFIELD(TD_MSG_CONFIG_BEGIN, u.config_begin.generation, TD_CONFIG_BEGIN_GENERATION),
    RFIELD(TD_MSG_CONFIG_CHUNK, u.config_chunk.offset, TD_CONFIG_CHUNK_OFFSET),
    RFIELD(TD_MSG_CONFIG_READ, u.config_read.offset, TD_CONFIG_READ_OFFSET),
    RFIELD(TD_MSG_CONFIG_READ, u.config_read.count, TD_CONFIG_READ_COUNT),
    RFIELD(OP_KEY(TD_OP_LEASE), u.lease.actuator, TD_CMD_LEASE_ACTUATOR),
    RFIELD(OP_KEY(TD_OP_LEASE), u.lease.duration_ms, TD_CMD_LEASE_DURATION_MS),
    RFIELD(OP_KEY(TD_OP_LEASE), u.lease.level, TD_CMD_LEASE_LEVEL),
    RFIELD(OP_KEY(TD_OP_OFF), u.off.actuator, TD_CMD_OFF_ACTUATOR),
    RFIELD(OP_KEY(TD_OP_SET_PARAM), u.set_param.index, TD_CMD_SET_PARAM_INDEX),
    RFIELD(OP_KEY(TD_OP_SET_PARAM), u.set_param.value, TD_CMD_SET_PARAM_VALUE), /* int32: its two's complement bits */
    RFIELD(OP_KEY(TD_OP_GET_PARAMS), u.get_params.first, TD_CMD_GET_PARAMS_FIRST),
    RFIELD(OP_KEY(TD_OP_STATUS), u.status.section, TD_CMD_STATUS_SECTION),
    RFIELD(OP_KEY(TD_OP_STATUS), u.status.first, TD_CMD_STATUS_FIRST),
    RFIELD(OP_KEY(TD_OP_TELEMETRY_MODE), u.telemetry_mode.flags, TD_CMD_TELEMETRY_MODE_FLAGS),
    RFIELD(OP_KEY(TD_OP_SCAN_ONEWIRE), u.scan_onewire.pin, TD_CMD_SCAN_ONEWIRE_PIN),
    RFIELD(OP_KEY(TD_OP_SCAN_ONEWIRE), u.scan_onewire.first, TD_CMD_SCAN_ONEWIRE_FIRST),
    RFIELD(OP_KEY(TD_OP_SCAN_I2C), u.scan_i2c.first, TD_CMD_SCAN_I2C_FIRST),
    RFIELD(OP_KEY(TD_OP_I2C_READ), u.i2c_read.address, TD_CMD_I2C_READ_ADDRESS),
    RFIELD(OP_KEY(TD_OP_I2C_READ), u.i2c_read.nwrite, TD_CMD_I2C_READ_NWRITE),
    RFIELD(OP_KEY(TD_OP_I2C_READ), u.i2c_read.w[0], TD_CMD_I2C_READ_W0),
    RFIELD(OP_KEY(TD_OP_I2C_READ), u.i2c_read.w[1], TD_CMD_I2C_READ_W1),
    RFIELD(OP_KEY(TD_OP_I2C_READ), u.i2c_read.nread, TD_CMD_I2C_READ_NREAD),
};

td_msg_status_t msg_decode_request(uint8_t type, const uint8_t *payload, uint8_t len, td_request_t *req)
{
    td_msg_status_t st = msg_request_check(type, payload, len);
    const uint8_t *p = payload;
    uint8_t key = type, i;
    memset(req, 0, sizeof *req);
    req->type = type;
    if (type == TD_MSG_COMMAND && len > 0 && payload != NULL) {
        req->op = p[TD_COMMAND_OP];
        key = (uint8_t)OP_KEY(req->op);
    }
    if (st != MSG_OK) {
        return st;
    }
    for (i = 0; i < sizeof request_fields / sizeof request_fields[0]; i++) {
        const field_t *f = &request_fields[i].f;
        uint8_t width = TD_ROM_U8(&f->width);
        uint8_t *dst = (uint8_t *)req + TD_ROM_U8(&f->at);
        const uint8_t *src = &p[TD_ROM_U8(&f->wire)];
        if (TD_ROM_U8(&request_fields[i].key) != key) continue;
        if (width == 2) {
            uint16_t v = le_u16(src);
            memcpy(dst, &v, sizeof v);
        } else if (width == 4) {
            uint32_t v = le_u32(src);
            memcpy(dst, &v, sizeof v);
        } else {
            memcpy(dst, src, width);
        }
    }
    if (type == TD_MSG_PING) {
        req->u.ping.data = payload;
        req->u.ping.len = len;
    } else if (type == TD_MSG_CONFIG_CHUNK) {
        req->u.config_chunk.data = &p[TD_CONFIG_CHUNK_SIZE];
        req->u.config_chunk.len = (uint8_t)(len - TD_CONFIG_CHUNK_SIZE);
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

static td_msg_status_t wr_end(const writer_t *w, uint8_t *len)
{
    *len = w->ok ? w->len : 0;
    return w->ok ? MSG_OK : MSG_NO_ROOM;
}

/* A fixed-size payload: room for all of it, or nothing written. */
static TD_NOINLINE bool room(uint8_t *out, uint8_t cap, uint8_t need, uint8_t *len)
{
    *len = (out != NULL && cap >= need) ? need : 0;
    return *len != 0;
}

/* Each field at its place in out; the caller checked the room. */
static void put_fields(uint8_t *out, const void *rec, const field_t *fields, uint8_t n)
{
    uint8_t i;
    for (i = 0; i < n; i++) {
        uint8_t width = TD_ROM_U8(&fields[i].width);
        const uint8_t *p = (const uint8_t *)rec + TD_ROM_U8(&fields[i].at);
        uint8_t *dst = &out[TD_ROM_U8(&fields[i].wire)];
        if (width == 2) {
            uint16_t v;
            memcpy(&v, p, sizeof v);
            le_put_u16(dst, v);
        } else if (width == 4) {
            uint32_t v;
            memcpy(&v, p, sizeof v);
            le_put_u32(dst, v);
        } else {
            memcpy(dst, p, width);
        }
    }
}

static const field_t hello_fields[] TD_ROM = {
    FIELD(td_hello_t, protocol_version, TD_HELLO_PROTOCOL_VERSION),
    FIELD(td_hello_t, board_class, TD_HELLO_BOARD_CLASS),
    FIELD(td_hello_t, fw_major, TD_HELLO_FW_MAJOR),
    FIELD(td_hello_t, fw_minor, TD_HELLO_FW_MINOR),
    FIELD(td_hello_t, fw_patch, TD_HELLO_FW_PATCH),
    FIELD(td_hello_t, reset_cause, TD_HELLO_RESET_CAUSE),
    FIELD(td_hello_t, flags, TD_HELLO_FLAGS),
    FIELD(td_hello_t, device_id, TD_HELLO_DEVICE_ID),
    FIELD(td_hello_t, boot_count, TD_HELLO_BOOT_COUNT),
    FIELD(td_hello_t, capabilities, TD_HELLO_CAPABILITIES),
    FIELD(td_hello_t, config_generation, TD_HELLO_CONFIG_GENERATION),
    FIELD(td_hello_t, recipe_hash, TD_HELLO_RECIPE_HASH),
    FIELD(td_hello_t, max_payload, TD_HELLO_MAX_PAYLOAD),
    FIELD(td_hello_t, max_image, TD_HELLO_MAX_IMAGE),
    FIELD(td_hello_t, sensor_kinds, TD_HELLO_SENSOR_KINDS),
};
#define COUNT(a) ((uint8_t)(sizeof(a) / sizeof((a)[0])))
TD_STATIC_ASSERT(sizeof(td_hello_t) <= 0xFF && TD_RECIPE_HASH_SIZE != 2 && TD_RECIPE_HASH_SIZE != 4, fields);

td_msg_status_t msg_encode_hello(const td_hello_t *h, uint8_t *out, uint8_t cap, uint8_t *len)
{
    *len = 0;
    if (h->name_len > TD_FW_NAME_SIZE || (h->name == NULL && h->name_len > 0)) {
        return MSG_BAD_VALUE;
    }
    if (!room(out, cap, TD_HELLO_SIZE, len)) return MSG_NO_ROOM;
    memset(out, 0, TD_HELLO_SIZE); /* the reserved byte, and the name's NUL padding */
    put_fields(out, h, hello_fields, COUNT(hello_fields));
    if (h->name_len > 0) {
        memcpy(&out[TD_HELLO_FW_NAME], h->name, h->name_len);
    }
    return MSG_OK;
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

td_msg_status_t msg_encode_ack(uint8_t request_type, uint8_t detail, uint32_t value, uint8_t *out, uint8_t cap,
                               uint8_t *len)
{
    if (!room(out, cap, TD_ACK_SIZE, len)) return MSG_NO_ROOM;
    out[TD_ACK_REQUEST_TYPE] = request_type;
    out[TD_ACK_DETAIL] = detail;
    le_put_u32(&out[TD_ACK_VALUE], value);
    return MSG_OK;
}

td_msg_status_t msg_encode_nack(uint8_t request_type, uint8_t code, uint16_t detail, uint8_t *out, uint8_t cap,
                                uint8_t *len)
{
    if (!room(out, cap, TD_NACK_SIZE, len)) return MSG_NO_ROOM;
    out[TD_NACK_REQUEST_TYPE] = request_type;
    out[TD_NACK_CODE] = code;
    le_put_u16(&out[TD_NACK_DETAIL], detail);
    return MSG_OK;
}

/* n i32 values from out on: the caller checked the room. */
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
    if ((values == NULL && n > 0) || n > TD_TELEMETRY_MAX_VALUES ||
        !room(out, cap, (uint8_t)(TD_TELEMETRY_SIZE + 4 * n), len)) {
        *len = 0;
        return MSG_NO_ROOM;
    }
    le_put_u32(&out[TD_TELEMETRY_TIME_MS], time_ms);
    out[TD_TELEMETRY_FIRST_CHANNEL] = first_channel;
    out[TD_TELEMETRY_FLAGS] = flags;
    put_values(&out[TD_TELEMETRY_SIZE], values, n);
    return MSG_OK;
}

td_msg_status_t msg_encode_event(const td_event_t *e, uint8_t *out, uint8_t cap, uint8_t *len)
{
    if (!room(out, cap, TD_EVENT_SIZE, len)) return MSG_NO_ROOM;
    le_put_u32(&out[TD_EVENT_TIME_MS], e->time_ms);
    out[TD_EVENT_KIND] = e->kind;
    out[TD_EVENT_A] = e->a;
    out[TD_EVENT_B] = e->b;
    out[TD_EVENT_C] = e->c;
    le_put_i32(&out[TD_EVENT_VALUE], e->value);
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
    if ((data == NULL && n > 0) || !room(out, cap, (uint8_t)(TD_CONFIG_DATA_SIZE + n), len)) {
        *len = 0;
        return MSG_NO_ROOM;
    }
    le_put_u16(&out[TD_CONFIG_DATA_OFFSET], offset);
    le_put_u16(&out[TD_CONFIG_DATA_TOTAL_LENGTH], total_length);
    if (n > 0) {
        memmove(&out[TD_CONFIG_DATA_SIZE], data, n); /* the data may be in place already */
    }
    return MSG_OK;
}

td_msg_status_t msg_encode_params(uint8_t first, uint8_t total, const int32_t *values, uint8_t n, uint8_t *out,
                                  uint8_t cap, uint8_t *len)
{
    if ((values == NULL && n > 0) || n > TD_PARAMS_MAX_VALUES ||
        !room(out, cap, (uint8_t)(TD_PARAMS_SIZE + 4 * n), len)) {
        *len = 0;
        return MSG_NO_ROOM;
    }
    out[TD_PARAMS_FIRST] = first;
    out[TD_PARAMS_TOTAL] = total;
    put_values(&out[TD_PARAMS_SIZE], values, n);
    return MSG_OK;
}

td_msg_status_t msg_encode_status(uint32_t time_ms, uint8_t flags, uint8_t section, uint8_t first, uint8_t total,
                                  uint8_t *out, uint8_t cap, uint8_t *len)
{
    if (!room(out, cap, TD_STATUS_SIZE, len)) return MSG_NO_ROOM;
    le_put_u32(&out[TD_STATUS_TIME_MS], time_ms);
    out[TD_STATUS_FLAGS] = flags;
    out[TD_STATUS_SECTION] = section;
    out[TD_STATUS_FIRST] = first;
    out[TD_STATUS_TOTAL] = total;
    return MSG_OK;
}

td_msg_status_t msg_encode_rom_codes(uint8_t pin, uint8_t result, uint8_t first, uint8_t total, const uint8_t *codes,
                                     uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len)
{
    uint8_t size = (uint8_t)(TD_ROM_CODE_SIZE * n);
    if (n > TD_ROM_CODES_MAX || !room(out, cap, (uint8_t)(TD_ROM_CODES_SIZE + size), len)) return MSG_NO_ROOM;
    memmove(&out[TD_ROM_CODES_SIZE], codes, size); /* the codes may be in place already */
    out[TD_ROM_CODES_PIN] = pin;
    out[TD_ROM_CODES_RESULT] = result;
    out[TD_ROM_CODES_FIRST] = first;
    out[TD_ROM_CODES_TOTAL] = total;
    return MSG_OK;
}

td_msg_status_t msg_encode_i2c(uint8_t status, uint8_t second, uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len)
{
    if (n > TD_I2C_SCAN_MAX || !room(out, cap, (uint8_t)(TD_I2C_SCAN_SIZE + n), len)) return MSG_NO_ROOM;
    out[TD_I2C_SCAN_STATUS] = status;
    out[TD_I2C_SCAN_COUNT] = second;
    return MSG_OK;
}
TD_STATIC_ASSERT(TD_I2C_SCAN_SIZE == TD_I2C_DATA_SIZE && (int)TD_I2C_SCAN_STATUS == (int)TD_I2C_DATA_STATUS &&
                     (int)TD_I2C_SCAN_COUNT == (int)TD_I2C_DATA_ADDRESS && TD_I2C_READ_MAX <= TD_I2C_SCAN_MAX,
                 i2c_replies_alike);

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
    uint8_t *p = append(out, cap, len, TD_STATUS_ACTUATOR_SIZE);
    if (p == NULL) return MSG_NO_ROOM;
    p[TD_STATUS_ACTUATOR_STATE] = e->state;
    p[TD_STATUS_ACTUATOR_LEVEL] = e->level;
    p[TD_STATUS_ACTUATOR_OWNER] = e->owner;
    le_put_u32(&p[TD_STATUS_ACTUATOR_MS_LEFT], e->ms_left);
    le_put_u32(&p[TD_STATUS_ACTUATOR_TODAY_ON_MS], e->today_on_ms);
    return MSG_OK;
}

td_msg_status_t msg_status_add_rule(const td_rule_status_t *e, uint8_t *out, uint8_t cap, uint8_t *len)
{
    uint8_t *p = append(out, cap, len, TD_STATUS_RULE_SIZE);
    if (p == NULL) return MSG_NO_ROOM;
    p[TD_STATUS_RULE_STATE] = e->state;
    p[TD_STATUS_RULE_LAST_SKIP] = e->last_skip;
    le_put_u32(&p[TD_STATUS_RULE_SINCE_FIRED_MS], e->since_fired_ms);
    return MSG_OK;
}
