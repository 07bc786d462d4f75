/* Measures what each I2C chip's arithmetic (i2c_chips.c) costs an Uno: `make -C firmware/core
 * chips-size` builds this once per -DCHIP_<NAME> with the firmware's flags and prints the flash
 * over CHIP_BASE, which already multiplies and divides in 32 bits as the firmware does (so the
 * libgcc routines the firmware links anyway are not charged to a chip). CHIP_BME280_TP64 swaps in
 * the datasheet's 64-bit pressure routine (BME280 4.2.3), kept here only to measure why the core
 * uses the 32-bit one. Inputs are volatile so the compiler keeps every path. */
#include "crc.h"
#include "i2c_chips.h"

static volatile uint8_t in[40];
static volatile uint32_t out;

#if defined(CHIP_BME280_TP64)
static uint32_t pressure64(const i2c_bme280_calib_t *c, int32_t adc_p, int32_t t_fine)
{
    int64_t var1 = (int64_t)t_fine - 128000, var2, p;
    var2 = var1 * var1 * (int64_t)c->p6;
    var2 = var2 + ((var1 * (int64_t)c->p5) << 17);
    var2 = var2 + ((int64_t)c->p4 << 35);
    var1 = ((var1 * var1 * (int64_t)c->p3) >> 8) + ((var1 * (int64_t)c->p2) << 12);
    var1 = (((int64_t)1 << 47) + var1) * (int64_t)c->p1 >> 33;
    if (var1 == 0) {
        return 0;
    }
    p = 1048576 - adc_p;
    p = (((p << 31) - var2) * 3125) / var1;
    var1 = ((int64_t)c->p9 * (p >> 13) * (p >> 13)) >> 25;
    var2 = ((int64_t)c->p8 * p) >> 19;
    return (uint32_t)(((p + var1 + var2) >> 8) + ((int64_t)c->p7 << 4)); /* Q24.8 Pa */
}
#endif

int main(void)
{
    uint8_t b[40];
    uint8_t i;
    for (i = 0; i < sizeof b; i++) {
        b[i] = in[i];
    }
    out = ((uint32_t)b[0] << 24 | b[1]) * b[2] / (b[3] | 1u); /* the firmware's 32-bit * and / */
#if defined(CHIP_BME280_T) || defined(CHIP_BME280_TP) || defined(CHIP_BME280_TP64) || defined(CHIP_BME280_TPH)
    {
        static i2c_bme280_calib_t cal;
        int32_t adc_p, adc_t, adc_h, t_fine;
#if defined(CHIP_BME280_TPH)
        i2c_bme280_calib(&cal, b, b + 26);
#else
        i2c_bme280_calib(&cal, b, NULL);
#endif
        i2c_bme280_raw(b + 32, &adc_p, &adc_t, &adc_h);
        out += (uint32_t)i2c_bme280_temp(&cal, adc_t, &t_fine);
#if defined(CHIP_BME280_TP64)
        out += pressure64(&cal, adc_p, t_fine);
#elif defined(CHIP_BME280_TP) || defined(CHIP_BME280_TPH)
        out += (uint32_t)i2c_bme280_millihpa(&cal, adc_p, t_fine);
#endif
#if defined(CHIP_BME280_TPH)
        out += i2c_bme280_humidity(&cal, adc_h, t_fine);
#endif
        (void)adc_h;
    }
#elif defined(CHIP_SHT3X) || defined(CHIP_SHT4X)
    out += (uint32_t)i2c_sht_temp((uint16_t)(b[0] << 8 | b[1])) + crc8_sensirion(b, 2);
#if defined(CHIP_SHT3X)
    out += (uint32_t)i2c_sht3x_rh((uint16_t)(b[3] << 8 | b[4]));
#else
    out += (uint32_t)i2c_sht4x_rh((uint16_t)(b[3] << 8 | b[4]));
#endif
#elif defined(CHIP_AHT20)
    {
        uint32_t rh_raw, t_raw;
        i2c_aht20_raw(b + 1, &rh_raw, &t_raw);
        out += (uint32_t)i2c_aht20_rh(rh_raw) + (uint32_t)i2c_aht20_temp(t_raw) + crc8_sensirion(b, 6);
    }
#elif defined(CHIP_BH1750)
    out += (uint32_t)i2c_bh1750_millilux((uint16_t)(b[0] << 8 | b[1]));
#endif
    return 0;
}
