/* sim_i2c.h: an I2C bus in the simulated world and register-level models of the chips on it
 * (issue 15): BME280 / BMP280, SHT3x, SHT4x, AHT20 / AHT10, BH1750. Pure C, no I/O.
 *
 * Scenario lines (README.md, "Scenario files"):
 *   i2c CHIP [addr=0xNN] [temp=POINTS] [hum=POINTS] [press=POINTS] [lux=POINTS]
 *       POINTS: `21.5`, or `[<time>:]<value>` pairs joined by commas (`0:20,1h:25`), linear between.
 *       °C, % RH, hPa, lx. The address defaults to the chip's usual one.
 *   i2c_fault ADDR|bus missing|wrong_id|crc|stretch|held_low|stuck FROM UNTIL
 *       missing: no ACK at ADDR; wrong_id: the chip's ID register (BME280/BMP280) or serial
 *       (SHT4x) reads wrong; crc: every CRC the chip sends is off by one; stretch: the chip holds
 *       SCL low for ever once addressed (the master's wait never ends); held_low (`bus`): SDA low
 *       whatever SCL does; stuck (`bus`): SDA low until the master clocks SCL 4 times (a chip cut
 *       off mid-byte by a master reset).
 *
 * The bus is driven by the port's calls: sim_i2c_start (START or repeated START with an address
 * byte), sim_i2c_write / sim_i2c_read (a byte each), sim_i2c_stop. Times are board ms. */
#ifndef SIM_I2C_H
#define SIM_I2C_H

#include <stddef.h>
#include <stdint.h>

#define SIM_I2C_MAX 8
#define SIM_I2C_POINTS 16
#define SIM_I2C_FAULTS 8
#define SIM_I2C_RX 8
#define SIM_I2C_STUCK_CLOCKS 4

enum { SIM_I2C_BME280, SIM_I2C_BMP280, SIM_I2C_SHT3X, SIM_I2C_SHT4X, SIM_I2C_AHT20, SIM_I2C_AHT10,
       SIM_I2C_BH1750, SIM_I2C_CHIPS };
enum { SIM_I2C_TEMP, SIM_I2C_HUM, SIM_I2C_PRESS, SIM_I2C_LUX, SIM_I2C_QTYS };
enum { SIM_I2C_F_MISSING = 1, SIM_I2C_F_WRONG_ID, SIM_I2C_F_CRC, SIM_I2C_F_STRETCH, SIM_I2C_F_HELD_LOW,
       SIM_I2C_F_STUCK };
/* sim_i2c_start's answers */
enum { SIM_I2C_NACK = 0, SIM_I2C_ACK = 1, SIM_I2C_HANG = 2 };

typedef struct {
    uint8_t n;
    uint32_t t_ms[SIM_I2C_POINTS];
    int32_t v[SIM_I2C_POINTS]; /* thousandths of the unit */
} sim_i2c_series_t;

typedef struct {
    uint8_t chip, addr;
    sim_i2c_series_t q[SIM_I2C_QTYS];
    /* the chip's state */
    uint8_t reg[256];      /* BME280/BMP280 registers; the others keep their answer in out[] */
    uint8_t ptr;           /* BME280 register pointer */
    uint8_t out[8], n_out; /* what the next read sends (SHT, AHT, BH1750) */
    uint8_t next[8], n_next; /* the measurement under way: out[] once busy_until_ms has come */
    uint8_t pending, powered, calibrated, mode;
    uint32_t busy_until_ms;
} sim_i2c_dev_t;

typedef struct {
    uint8_t addr; /* 0xFF: the bus (held_low, stuck) */
    uint8_t kind;
    uint32_t from_ms, until_ms;
} sim_i2c_fault_t;

typedef struct sim_i2c_s {
    sim_i2c_dev_t dev[SIM_I2C_MAX];
    uint8_t n;
    sim_i2c_fault_t fault[SIM_I2C_FAULTS];
    uint8_t n_faults;
    /* the transfer under way */
    uint8_t cur;     /* the addressed device + 1; 0: none */
    uint8_t reading; /* the address byte's R bit */
    uint8_t rx[SIM_I2C_RX], n_rx;
    uint8_t k_out;   /* next byte of out[] (or register) a read sends */
    uint8_t stuck_clocks, stuck_done;
    uint32_t starts, nacks, hangs;
} sim_i2c_t;

/* A scenario line whose first token starts with "i2c": 0, or -1 with the reason in err. */
int sim_i2c_line(sim_i2c_t *b, char **tok, int ntok, char *err, size_t errlen);

