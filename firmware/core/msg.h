/* Message payloads (docs/protocol.md, "Message catalogue"): decoding of every host -> device
 * request, encoding of every device -> host message. Pure: bytes in, fields out, and back. */
#ifndef TD_MSG_H
#define TD_MSG_H

#include "td.h"

typedef enum {
    MSG_OK = 0,
    MSG_BAD_LENGTH,   /* payload too short (or too long) for its type: NACK BAD_LENGTH */
    MSG_UNKNOWN_TYPE, /* not a request type: NACK UNKNOWN_TYPE */
    MSG_UNKNOWN_OP,   /* COMMAND with an unknown op: NACK UNKNOWN_OP, detail = op */
    MSG_NO_ROOM,      /* encode: the payload does not fit the buffer or TD_MAX_PAYLOAD */
    MSG_BAD_VALUE     /* encode: a field beyond its documented size (firmware name, PONG data) */
} td_msg_status_t;

/* A decoded request. Structural checks only (lengths, known type and op): whether an index,
 * count or value is acceptable is the device's decision (NACK BAD_INDEX, BAD_VALUE, ...).
 * Pointers point into the payload given to msg_decode_request(). Bytes after a request's known
 * fields are ignored, as a newer minor protocol revision may add them. */
typedef struct {
    uint8_t type; /* td_msg_type_t */
    uint8_t op;   /* td_command_op_t when type is TD_MSG_COMMAND, else 0 */
    union {
        struct {
            const uint8_t *data;
            uint8_t len; /* 0..TD_PING_MAX */
        } ping;
        struct {
            uint16_t length;
            uint32_t crc32;
            uint8_t recipe_hash[TD_RECIPE_HASH_SIZE];
            uint32_t generation;
        } config_begin;
        struct {
            uint16_t offset;
            const uint8_t *data;
            uint8_t len; /* 1..TD_CONFIG_CHUNK_MAX */
        } config_chunk;
        struct {
            uint16_t offset;
            uint8_t count;
        } config_read;
        struct {
            uint8_t actuator;
            uint32_t duration_ms;
            uint8_t level;
        } lease;
        struct {
            uint8_t actuator;
        } off;
        struct {
            uint8_t index;
            int32_t value;
        } set_param;
        struct {
            uint8_t first;
        } get_params;
        struct {
            uint8_t section;
            uint8_t first;
        } status;
        struct {
            uint8_t flags;
        } telemetry_mode;
        struct {
            uint8_t pin;
            uint8_t first;
        } scan_onewire;
        struct {
            uint8_t first;
        } scan_i2c;
        struct {
            uint8_t address;
            uint8_t nwrite;
            uint8_t w[2];
            uint8_t nread;
        } i2c_read;
    } u;
} td_request_t;

td_msg_status_t msg_decode_request(uint8_t type, const uint8_t *payload, uint8_t len, td_request_t *req);
/* The structural checks alone (MSG_OK, BAD_LENGTH, UNKNOWN_TYPE, UNKNOWN_OP): a caller that reads
 * the fields straight from the payload (the firmware) checks with this and nothing else. */
td_msg_status_t msg_request_check(uint8_t type, const uint8_t *payload, uint8_t len);

/* Device -> host. Every encoder writes the payload into out[0..cap) and its length to *len
 * (0 on failure). */
typedef struct {
    uint8_t protocol_version;
    uint8_t board_class;
    uint8_t fw_major;
    uint8_t fw_minor;
    uint8_t fw_patch;
    uint8_t reset_cause; /* TD_RESET_CAUSE_* bits */
    uint8_t flags;       /* TD_HELLO_FLAG_* bits */
    uint32_t device_id;
    uint32_t boot_count;
    uint32_t capabilities; /* TD_CAPABILITY_* bits */
    uint32_t config_generation;
    uint8_t recipe_hash[TD_RECIPE_HASH_SIZE];
    uint16_t max_payload;
    uint16_t max_image;
    uint32_t sensor_kinds; /* bit 1 << code per sensor kind built in (TD_SENSOR_KINDS_BUILT) */
    const char *name; /* firmware name, ASCII, name_len <= TD_FW_NAME_SIZE; sent NUL-padded */
    uint8_t name_len;
} td_hello_t;

