/* The arithmetic of the I2C chips (issue 15): raw register bytes in, values out, no I/O and no
 * floats. BME280/BMP280: the datasheets' 32-bit integer compensation (BME280 4.2.3 and its
 * appendix 8.2, BMP280 3.11.3 and 8.2). SHT3x/SHT4x, AHT20/AHT10 and BH1750: their datasheets'
 * conversion formulas in fixed point, rounded to nearest. The CRC-8 of the SHT and AHT parts is
 * crc8_sensirion() in crc.h. Twins: tendril.contract.i2c_chips (host) and tdfw/i2c_chips.py. */
#ifndef TD_I2C_CHIPS_H
#define TD_I2C_CHIPS_H

#include "td.h"

#define I2C_BME280_CALIB_TP_SIZE 26 /* registers 0x88..0xA1 (0xA1 is dig_H1 on a BME280) */
#define I2C_BME280_CALIB_H_SIZE 7   /* registers 0xE1..0xE7 (BME280 only) */
#define I2C_BME280_DATA_SIZE 8      /* registers 0xF7..0xFE: press[3], temp[3], hum[2] */
#define I2C_BME280_RH_MAX 102400UL  /* 100 %RH in 1/1024 %RH */

/* The trimming parameters, named as the datasheet names them (dig_T1 is t1). */
typedef struct {
    uint16_t t1;
    int16_t t2, t3;
    uint16_t p1;
    int16_t p2, p3, p4, p5, p6, p7, p8, p9;
    int16_t h2, h4, h5; /* h4 and h5 are 12-bit signed, packed in 0xE4..0xE6 */
    uint8_t h1, h3;
    int8_t h6;
} i2c_bme280_calib_t;

/* Reads the trimming parameters: tp is 0x88..0xA1, h is 0xE1..0xE7 or NULL (a BMP280: humidity's
 * parameters stay 0). */
void i2c_bme280_calib(i2c_bme280_calib_t *c, const uint8_t *tp, const uint8_t *h);

/* Splits the burst read of 0xF7..0xFE into the 20-bit adc_P, adc_T and the 16-bit adc_H. */
void i2c_bme280_raw(const uint8_t *data, int32_t *adc_p, int32_t *adc_t, int32_t *adc_h);

/* Temperature in 0.01 degC; *t_fine gets the fine temperature pressure and humidity need. */
int32_t i2c_bme280_temp(const i2c_bme280_calib_t *c, int32_t adc_t, int32_t *t_fine);

/* Pressure and humidity need the t_fine of a temperature in the part's range (-40..85 degC):
 * the routines' 32-bit products are sized for it and can overflow far outside it, so a driver
 * checks the temperature first (tests/core/test_i2c_chips_c.py runs them under UBSan). */

/* Pressure in milli-hPa (0.1 Pa), 0 when dig_P1 is 0: the datasheet's 32-bit routine with 8 more
 * bits kept in its divisor, its division done in three 32-bit steps and its second-order terms in
 * 1/256 Pa. Within 0.21 Pa of the datasheet's double routine at the same t_fine (the 32-bit one
 * returns whole Pa and is up to 4.4 Pa off). Inline it cost an Uno 302 B more than that one and
 * 1,070 B less than the 64-bit one; as a program for i2c_chips.c's accumulator machine, temperature
 * and pressure together are 974 B (docs/sensors.md, "I2C sensors"; docs/benchmarks.md). */
int32_t i2c_bme280_millihpa(const i2c_bme280_calib_t *c, int32_t adc_p, int32_t t_fine);

/* Relative humidity in 1/1024 %RH, 0..I2C_BME280_RH_MAX. */
uint32_t i2c_bme280_humidity(const i2c_bme280_calib_t *c, int32_t adc_h, int32_t t_fine);

/* SHT3x and SHT4x: T = -45 + 175 raw / 65535 degC in 0.01 degC. */
int32_t i2c_sht_temp(uint16_t raw);
/* SHT3x: RH = 100 raw / 65535 %; SHT4x: RH = -6 + 125 raw / 65535 %, clamped to 0..100 as its
 * datasheet says. Both in 0.01 %RH. */
int32_t i2c_sht3x_rh(uint16_t raw);
int32_t i2c_sht4x_rh(uint16_t raw);

/* AHT20/AHT10: the 20-bit readings of a measurement's bytes 1..5 (byte 0 is the status). */
void i2c_aht20_raw(const uint8_t *data, uint32_t *rh_raw, uint32_t *t_raw);
/* RH = raw / 2^20 * 100 % and T = raw / 2^20 * 200 - 50 degC, in 0.01 %RH and 0.01 degC. */
int32_t i2c_aht20_rh(uint32_t raw);
int32_t i2c_aht20_temp(uint32_t raw);

/* BH1750 in a high-resolution mode at the default MTreg (69): lux = raw / 1.2, in thousandths of
 * a lux (the engine's readings are thousandths), 0..54,612,500. */
int32_t i2c_bh1750_millilux(uint16_t raw);

#endif /* TD_I2C_CHIPS_H */
