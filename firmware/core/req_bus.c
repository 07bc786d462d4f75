/* The bus requests of req.c's COMMAND table (docs/protocol.md): SCAN_ONEWIRE, and SCAN_I2C and
 * I2C_READ, with the check they share that the config in force leaves the bus's pins to them. They
 * reach the buses through the device port (device_port_t.ow_search, i2c_*), so they stay free of
 * the HAL as the rest of request handling is. */
#include "req_int.h"

#include "board.h"
#include "frame.h"
#include "hal.h"
#include "image_layout.h"
#include "sensor.h"
#include "store.h"
#include "tendril_kinds.h"

/* The sensor kinds whose pins a bus request may share: the DS18B20 (a 1-Wire search), the I2C
 * kinds (SCAN_I2C, I2C_READ). */
#define BUS_ONEWIRE 0
#define BUS_I2C 1
static bool on_bus(uint8_t kind, uint8_t bus)
{
    return bus == BUS_I2C ? TD_ROM_U8(&td_sensor_kinds[kind].bus) == TD_SENSOR_BUS_I2C : kind == TD_SENSOR_KIND_DS18B20;
}

/* Whether the config in force gives `pin` to something a bus request would disturb: an actuator,
 * a channel that reads the pin itself, or a sensor that is not on that bus. */
static bool pin_in_use(const device_t *d, uint8_t pin, uint8_t bus)
{
    const td_src_t *s = &d->src;
    image_counts_t c;
    uint16_t off;
    uint8_t i, ns;
    if (!store_has_config()) return false;
    image_counts(s, &c);
    for (i = 0, off = image_channels_at(&c); i < c.nc; i++, off += TD_CHANNEL_SIZE) {
        uint8_t kind = image_rd_u8(s, off + TD_CHANNEL_MODE) & TD_CHANNEL_KIND_MASK;
        if (kind != TD_CHANNEL_FROM_SENSOR && image_rd_u8(s, off + TD_CHANNEL_PIN) == pin) return true;
    }
    for (i = 0, off = image_actuators_at(&c); i < c.na; i++, off += TD_ACTUATOR_SIZE) {
        if (image_rd_u8(s, off + TD_ACTUATOR_PIN) == pin) return true;
    }
    ns = image_n_sensors(s, &c);
    for (i = 0, off = image_size(&c); i < ns; i++, off += TD_SENSOR_SIZE) {
        if (!on_bus(image_rd_u8(s, off + TD_SENSOR_KIND), bus) &&
            (image_rd_u8(s, off + TD_SENSOR_PIN) == pin || image_rd_u8(s, off + TD_SENSOR_PIN2) == pin)) {
            return true;
        }
    }
    return false;
}

/* A 1-Wire bus search on a pin with digital in and out that nothing else of the config uses (a
 * DS18B20's bus is fine: a reading under way is only delayed, its conversion goes on). */
uint8_t req_scan_onewire(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *p = DEVICE_PAYLOAD(wire);
    uint8_t pin = r->u.scan_onewire.pin, n = 0, total = 0, result = TD_SCAN_RESULT_NO_DEVICE;
    uint8_t caps = board_pin_caps(TD_BOARD, pin);
    out->detail = pin;
    if ((caps & (TD_PIN_CAP_DIGITAL_IN | TD_PIN_CAP_DIGITAL_OUT | TD_PIN_CAP_RESERVED)) !=
        (TD_PIN_CAP_DIGITAL_IN | TD_PIN_CAP_DIGITAL_OUT)) {
        return TD_NACK_BAD_INDEX;
    }
    if (pin_in_use(d, pin, BUS_ONEWIRE)) return TD_NACK_PIN_IN_USE;
    if (d->port->ow_search != NULL) {
        result = d->port->ow_search(pin, r->u.scan_onewire.first, p + TD_ROM_CODES_SIZE, TD_ROM_CODES_MAX, &n, &total);
    }
    (void)msg_encode_rom_codes(pin, result, r->u.scan_onewire.first, total, p + TD_ROM_CODES_SIZE, n, p,
                               TD_MAX_PAYLOAD, &n);
    device_send(d, TD_MSG_ROM_CODES, wire, n, 0);
    return REPLIED;
}
TD_STATIC_ASSERT(TD_ROM_CODES_SIZE + TD_ROM_CODE_SIZE * TD_ROM_CODES_MAX <= TD_MAX_PAYLOAD, rom_codes_fit);

