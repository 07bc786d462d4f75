/* The drivers of the firmware on the HAL, indexed by td_driver_id_t and td_sensor_kind_t (sensor.h
 * tells the interface). Analog and digital pins read at once, when their channel is sampled, as
 * they always have; a DS18B20 starts its conversion, and is collected when it is done. */
#include "crc.h"
#include "drivers_dht.h"
#include "dur16.h"
#include "hal.h"
#include "le.h"
#include "onewire.h"
#include "sensor.h"
#include "tendril_records.h"

TD_STATIC_ASSERT((int)HAL_INPUT == (int)TD_PIN_MODE_INPUT && (int)HAL_INPUT_PULLUP == (int)TD_PIN_MODE_INPUT_PULLUP,
                 pin_modes);

static void pin_setup(uint8_t ch, uint8_t pin, uint8_t mode)
{
    (void)ch;
    hal_pin_mode(pin, mode);
}

static uint8_t analog_poll(uint8_t ch, uint8_t pin, uint32_t now, int32_t *raw, uint16_t *wait)
{
    (void)ch, (void)now, (void)wait;
    *raw = hal_analog_read(pin);
    return TD_READING_OK;
}

static uint8_t digital_poll(uint8_t ch, uint8_t pin, uint32_t now, int32_t *raw, uint16_t *wait)
{
    (void)ch, (void)now, (void)wait;
    *raw = hal_digital_read(pin);
    return TD_READING_OK;
}

const td_driver_t td_drivers[TD_DRIVER_COUNT] TD_ROM = {
    [TD_DRIVER_ID_ANALOG] = {pin_setup, analog_poll},
    [TD_DRIVER_ID_DIGITAL] = {pin_setup, digital_poll},
};

#ifndef TD_NO_DS18B20
/* --- DS18B20 on 1-Wire (docs/sensors.md) --------------------------------------------------------
 * Two polls a reading, so the loop never waits for a conversion: the first selects the probe (MATCH
 * ROM with its code, or SKIP ROM for the only one on the bus), writes its resolution and starts
 * CONVERT T, and asks to come back when the conversion is done; the second reads the scratchpad and
 * checks it. Each poll keeps the bus a few ms (a reset is about 1 ms, a byte 0.6 ms). */
#define DS_CONVERT 0x44
#define DS_READ 0xBE
#define DS_WRITE 0x4E
#define DS_MATCH 0x55
#define DS_SKIP 0xCC
/* The conversion's worst case (datasheet: 93.75, 187.5, 375, 750 ms at 9..12 bits) plus an eighth:
 * the loop and the bus traffic come on top of the time the probe counts from. */
static const uint16_t ds_wait_ms[4] TD_ROM = {106, 211, 422, 844};

/* A reset, then the probe of `rec` selected; false when nothing answered. */
static bool ds_select(const uint8_t *rec)
{
    uint8_t pin = rec[TD_SENSOR_PIN], k;
    const uint8_t *rom = rec + TD_SENSOR_ROM;
    if (!hal_ow_reset(pin)) return false;
    if (rom[0] == 0) { /* validated: a ROM code is all zero or starts with the family byte */
        onewire_write(pin, DS_SKIP);
    } else {
        onewire_write(pin, DS_MATCH);
        for (k = 0; k < 8; k++) onewire_write(pin, rom[k]);
    }
    return true;
}

static void ds_setup(const uint8_t *rec)
{
    hal_pin_mode(rec[TD_SENSOR_PIN], HAL_INPUT); /* released: the bus's pull-up holds it high */
}

