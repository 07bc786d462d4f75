/* The I2C sensor kinds (docs/sensors.md, "I2C sensors"): BME280/BMP280, SHT3x, SHT4x, AHT20/AHT10
 * and BH1750 on the board's bus (hal.h's hal_i2c_*), their arithmetic in i2c_chips.c.
 *
 * Two polls a reading, so the loop never waits for a conversion: the first starts a measurement
 * and asks to come back when the datasheet says it is done; the second reads it, checks it and
 * hands over the values in thousandths. Faults: the address not acknowledged (or a part that is
 * still busy past its time) NO_ANSWER, another chip's ID WRONG_CHIP, a CRC-8 that does not match
 * CRC, a bus that timed out or is held low BUS (and the bus is begun again at once: hal_i2c_begin
 * clocks a stuck part free). Every fault leaves the next read period to try again. No RAM per
 * sensor: a BME280's calibration is read again with every measurement (and its ID checked), so
 * a re-plugged part just works. */
#include "crc.h"
#include "dur16.h"
#include "hal.h"
#include "i2c_chips.h"
#include "le.h"
#include "sensor.h"
#include "tendril_records.h"

#ifndef TD_NO_I2C
/* Conversion times (datasheets' maxima) plus a margin for the ms tick and the loop (>= 3 ms where
 * the part cannot say it is busy: the AVR's millis steps 1.024 ms and the start is kept in 2 ms
 * steps, so a 1 ms margin read an SHT4x 1 ms early on the Uno in simavr): */
#define BME_MS 12u    /* forced mode, x1 oversampling each: 9.3 ms (BMP280 6.4 ms) */
#define SHT3X_MS 19u  /* single shot, high repeatability: 15.5 ms */
#define SHT4X_MS 12u  /* high precision: 8.3 ms */
#define AHT_MS 85u    /* "wait 80 ms" after the trigger (AHT10: more than 75 ms) */
#define BH1750_MS 190u /* one-time H-resolution: 180 ms at most */
#define BUSY_MS 10u   /* an AHT or BME still busy: look again this much later */

#define BME280_ID 0x60
#define BMP280_ID 0x58

/* A HAL status as the sensor's fault (0: none). A bus fault begins the bus again now: a part
 * stuck mid-byte is clocked free, and the next period has a bus to try. */
static uint8_t i2c_fault(uint8_t st)
{
    if (st == HAL_I2C_OK) return 0;
    if (st == HAL_I2C_NACK_ADDR || st == HAL_I2C_NACK_DATA) return TD_SENSOR_FAULT_NO_ANSWER;
    hal_i2c_begin(td_i2c_fast);
    return TD_SENSOR_FAULT_BUS;
}

/* `n` bytes from register `reg` on: the register written without a STOP, then read. */
static uint8_t i2c_regs(uint8_t addr, uint8_t reg, uint8_t *buf, uint8_t n)
{
    uint8_t st = hal_i2c_write(addr, &reg, 1, 0);
    return st != HAL_I2C_OK ? st : hal_i2c_read(addr, buf, n);
}

/* A big-endian word (the SHT parts and the BH1750 send the high byte first). */
static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)((uint16_t)p[0] << 8 | p[1]);
}

/* A word of an SHT or AHT part followed by its CRC-8 (poly 0x31): true when they agree. */
static bool crc_ok(const uint8_t *p, uint8_t n)
{
    return crc8_sensirion(p, n) == p[n];
}

void i2c_setup(const uint8_t *rec)
{
    td_i2c_fast = rec[TD_SENSOR_OPTIONS + 1]; /* the image check made it the same on every I2C sensor */
    hal_i2c_begin(td_i2c_fast);               /* a second I2C sensor's setup begins it again: harmless */
}

/* BME280 / BMP280: start a forced measurement (after the ID check), collect it. Kept out of line:
 * inlined, its 90 B of buffers and calibration pushed i2c_poll's other locals past the AVR's
 * 63-byte reach from the frame pointer (each access then moved the pointer there and back). */