/* SCAN_I2C and I2C_READ on the board's bus (docs/protocol.md): refused while the config gives SDA
 * or SCL to something that is not an I2C sensor. One handler for both: the checks, the bus's
 * recovery and the reply are the same. A board with no bus has no entry (UNKNOWN_OP). */
#define I2C_READ_TRIES 100 /* a busy chip NACKs its address: ~100 us a try, ~10 ms in all */
uint8_t req_i2c(device_t *d, const td_request_t *r, reply_t *out)
{
    uint8_t wire[TD_FRAME_WIRE_MAX];
    uint8_t *p = DEVICE_PAYLOAD(wire);
    uint8_t *got = p + TD_I2C_SCAN_SIZE;
    const device_port_t *port = d->port;
    uint8_t n = 0, second, tries = I2C_READ_TRIES, st;
    uint8_t a = r->u.i2c_read.address, nread = r->u.i2c_read.nread; /* scan_i2c.first is address */
    if (port->i2c_begin == NULL) {
        out->detail = r->op;
        return TD_NACK_UNKNOWN_OP;
    }
    if (r->op == TD_OP_I2C_READ &&
        (a > 0x7F || r->u.i2c_read.nwrite > TD_I2C_WRITE_MAX || nread == 0 || nread > TD_I2C_READ_MAX)) {
        return TD_NACK_BAD_VALUE;
    }
    out->detail = TD_BOARD_I2C_SDA;
    if (pin_in_use(d, TD_BOARD_I2C_SDA, BUS_I2C)) return TD_NACK_PIN_IN_USE;
    out->detail = TD_BOARD_I2C_SCL;
    if (pin_in_use(d, TD_BOARD_I2C_SCL, BUS_I2C)) return TD_NACK_PIN_IN_USE;
    st = port->i2c_begin(td_i2c_fast); /* the speed the recipe's I2C sensors run at (100 kHz without) */
    if (r->op == TD_OP_SCAN_I2C) {
        if (a < TD_I2C_ADDR_FIRST) a = TD_I2C_ADDR_FIRST;
        for (; st == HAL_I2C_OK && a <= TD_I2C_ADDR_LAST && n < TD_I2C_SCAN_MAX; a++) {
            st = port->i2c_write(a, NULL, 0, 1);
            if (st == HAL_I2C_OK) got[n++] = a;
            if (st == HAL_I2C_NACK_ADDR) st = HAL_I2C_OK;
        }
        second = n;
    } else {
        if (st == HAL_I2C_OK && r->u.i2c_read.nwrite) st = port->i2c_write(a, r->u.i2c_read.w, r->u.i2c_read.nwrite, 1);
        if (st == HAL_I2C_OK) {
            do {
                st = port->i2c_read(a, got, nread);
            } while (st == HAL_I2C_NACK_ADDR && --tries);
        }
        if (st == HAL_I2C_OK) n = nread;
        second = a;
    }
    (void)msg_encode_i2c(st, second, n, p, TD_MAX_PAYLOAD, &n);
    device_send(d, r->op == TD_OP_SCAN_I2C ? TD_MSG_I2C_SCAN : TD_MSG_I2C_DATA, wire, n, 0);
    return REPLIED;
}
TD_STATIC_ASSERT((int)HAL_I2C_OK == (int)TD_I2C_STATUS_OK && (int)HAL_I2C_NACK_ADDR == (int)TD_I2C_STATUS_NACK_ADDR &&
                     (int)HAL_I2C_NACK_DATA == (int)TD_I2C_STATUS_NACK_DATA &&
                     (int)HAL_I2C_TIMEOUT == (int)TD_I2C_STATUS_TIMEOUT &&
                     (int)HAL_I2C_BUS_STUCK == (int)TD_I2C_STATUS_BUS_STUCK,
                 hal_i2c_statuses_are_the_contracts);
TD_STATIC_ASSERT(TD_I2C_SCAN_SIZE + TD_I2C_SCAN_MAX <= TD_MAX_PAYLOAD, i2c_scan_fits);

