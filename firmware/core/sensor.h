/* sensor.h: the seam between a config's channels and what reads them (docs/adding-a-sensor.md).
 *
 * A channel's kind names, in the generated kind table (tendril_kinds.h), the pin capability it
 * needs, how its pin is set up and which driver reads it. A driver is two functions in a table
 * indexed by td_driver_id_t (a port's td_drivers[], firmware/core/drivers.c on the HAL):
 *
 *   setup(ch, pin, mode)              when a config starts: set the pin up (mode: td_pin_mode_t)
 *   poll(ch, pin, now, &raw, &wait)   start a reading, or collect one; says when to come back
 *
 * sensors_poll() runs a channel's driver when the engine samples that channel this pass, and also
 * when the wait the driver asked for has passed (a DS18B20 starts its conversion, asks for 750 ms,
 * then delivers). poll returns TD_READING_OK with the reading in *raw (any int32: signed, or wider
 * than an ADC count), TD_READING_NONE (nothing new yet), or a td_sensor_fault_t (NO_ANSWER, CRC,
 * OUT_OF_RANGE, POWER_ON_VALUE: the sensor failed, and why). A fault makes the channel one with no
 * valid reading at once; TD_STALE_SAMPLES samples in a row with nothing new make it STALE; from
 * setup until its first good reading a channel is WAITING (docs/firmware.md, "Readings and
 * drivers"; docs/rules.md, "Channels without a reading"). *wait is 0 on entry: a
 * driver that leaves it so runs again at the channel's next sample; any other value is the
 * milliseconds until it wants to run again (a driver whose channel's sample comes before its wait
 * is over is polled then, and answers TD_READING_NONE with the time still left). Analog and digital
 * pins are the first two drivers: they read at once, at the sample. Pure: the drivers are passed
 * in, so tests give their own. */
#ifndef TD_SENSOR_H
#define TD_SENSOR_H

#include "engine.h"
#include "tendril_kinds.h"

typedef struct {
    void (*setup)(uint8_t ch, uint8_t pin, uint8_t mode);
    uint8_t (*poll)(uint8_t ch, uint8_t pin, uint32_t now, int32_t *raw, uint16_t *wait);
} td_driver_t;

/* A sensor kind's driver (SENSOR records, docs/config-image.md "Sensor"), in a table indexed by
 * td_sensor_kind_t (a kind not built in has NULL functions: its sensors are never read, so their
 * channels stay without a reading). `rec` is the sensor's 16-byte record; `phase` a byte the driver
 * keeps between polls (0 at setup). poll runs when the sensor is due: it returns TD_READING_OK with
 * each quantity in val[q], TD_READING_NONE (a conversion under way) or a td_sensor_fault_t, and
 * sets *wait to the ms until it wants to run again (0: one read period from now). A reading or a
 * fault goes at once to every channel that takes a quantity of that sensor; such a channel goes
 * STALE like any other when TD_STALE_SAMPLES of its samples pass with nothing new. */
typedef struct {
    void (*setup)(const uint8_t *rec);
    uint8_t (*poll)(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait);
} td_sensor_driver_t;

/* When each channel's driver asked to run again (bit i of `armed`: channel i is waiting), and
 * when each sensor is due (bit i of `sarmed`: sensor i has a time; clear: due at once). Sensors
 * are limited like channels. */
typedef struct {
    uint32_t wake[TD_LIMIT_CHANNELS];
    uint16_t armed;
    uint8_t missed[TD_LIMIT_CHANNELS]; /* samples in a row with nothing new, up to TD_STALE_SAMPLES */
    uint32_t swake[TD_LIMIT_CHANNELS];
    uint16_t sarmed;
    uint8_t sphase[TD_LIMIT_CHANNELS];
    uint8_t ns;
    uint16_t sens_at; /* the sensors section */
} sensors_t;
TD_STATIC_ASSERT(TD_LIMIT_CHANNELS <= 16, armed_bits);