static TD_NOINLINE uint8_t bme_poll(const uint8_t *rec, uint8_t addr, uint8_t phase, int32_t *val, uint16_t *wait)
{
    bool bme = rec[TD_SENSOR_KIND] == TD_SENSOR_KIND_BME280;
    uint8_t buf[I2C_BME280_CALIB_TP_SIZE], h[I2C_BME280_CALIB_H_SIZE], st;
    i2c_bme280_calib_t cal;
    int32_t adc_p, adc_t, adc_h, t_fine, t;
    if ((st = i2c_regs(addr, 0xD0, buf, 1)) != HAL_I2C_OK) return i2c_fault(st);
    if (buf[0] != (bme ? BME280_ID : BMP280_ID)) return TD_SENSOR_FAULT_WRONG_CHIP;
    if (phase == 0) {
        static const uint8_t start[4] = {0xF2, 0x01, 0xF4, 0x25}; /* ctrl_hum x1; ctrl_meas x1, x1, forced */
        return i2c_fault(hal_i2c_write(addr, bme ? start : start + 2, (uint8_t)(bme ? 4 : 2), 1));
    }
    if ((st = i2c_regs(addr, 0xF3, h, 1)) != HAL_I2C_OK) return i2c_fault(st);
    if (h[0] & 0x08) { /* still measuring */
        *wait = BUSY_MS;
        return TD_READING_NONE;
    }
    if ((st = i2c_regs(addr, 0x88, buf, I2C_BME280_CALIB_TP_SIZE)) != HAL_I2C_OK) return i2c_fault(st);
    if (bme && (st = i2c_regs(addr, 0xE1, h, I2C_BME280_CALIB_H_SIZE)) != HAL_I2C_OK) return i2c_fault(st);
    i2c_bme280_calib(&cal, buf, bme ? h : 0);
    if ((st = i2c_regs(addr, 0xF7, buf, I2C_BME280_DATA_SIZE)) != HAL_I2C_OK) return i2c_fault(st);
    i2c_bme280_raw(buf, &adc_p, &adc_t, &adc_h);
    if (adc_t == 0x80000L) return TD_SENSOR_FAULT_OUT_OF_RANGE; /* skipped: no measurement done */
    t = i2c_bme280_temp(&cal, adc_t, &t_fine);
    if (t < -4000 || t > 8500) return TD_SENSOR_FAULT_OUT_OF_RANGE; /* the routines' range (i2c_chips.h) */
    val[0] = t * 10;
    val[bme ? 2 : 1] = i2c_bme280_millihpa(&cal, adc_p, t_fine);
    if (bme) val[1] = (int32_t)((i2c_bme280_humidity(&cal, adc_h, t_fine) * 125u + 64u) >> 7); /* /1024 %RH */
    return TD_READING_OK;
}

/* SHT3x and SHT4x: a single-shot command, then two words with their CRCs (buf: i2c_poll's read). */
static uint8_t sht_poll(const uint8_t *rec, uint8_t addr, uint8_t phase, const uint8_t *buf, int32_t *val)
{
    bool sht4 = rec[TD_SENSOR_KIND] == TD_SENSOR_KIND_SHT4X;
    if (phase == 0) {
        static const uint8_t cmd[2] = {0x24, 0x00}; /* SHT3x: high repeatability, no clock stretching */
        static const uint8_t cmd4 = 0xFD;           /* SHT4x: high precision */
        return i2c_fault(sht4 ? hal_i2c_write(addr, &cmd4, 1, 1) : hal_i2c_write(addr, cmd, 2, 1));
    }
    if (!crc_ok(buf, 2) || !crc_ok(buf + 3, 2)) return TD_SENSOR_FAULT_CRC;
    val[0] = i2c_sht_temp(be16(buf)) * 10;
    val[1] = (sht4 ? i2c_sht4x_rh(be16(buf + 3)) : i2c_sht3x_rh(be16(buf + 3))) * 10;
    return TD_READING_OK;
}

/* AHT20 / AHT10: calibrated (or told to calibrate), trigger, then status and two 20-bit readings
 * (buf: i2c_poll's read; the start reads the status into it). */
static uint8_t aht_poll(const uint8_t *rec, uint8_t addr, uint8_t phase, uint8_t *buf, int32_t *val, uint16_t *wait)
{
    bool aht20 = rec[TD_SENSOR_KIND] == TD_SENSOR_KIND_AHT20;
    uint8_t st;
    uint32_t rh, t;
    if (phase == 0) {
        static const uint8_t trigger[3] = {0xAC, 0x33, 0x00};
        uint8_t init[3] = {(uint8_t)(aht20 ? 0xBE : 0xE1), 0x08, 0x00};
        if ((st = hal_i2c_read(addr, buf, 1)) != HAL_I2C_OK) return i2c_fault(st);
        if (!(buf[0] & 0x08) && (st = hal_i2c_write(addr, init, 3, 1)) != HAL_I2C_OK) return i2c_fault(st);
        return i2c_fault(hal_i2c_write(addr, trigger, 3, 1));
    }
    if (buf[0] & 0x80) { /* busy */
        *wait = BUSY_MS;
        return TD_READING_NONE;
    }
    if (aht20 && !crc_ok(buf, 6)) return TD_SENSOR_FAULT_CRC;
    i2c_aht20_raw(buf + 1, &rh, &t);
    val[0] = i2c_aht20_temp(t) * 10;
    val[1] = i2c_aht20_rh(rh) * 10;
    return TD_READING_OK;
}