static uint8_t ds_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait)
{
    uint8_t pin = rec[TD_SENSOR_PIN];
    uint8_t res = (uint8_t)(rec[TD_SENSOR_OPTIONS] - 9u); /* validated: 9..12 bits */
    uint16_t conv = TD_ROM_U16(&ds_wait_ms[res]);
    uint8_t sp[9], k, any = 0;
    int16_t raw;
    (void)now;
    if (*phase == 0) {
        if (!ds_select(rec)) return TD_SENSOR_FAULT_NO_ANSWER;
        /* the resolution every time: a probe that lost power is back at its EEPROM's */
        onewire_write(pin, DS_WRITE);
        onewire_write(pin, 0x4B); /* TH, TL: the alarm thresholds, unused */
        onewire_write(pin, 0x46);
        onewire_write(pin, (uint8_t)((res << 5) | 0x1Fu));
        if (!ds_select(rec)) return TD_SENSOR_FAULT_NO_ANSWER;
        onewire_write(pin, DS_CONVERT);
        *phase = 1;
        *wait = conv;
        return TD_READING_NONE;
    }
    *phase = 0;
    {
        uint16_t period = (uint16_t)dur16_ms(le_u16(rec + TD_SENSOR_PERIOD)); /* validated: <= 60 s */
        *wait = (uint16_t)(period - conv); /* the next conversion one period after this one began */
    }
    if (!ds_select(rec)) return TD_SENSOR_FAULT_NO_ANSWER;
    onewire_write(pin, DS_READ);
    for (k = 0; k < 9; k++) {
        sp[k] = onewire_read(pin);
        any |= sp[k];
    }
    /* all zero passes the CRC: a bus that reads 0 (a weak pull-up, a long cable), not a reading */
    if (!any || crc8_maxim(sp, 9) != 0) return TD_SENSOR_FAULT_CRC;
    raw = (int16_t)((uint16_t)sp[0] | (uint16_t)sp[1] << 8);
    raw = (int16_t)(raw & ~((1 << (3 - res)) - 1)); /* the bits a lower resolution leaves undefined */
    if (raw == TD_DS18B20_POWER_ON_RAW) return TD_SENSOR_FAULT_POWER_ON_VALUE; /* no conversion done */
    if (raw < -55 * 16 || raw > 125 * 16) return TD_SENSOR_FAULT_OUT_OF_RANGE;
    val[0] = ((int32_t)raw * 125) >> 1; /* 1/16 °C -> thousandths (floor) */
    return TD_READING_OK;
}
#endif

#ifndef TD_NO_HCSR04
void hcsr04_setup(const uint8_t *rec);                                                       /* drivers_hcsr04.c */
uint8_t hcsr04_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait);
#endif

#ifndef TD_NO_PULSE
void pulse_setup(const uint8_t *rec);                                                        /* drivers_pulse.c */
uint8_t pulse_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait);
#endif

const td_sensor_driver_t td_sensor_drivers[TD_SENSOR_KIND_COUNT] TD_ROM = {
#ifndef TD_NO_DS18B20
    [TD_SENSOR_KIND_DS18B20] = {ds_setup, ds_poll},
#else
    [TD_SENSOR_KIND_DS18B20] = {0, 0},
#endif
#ifndef TD_NO_DHT
    [TD_SENSOR_KIND_DHT22] = {dht_setup, dht_poll}, /* drivers_dht.c */
    [TD_SENSOR_KIND_DHT11] = {dht_setup, dht_poll},
#else
    [TD_SENSOR_KIND_DHT22] = {0, 0},
    [TD_SENSOR_KIND_DHT11] = {0, 0},
#endif
#ifndef TD_NO_HCSR04
    [TD_SENSOR_KIND_HCSR04] = {hcsr04_setup, hcsr04_poll}, /* drivers_hcsr04.c */
#else
    [TD_SENSOR_KIND_HCSR04] = {0, 0},
#endif
#ifndef TD_NO_PULSE
    [TD_SENSOR_KIND_PULSE] = {pulse_setup, pulse_poll},
#endif
    /* the I2C kinds: not built in yet (NULL: never read, and HELLO leaves their bits out) */
    [TD_SENSOR_KIND_BME280] = {0, 0},
    [TD_SENSOR_KIND_BMP280] = {0, 0},
    [TD_SENSOR_KIND_SHT3X] = {0, 0},
    [TD_SENSOR_KIND_SHT4X] = {0, 0},
    [TD_SENSOR_KIND_AHT20] = {0, 0},
    [TD_SENSOR_KIND_AHT10] = {0, 0},
    [TD_SENSOR_KIND_BH1750] = {0, 0},
};