typedef struct {
    uint32_t time_ms;
    uint8_t kind; /* td_event_kind_t */
    uint8_t a;
    uint8_t b;
    uint8_t c;
    int32_t value;
} td_event_t;

typedef struct {
    uint8_t state; /* TD_ACTUATOR_STATE_BIT_* */
    uint8_t level;
    uint8_t owner; /* rule index, 0xFE lease, 0xFF none */
    uint32_t ms_left;
    uint32_t today_on_ms;
} td_act_status_t;

typedef struct {
    uint8_t state; /* td_rule_state_t */
    uint8_t last_skip;
    uint32_t since_fired_ms;
} td_rule_status_t;

td_msg_status_t msg_encode_hello(const td_hello_t *hello, uint8_t *out, uint8_t cap, uint8_t *len);
td_msg_status_t msg_encode_pong(const uint8_t *data, uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len);
td_msg_status_t msg_encode_ack(uint8_t request_type, uint8_t detail, uint32_t value, uint8_t *out, uint8_t cap,
                               uint8_t *len);
td_msg_status_t msg_encode_nack(uint8_t request_type, uint8_t code, uint16_t detail, uint8_t *out, uint8_t cap,
                                uint8_t *len);
td_msg_status_t msg_encode_telemetry(uint32_t time_ms, uint8_t first_channel, uint8_t flags, const int32_t *values,
                                     uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len);
/* One more i32 value at the end of a TELEMETRY or PARAMS payload of *len bytes (encoded with n = 0
 * and grown one value at a time, so values need not sit in an array first); all-or-nothing, like
 * the STATUS appends below. The caller keeps the count within TD_TELEMETRY_MAX_VALUES or
 * TD_PARAMS_MAX_VALUES. */
td_msg_status_t msg_append_i32(int32_t value, uint8_t *out, uint8_t cap, uint8_t *len);
td_msg_status_t msg_encode_event(const td_event_t *event, uint8_t *out, uint8_t cap, uint8_t *len);
/* LOG: the text may already sit at its place in out (out + TD_LOG_SIZE): bytes are copied forward. */
td_msg_status_t msg_encode_log(uint8_t level, const char *text, uint8_t n, uint8_t *out, uint8_t cap,
                               uint8_t *len);
/* CONFIG_DATA: the data may already sit at its place in out (out + TD_CONFIG_DATA_SIZE). */
td_msg_status_t msg_encode_config_data(uint16_t offset, uint16_t total_length, const uint8_t *data, uint8_t n,
                                       uint8_t *out, uint8_t cap, uint8_t *len);
td_msg_status_t msg_encode_params(uint8_t first, uint8_t total, const int32_t *values, uint8_t n, uint8_t *out,
                                  uint8_t cap, uint8_t *len);

/* STATUS: the head, then entries appended one by one until MSG_NO_ROOM ("as many as fit").
 * An append that does not fit leaves *len and the payload as they were. */
td_msg_status_t msg_encode_status(uint32_t time_ms, uint8_t flags, uint8_t section, uint8_t first, uint8_t total,
                                  uint8_t *out, uint8_t cap, uint8_t *len);
/* ROM_CODES with n codes (8 bytes each) from `codes`, which may already sit at their place in out
 * (out + TD_ROM_CODES_SIZE: a search writes them there). */
td_msg_status_t msg_encode_rom_codes(uint8_t pin, uint8_t result, uint8_t first, uint8_t total, const uint8_t *codes,
                                     uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len);
/* I2C_SCAN (second = the count) or I2C_DATA (second = the address): both a status, a byte, then n
 * bytes (addresses or data) already at their place in out (out + TD_I2C_SCAN_SIZE). */
td_msg_status_t msg_encode_i2c(uint8_t status, uint8_t second, uint8_t n, uint8_t *out, uint8_t cap, uint8_t *len);
td_msg_status_t msg_status_add_actuator(const td_act_status_t *entry, uint8_t *out, uint8_t cap, uint8_t *len);
td_msg_status_t msg_status_add_rule(const td_rule_status_t *entry, uint8_t *out, uint8_t cap, uint8_t *len);

#endif /* TD_MSG_H */
