/* DHT22 (AM2302) and DHT11 on one pin (docs/sensors.md, "DHT22 and DHT11"). Two polls a reading, so
 * the loop never waits for the start signal: the first drives the line low and asks to come back
 * when the signal is long enough (3 ms for a DHT22, which needs >= 1 ms; 20 ms for a DHT11, which
 * needs >= 18 ms); the second releases the line and reads the answer and 40 bits in the HAL, with
 * interrupts off for those ~5 ms only. Faults: no answer, checksum (CRC), out of range. */
#include "drivers_dht.h"

#include "dur16.h"
#include "hal.h"
#include "le.h"
#include "sensor.h"
#include "tendril_records.h"

#ifndef TD_NO_DHT
#define DHT22_START_MS 3u /* the line low >= 1 ms (AM2302 datasheet): a 2 ms wait can be 0.98 ms when the
                            * ms tick steps by 2 (1.024 ms a tick on AVR), as simavr showed */
#define DHT11_START_MS 20u /* >= 18 ms (DHT11 datasheet), with the same margin */

void dht_setup(const uint8_t *rec)
{
    hal_pin_mode(rec[TD_SENSOR_PIN], HAL_INPUT_PULLUP); /* idles high (the module's own pull-up too) */
}

uint8_t dht_decode(uint8_t kind, const uint8_t sent[5], int32_t *val)
{
    int16_t t, h; /* tenths: at most 32,767 (DHT22) or 2,805 (DHT11), so 16 bits; cheaper on AVR */
    if ((uint8_t)(sent[0] + sent[1] + sent[2] + sent[3]) != sent[4]) return TD_SENSOR_FAULT_CRC;
    if ((sent[0] | sent[1] | sent[2] | sent[3]) == 0) return TD_SENSOR_FAULT_CRC; /* all zero passes */
    if (kind == TD_SENSOR_KIND_DHT22) { /* tenths, big-endian; temperature's top bit is its sign */
        uint16_t hu = (uint16_t)((uint16_t)sent[0] << 8 | sent[1]);
        if (hu > 1000) return TD_SENSOR_FAULT_OUT_OF_RANGE;
        h = (int16_t)hu;
        t = (int16_t)((uint16_t)(sent[2] & 0x7Fu) << 8 | sent[3]);
        if (sent[2] & 0x80u) t = -t;
        if (t < -400 || t > 800) return TD_SENSOR_FAULT_OUT_OF_RANGE; /* 0..100 %, -40..80 °C */
    } else { /* DHT11: whole units and tenths; a sign in the temperature's tenths byte on newer parts */
        h = (int16_t)(sent[0] * 10 + sent[1]);
        t = (int16_t)(sent[2] * 10 + (sent[3] & 0x7Fu));
        if (sent[3] & 0x80u) t = -t;
        if (sent[1] > 9 || (sent[3] & 0x7Fu) > 9 || h > 1000 || t < 0 || t > 500) {
            return TD_SENSOR_FAULT_OUT_OF_RANGE; /* 0..100 %, 0..50 °C (datasheet) */
        }
    }
    val[0] = (int32_t)t * 100;
    val[1] = (int32_t)h * 100;
    return TD_READING_OK;
}

uint8_t dht_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait)
{
    uint8_t pin = rec[TD_SENSOR_PIN], kind = rec[TD_SENSOR_KIND], sent[5];
    uint16_t start = kind == TD_SENSOR_KIND_DHT11 ? DHT11_START_MS : DHT22_START_MS;
    uint8_t held;
    (void)now; /* the pass's time: it may be a few ms old by now, too coarse for the start signal */
    if (*phase == 0) {
        hal_dht_start(pin);
        *phase = (uint8_t)(0x80u | hal_millis()); /* when the line went low, in 7 bits */
        *wait = start;
        return TD_READING_NONE;
    }
    held = (uint8_t)((uint8_t)hal_millis() - *phase) & 0x7Fu;
    if (held < start) { /* polled early (the seam's `now` was old): keep the line low a while more */
        *wait = (uint16_t)(start - held);
        return TD_READING_NONE;
    }
    *phase = 0;
    /* the next start one period after this one (validated: 2 s .. 60 s) */
    *wait = (uint16_t)((uint16_t)dur16_ms(le_u16(rec + TD_SENSOR_PERIOD)) - start);
    if (!hal_dht_read(pin, sent)) return TD_SENSOR_FAULT_NO_ANSWER;
    return dht_decode(kind, sent, val);
}
#endif
