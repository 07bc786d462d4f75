/* The channel-reading seam (sensor.h): the kind table, drivers run when due, readings and faults fed. */
#include "sensor.h"

#include "image_layout.h"

uint8_t sensor_pin_cap(uint8_t kind)
{
    return kind < TD_CHANNEL_KIND_COUNT ? TD_ROM_U8(&td_kinds[kind].pin_cap) : TD_UNKNOWN_KIND_PIN_CAP;
}

/* Read field by field rather than through image_channel(): decoding the whole record costs flash
 * the device needs elsewhere (docs/firmware.md, "Size tricks"). */
uint8_t sensor_chan(const engine_t *e, uint8_t i, uint8_t *kind)
{
    uint16_t off = (uint16_t)(e->chan_at + TD_CHANNEL_SIZE * i);
    *kind = image_rd_u8(e->src, off + TD_CHANNEL_MODE) & TD_CHANNEL_KIND_MASK;
    return image_rd_u8(e->src, off + TD_CHANNEL_PIN);
}

/* The driver of a channel of `kind` (validated: the kind is in the table). */
static const td_driver_t *driver_of(const td_driver_t *drivers, uint8_t kind)
{
    return &drivers[TD_ROM_U8(&td_kinds[kind].driver)];
}

void sensors_setup(sensors_t *s, engine_t *e, const td_driver_t *drivers)
{
    uint8_t i, kind, pin;
    s->armed = 0;
    for (i = 0; i < e->nc; i++) {
        /* no reading until its driver gives one (no EVENT for that: it is not a fault) */
        engine_set_fault(e, i, TD_SENSOR_FAULT_WAITING);
        s->missed[i] = 0;
        pin = sensor_chan(e, i, &kind);
        TD_ROM_FN(void (*)(uint8_t, uint8_t, uint8_t), &driver_of(drivers, kind)->setup)(
            i, pin, TD_ROM_U8(&td_kinds[kind].pin_mode));
    }
}

void sensors_poll(sensors_t *s, engine_t *e, const td_driver_t *drivers, uint32_t now)
{
    uint8_t i, kind, pin;
    uint16_t bit = 1;
    for (i = 0; i < e->nc; i++, bit = (uint16_t)(bit << 1)) {
        int32_t raw;
        uint16_t wait = 0;
        uint8_t got;
        bool due = engine_sample_due(e, i, now);
        if (!due && !((s->armed & bit) && (int32_t)(now - s->wake[i]) >= 0)) {
            continue;
        }
        pin = sensor_chan(e, i, &kind);
        got = TD_ROM_FN(uint8_t (*)(uint8_t, uint8_t, uint32_t, int32_t *, uint16_t *),
                        &driver_of(drivers, kind)->poll)(i, pin, now, &raw, &wait);
        if (got == TD_READING_OK) {
            engine_set_raw(e, i, raw);
            s->missed[i] = 0;
        } else if (got != TD_READING_NONE) {
            engine_set_fault(e, i, got); /* the sensor failed: got is the td_sensor_fault_t */
        } else if (due && s->missed[i] < TD_STALE_SAMPLES && ++s->missed[i] == TD_STALE_SAMPLES) {
            /* nothing new at this sample nor at the ones before: the held reading is stale */
            engine_set_fault(e, i, TD_SENSOR_FAULT_STALE);
        }
        if (wait) {
            s->armed |= bit;
            s->wake[i] = now + wait;
        } else {
            s->armed &= (uint16_t)~bit;
        }
    }
}

size_t sensors_sizeof(void)
{
    return sizeof(sensors_t);
}
