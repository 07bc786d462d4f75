/* Runs the BME280 routines of firmware/core/i2c_chips.c over readings from stdin, for a build with
 * -fsanitize=undefined (tests/core/test_i2c_chips_c.py): any signed overflow or bad shift aborts.
 * Input: a calibration line "TP_HEX H_HEX|-" then "adc_T adc_P adc_H" lines (adc_P -1: the
 * temperature only), a line "end" before the next calibration. Prints the readings it ran. */
#include <stdio.h>
#include <string.h>

#include "i2c_chips.h"

static int unhex(const char *s, uint8_t *out, size_t n)
{
    size_t i;
    unsigned v;
    for (i = 0; i < n; i++) {
        if (sscanf(s + 2 * i, "%2x", &v) != 1) {
            return 0;
        }
        out[i] = (uint8_t)v;
    }
    return 1;
}

int main(void)
{
    char line[200], tp_hex[80], h_hex[40];
    uint8_t tp[I2C_BME280_CALIB_TP_SIZE], h[I2C_BME280_CALIB_H_SIZE];
    i2c_bme280_calib_t c;
    unsigned long runs = 0;
    long adc_t, adc_p, adc_h;
    int32_t t_fine;
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (sscanf(line, "%79s %39s", tp_hex, h_hex) != 2 || !unhex(tp_hex, tp, sizeof tp)) {
            return 2;
        }
        i2c_bme280_calib(&c, tp, strcmp(h_hex, "-") != 0 && unhex(h_hex, h, sizeof h) ? h : NULL);
        while (fgets(line, sizeof line, stdin) != NULL && strncmp(line, "end", 3) != 0) {
            if (sscanf(line, "%ld %ld %ld", &adc_t, &adc_p, &adc_h) != 3) {
                return 2;
            }
            (void)i2c_bme280_temp(&c, (int32_t)adc_t, &t_fine);
            if (adc_p >= 0) {
                (void)i2c_bme280_millihpa(&c, (int32_t)adc_p, t_fine);
                (void)i2c_bme280_humidity(&c, (int32_t)adc_h, t_fine);
            }
            runs++;
        }
    }
    printf("%lu\n", runs);
    return 0;
}
