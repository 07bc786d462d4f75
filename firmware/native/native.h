/* The native simulated board: what hal_native.c (the HAL) and main.c (the world around the board)
 * share. Not part of the portable firmware. */
#ifndef TD_NATIVE_H
#define TD_NATIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NATIVE_PINS 70

typedef struct {
    /* set by main.c from the command line before hal_init */
    const char *eeprom_path;
    long cut_after;        /* power cut right after this many EEPROM writes (0: never) */
    long worn_cell;        /* EEPROM address whose cell no longer takes a write (-1: none) */
    bool fast;             /* the clock runs flat out; else paced to the wall clock */
    double speed;          /* not fast: device ms per real ms (1: real time; the demo runs faster) */
    uint32_t seed;         /* entropy for the device id (0: from /dev/urandom) */
    /* the board's pins, as the world sees them */
    uint16_t input[NATIVE_PINS];  /* what an input pin reads (ADC count or 0/1) */
    bool input_set[NATIVE_PINS];  /* else: a pulled-up pin reads 1, any other 0 */
    uint8_t mode[NATIVE_PINS];
    uint8_t level[NATIVE_PINS];   /* last level or PWM duty written */
    bool driven[NATIVE_PINS];
    uint16_t servo_us[NATIVE_PINS]; /* a servo's pulse width, 0 while none is driven */
    /* clocks */
    uint32_t virtual_ms;   /* the device clock, moved by main.c (0 at every boot) */
    int control_fd;        /* clock commands (--hold), watched while the board idles; -1: none */
    char clock_state[48];  /* the clock's state as a command, handed to the next boot */
    volatile int stop;     /* SIGINT/SIGTERM: finish the pass and exit */
    long eeprom_writes;
    /* the simulated world's state, carried across a watchdog reset (the world does not reset) */
    void *world;
    size_t world_size;
} native_t;

extern native_t native;

/* The 1-Wire bus of `pin` in the simulated world (sim_onewire.h), or NULL when nothing is wired
 * there; and the world's time in us, where the bus's clock starts each pass (main.c). */
struct ow_bus_s;
struct ow_bus_s *native_ow_bus(uint8_t pin);

/* What a ping on trig/echo gets now from the world's HC-SR04 model (sim_sonar_ping's answer). */
int native_sonar_ping(uint8_t trig, uint8_t echo, uint32_t *rise_us, uint32_t *width_us);

/* The next edge on `pin` from the world's pulse source there (sim_pulse_next's answer; 0 with no
 * source on the pin, or no edge ever again). */
int native_pulse_next(uint8_t pin, uint64_t *k, uint8_t *j, uint64_t *at_us, uint8_t *level);
uint64_t native_world_us(void);

/* The real-time clock in ms (us) since the process (or the last reset) began. */
uint32_t native_real_ms(void);
uint64_t native_real_us(void);
/* Called once per main-loop pass: drains the pty into the receive queue; waits up to wait_ms for
 * bytes from the host or a clock command first. */
void native_pump_uart(int wait_ms);
/* Prepares the reset path (pty fds and environment survive an exec). argv as main got it. */
void native_setup(int argc, char **argv);
/* The reset cause this process started with (ResetCause bits). */
uint8_t native_boot_cause(void);

/* A DHT's answer on `pin` to a start signal held low for low_us (main.c, against the scenario's
 * DHTs and faults at the world's time, sim_dht.c): 1 with its 5 bytes, 0 when none answers. */
int native_dht_answer(uint8_t pin, uint64_t low_us, uint8_t out[5]);

/* The world's I2C bus (the scenario's `i2c` lines, sim_i2c.h), and its time in us. */
struct sim_i2c_s;
struct sim_i2c_s *native_i2c_bus(void);

#endif /* TD_NATIVE_H */
