/* Config image, format 2 (docs/config-image.md): validation and record access.
 *
 * On an Uno the image lives in EEPROM and there is no RAM to copy it into, so everything here
 * reads through a td_src_t, one byte at a time, and decodes one record on demand into a small
 * struct. image_validate() needs O(1) RAM besides a bitmap of used pins. */
#ifndef TD_IMAGE_H
#define TD_IMAGE_H

#include "board.h"
#include "td.h"

/* Where the image bytes are. read() is only called with offset < len. */
typedef struct {
    uint8_t (*read)(const void *ctx, uint16_t offset);
    const void *ctx;
    uint16_t len; /* the bytes given: what the header's length field must equal */
} td_src_t;

/* A source over an image in RAM (host tests, or a device that stages in RAM). */
void image_src_ram(td_src_t *src, const uint8_t *buf, uint16_t len);

/* IMAGE_OK, or the first check the image fails, in exactly the order of the docs (the order of
 * host/tendril/image/validate.py); *index names the record (or count) it is about, else 0. */
#define IMAGE_OK ((td_image_error_t)0)
td_image_error_t image_validate(const td_src_t *src, const td_board_t *board, uint8_t *index);

typedef struct {
    uint32_t crc32;
    uint32_t generation;
    uint32_t telemetry_ms; /* 0: no TELEMETRY */
    uint16_t length;
    uint8_t format;
    uint8_t board_class;
    uint8_t n_channels;
    uint8_t n_actuators;
    uint8_t n_rules;
    uint8_t n_params;
    uint8_t n_sensors; /* the whole SENSOR records after the rules */
    uint8_t recipe_hash[TD_RECIPE_HASH_SIZE];
    char name[TD_IMAGE_NAME_SIZE + 1]; /* NUL-terminated */
} td_img_header_t;

typedef struct {
    int32_t default_value;
    int32_t min;
    int32_t max;
} td_param_t;

typedef struct {
    int32_t gain;   /* Q16.16 */
    int32_t offset; /* thousandths of the unit */
    uint32_t period_ms;
    uint8_t pin;
    uint8_t kind; /* td_channel_kind_t */
    uint8_t smoothing;
    uint8_t unit;     /* td_unit_t, display only */
    uint8_t quantity; /* a sensor's channel (kind TD_CHANNEL_FROM_SENSOR): which of its quantities */
} td_channel_t;

typedef struct {
    uint32_t max_on_ms;
    uint32_t min_off_ms;
    uint32_t daily_cap_ms;
    uint8_t pin;
    uint8_t flags; /* TD_ACTUATOR_FLAG_* */
    uint8_t servo_min, servo_max, servo_safe; /* a servo's limits and safe position, degrees */
} td_actuator_t;

/* A sensor: a device on one or two pins that channels take quantities from (contract/kinds.py
 * SENSOR_KINDS; docs/config-image.md "Sensor"). */
typedef struct {
    uint32_t period_ms;
    uint8_t kind; /* a SENSOR_KINDS code */
    uint8_t pin;
    uint8_t pin2; /* TD_NO_INDEX when the kind has one pin */
    uint8_t options[3];
    uint8_t rom[8]; /* a 1-Wire ROM code, or all zero: the only one on the bus */
} td_sensor_t;

/* A rule field whose bit is set in `operands` holds a parameter index instead of a literal;
 * hold, duration and period are then that index, otherwise milliseconds. */
typedef struct {
    int32_t threshold;
    int32_t hysteresis;
    int32_t il_threshold;
    uint32_t hold;
    uint32_t duration;
    uint32_t period;
    uint8_t kind;   /* td_rule_kind_t */
    uint8_t actuator;
    uint8_t action; /* td_rule_action_t */
    uint8_t level;
    uint8_t channel;   /* TD_NO_INDEX for interval rules */
    uint8_t flags;     /* TD_RULE_FLAG_* */
    uint8_t interlock; /* channel index or TD_NO_INDEX */
    uint8_t operands;  /* TD_OPERAND_* */
} td_rule_t;

/* Record accessors: false when the source is too short or the index is beyond the header's
 * count. They decode; they do not judge: use them on an image that image_validate() passed. */
bool image_header(const td_src_t *src, td_img_header_t *header);
bool image_param(const td_src_t *src, uint8_t index, td_param_t *param);
bool image_channel(const td_src_t *src, uint8_t index, td_channel_t *channel);
bool image_actuator(const td_src_t *src, uint8_t index, td_actuator_t *actuator);
bool image_rule(const td_src_t *src, uint8_t index, td_rule_t *rule);
bool image_sensor(const td_src_t *src, uint8_t index, td_sensor_t *sensor);

#endif /* TD_IMAGE_H */