/* The pin capability a channel of `kind` needs (TD_UNKNOWN_KIND_PIN_CAP for a kind the table lacks). */
uint8_t sensor_pin_cap(uint8_t kind);

/* Channel i's pin and kind, from engine e's image (validated: the record is there). */
uint8_t sensor_chan(const engine_t *e, uint8_t i, uint8_t *kind);

/* Every channel's pin set up by its driver, with its kind's pin mode; no driver waiting; every
 * channel WAITING for its first reading. */
void sensors_setup(sensors_t *s, engine_t *e, const td_driver_t *drivers, const td_sensor_driver_t *sdrivers);

/* One pass, before engine_tick(e, now): every sensor and driver that is due runs, readings and
 * faults go to the engine. */
void sensors_poll(sensors_t *s, engine_t *e, const td_driver_t *drivers, const td_sensor_driver_t *sdrivers,
                  uint32_t now);

size_t sensors_sizeof(void);

/* The firmware's drivers on its HAL, by td_driver_id_t and td_sensor_kind_t (drivers.c; not in
 * HAL-less builds). */
extern const td_driver_t td_drivers[TD_DRIVER_COUNT];
extern const td_sensor_driver_t td_sensor_drivers[TD_SENSOR_KIND_COUNT];

/* HELLO's sensor_kinds: bit 1 << code for each sensor kind (contract/kinds.py SENSOR_KINDS) this
 * firmware has a driver for. The DS18B20's is built unless TD_NO_DS18B20. */
#ifdef TD_NO_DS18B20
#define TD_SENSOR_KINDS_BUILT_DS18B20 0UL
#else
#define TD_SENSOR_KINDS_BUILT_DS18B20 (1UL << TD_SENSOR_KIND_DS18B20)
#endif
#ifdef TD_NO_DHT
#define TD_SENSOR_KINDS_BUILT_DHT 0UL
#else
#define TD_SENSOR_KINDS_BUILT_DHT ((1UL << TD_SENSOR_KIND_DHT22) | (1UL << TD_SENSOR_KIND_DHT11)) /* drivers_dht.c */
#endif
#ifdef TD_NO_HCSR04
#define TD_SENSOR_KINDS_BUILT_HCSR04 0UL
#else
#define TD_SENSOR_KINDS_BUILT_HCSR04 (1UL << TD_SENSOR_KIND_HCSR04) /* drivers_hcsr04.c */
#endif
#ifdef TD_NO_PULSE
#define TD_SENSOR_KINDS_BUILT_PULSE 0UL
#else
#define TD_SENSOR_KINDS_BUILT_PULSE (1UL << TD_SENSOR_KIND_PULSE) /* drivers_pulse.c */
#endif
/* The I2C sensors' bus speed (their option byte 1): 1 = 400 kHz, 0 = 100 kHz; set by their setup,
 * used when a bus fault or a scan begins the bus again (drivers_i2c.c). */
extern uint8_t td_i2c_fast;
#ifdef TD_NO_I2C
#define TD_SENSOR_KINDS_BUILT_I2C 0UL
#else /* BME280 .. BH1750, codes 5..11 (drivers_i2c.c) */
#define TD_SENSOR_KINDS_BUILT_I2C (((1UL << (TD_SENSOR_KIND_BH1750 + 1)) - 1) & ~((1UL << TD_SENSOR_KIND_BME280) - 1))
#endif
#define TD_SENSOR_KINDS_BUILT (TD_SENSOR_KINDS_BUILT_DS18B20 | TD_SENSOR_KINDS_BUILT_DHT | TD_SENSOR_KINDS_BUILT_HCSR04 | \
                               TD_SENSOR_KINDS_BUILT_PULSE | TD_SENSOR_KINDS_BUILT_I2C)
/* A new row in SENSOR_KINDS: say here whether this firmware builds its driver. */
TD_STATIC_ASSERT(TD_SENSOR_KIND_COUNT == 12, sensor_kinds_built_lists_every_kind);

#endif /* TD_SENSOR_H */