/* The bus's fault at ADDR (0xFF: the bus) now, SIM_I2C_F_*, or 0. */
int sim_i2c_fault(const sim_i2c_t *b, uint8_t addr, uint32_t now_ms);

/* SDA's level as the devices leave it (1: released; 0: held low by a held_low or stuck fault). */
int sim_i2c_sda(sim_i2c_t *b, uint32_t now_ms);
/* The master clocked SCL once (bus recovery): a stuck chip lets SDA go after SIM_I2C_STUCK_CLOCKS. */
void sim_i2c_scl_pulse(sim_i2c_t *b, uint32_t now_ms);

/* START (repeated or not) with the address byte addr7 << 1 | read: SIM_I2C_ACK, NACK, or HANG
 * (a stretch fault: the chip holds SCL; nothing more happens until a new START or STOP). */
int sim_i2c_start(sim_i2c_t *b, uint8_t addr7, uint8_t read, uint32_t now_ms);
int sim_i2c_write(sim_i2c_t *b, uint8_t byte, uint32_t now_ms); /* 1: ACK */
uint8_t sim_i2c_read(sim_i2c_t *b, uint32_t now_ms);
void sim_i2c_stop(sim_i2c_t *b, uint32_t now_ms);

/* Whole transfers as a master makes them, answered with hal.h's HAL_I2C_* statuses: the native
 * board's hal_i2c_* and the MicroPython board's machine.I2C (sim_world.c) both play them here.
 * sim_i2c_recover: hal_i2c_begin's SCL clocks (up to 9) while SDA reads low; OK or BUS_STUCK.
 * A transfer: START (repeated when the last write kept the bus), the address at t_addr; BUS_STUCK
 * when SDA is held low, TIMEOUT when the chip holds SCL, NACK_ADDR (then a STOP) when nothing
 * answers; then the bytes at t_data, NACK_DATA (then a STOP) on a refused one. A write ends with a
 * STOP when `stop` (*acks: the bytes ACKed); a read always does. */
int sim_i2c_recover(sim_i2c_t *b, uint32_t now_ms);
int sim_i2c_xfer_write(sim_i2c_t *b, uint8_t addr7, const uint8_t *data, int len, int stop,
                       uint32_t t_addr, uint32_t t_data, int *acks);
int sim_i2c_xfer_read(sim_i2c_t *b, uint8_t addr7, uint8_t *data, int len, uint32_t t_addr,
                      uint32_t t_data);

/* ---- the chips (sim_i2c_chips.c) ---- */
const char *sim_i2c_chip_name(uint8_t chip);
int sim_i2c_chip_find(const char *name);    /* -1: unknown */
uint8_t sim_i2c_chip_addr(uint8_t chip);    /* its usual address */
int sim_i2c_chip_addr_ok(uint8_t chip, uint8_t addr);
void sim_i2c_chip_reset(sim_i2c_dev_t *d); /* power-on state */
/* The master wrote rx[0..n) (then STOP or repeated START): the command or register writes.
 * `fault` is the chip's fault now. */
void sim_i2c_chip_command(sim_i2c_dev_t *d, const uint8_t *rx, uint8_t n, uint32_t now_ms, int fault);
/* May a read start now (SHT3x/SHT4x NACK while measuring or with nothing to send)? */
int sim_i2c_chip_readable(sim_i2c_dev_t *d, uint32_t now_ms);
/* Byte k of a read (k counts from the START). */
uint8_t sim_i2c_chip_read(sim_i2c_dev_t *d, uint8_t k, uint32_t now_ms, int fault);

/* The value of quantity q (SIM_I2C_TEMP..) at now_ms, in the unit (°C, % RH, hPa, lx). */
double sim_i2c_value(const sim_i2c_dev_t *d, uint8_t q, uint32_t now_ms);
/* CRC-8, poly 0x31, init 0xFF (Sensirion, Aosong). */
uint8_t sim_i2c_crc8(const uint8_t *p, uint8_t n);
/* The BME280's float compensation (datasheet 8.1) of raw readings with the model's calibration:
 * °C, Pa, % RH; and the raw values that give v (found by bisection over these formulas). */
void sim_bme280_compensate(const uint8_t *reg, int32_t adc_t, int32_t adc_p, int32_t adc_h, double *t, double *p,
                           double *h);
void sim_bme280_raw(const uint8_t *reg, double t, double p, double h, int32_t *adc_t, int32_t *adc_p, int32_t *adc_h);

#endif