/* BH1750: power on and a one-time high-resolution measurement (it powers down after), then the
 * count (buf: i2c_poll's read). */
static uint8_t bh_poll(uint8_t addr, uint8_t phase, const uint8_t *buf, int32_t *val)
{
    uint8_t st;
    if (phase == 0) {
        static const uint8_t on = 0x01, once = 0x20;
        if ((st = hal_i2c_write(addr, &on, 1, 1)) != HAL_I2C_OK) return i2c_fault(st);
        return i2c_fault(hal_i2c_write(addr, &once, 1, 1));
    }
    val[0] = i2c_bh1750_millilux(be16(buf));
    return TD_READING_OK;
}

/* The conversion time a started measurement waits, by kind (BME280 .. BH1750). */
static const uint8_t conv_ms[] TD_ROM = {BME_MS, BME_MS, SHT3X_MS, SHT4X_MS, AHT_MS, AHT_MS, BH1750_MS};
TD_STATIC_ASSERT(TD_SENSOR_KIND_BH1750 - TD_SENSOR_KIND_BME280 + 1 == sizeof conv_ms, conv_ms_by_kind);

/* What the SHT, AHT and BH1750 collect with, one read before the checks (SHT3x .. BH1750): two
 * words and their CRCs; the status, the readings and (AHT20) a CRC; the count. */
static const uint8_t read_len[] TD_ROM = {6, 6, 7, 6, 2};
TD_STATIC_ASSERT(TD_SENSOR_KIND_BH1750 - TD_SENSOR_KIND_SHT3X + 1 == sizeof read_len, read_len_by_kind);

uint8_t i2c_poll(const uint8_t *rec, uint8_t *phase, uint32_t now, int32_t *val, uint16_t *wait)
{
    uint8_t kind = rec[TD_SENSOR_KIND], addr = rec[TD_SENSOR_OPTIONS], got, was = *phase, buf[7], st;
    uint16_t period, conv = TD_ROM_U8(&conv_ms[kind - TD_SENSOR_KIND_BME280]), held;
    (void)now; /* the pass's time: it may be ms old by now, too coarse for a conversion's wait */
    if (was) { /* started at (phase & 0x7F) * 2 ms: polled early, the part is still converting */
        held = (uint16_t)((((uint8_t)(hal_millis() >> 1) - was) & 0x7Fu) * 2u);
        if (held < conv) {
            *wait = (uint16_t)(conv - held);
            return TD_READING_NONE;
        }
    }
    if (kind <= TD_SENSOR_KIND_BMP280) got = bme_poll(rec, addr, was, val, wait);
    else if (was && (st = hal_i2c_read(addr, buf, TD_ROM_U8(&read_len[kind - TD_SENSOR_KIND_SHT3X]))) != HAL_I2C_OK)
        got = i2c_fault(st); /* the collect's read, for all three */
    else if (kind <= TD_SENSOR_KIND_SHT4X) got = sht_poll(rec, addr, was, buf, val);
    else if (kind <= TD_SENSOR_KIND_AHT10) got = aht_poll(rec, addr, was, buf, val, wait);
    else got = bh_poll(addr, was, buf, val);
    if (got == TD_READING_NONE) { /* started (collect it when *wait is over), or still busy */
        if (!was) {
            *phase = (uint8_t)(0x80u | (uint8_t)(hal_millis() >> 1)); /* when, in 2 ms steps */
            *wait = conv; /* started: come back after the conversion time */
        }
        return got;
    }
    *phase = 0;
    *wait = 0; /* a fault at the start: the next try one period from now */
    if (was) { /* the reading or its fault: the next start one period after this one's */
        period = (uint16_t)dur16_ms(le_u16(rec + TD_SENSOR_PERIOD)); /* validated: <= 60 s */
        if (period > conv) *wait = (uint16_t)(period - conv);
    }
    return got;
}
#endif
