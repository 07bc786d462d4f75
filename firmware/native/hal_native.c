/* hal.h on a PC: the native simulated board.
 *
 * UART: a pty (the slave path is printed by main.c). Paced, bytes that no one reads are dropped
 * after a moment, as a real UART's would be; with --fast the board waits for a host that reads
 * (board time stands still meanwhile, so a slow host sees every frame), and only a host that has
 * read nothing for HOST_GONE_MS is taken to be absent. EEPROM: a file, written through byte by byte, so a power cut
 * (the process exiting after the Nth write) leaves exactly what a real EEPROM would hold.
 * Watchdog: counts the board's own CPU time (a SIGPROF check), so a machine busy with other work
 * never fires it while a hung loop, which spins, does; when the firmware has not fed it for
 * WATCHDOG_MS of that time the board
 * "resets": the process re-executes itself with reset cause WATCHDOG, keeping its pty (same path)
 * and the state of the simulated world. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "hal.h"
#include "native.h"
#include "sim_onewire.h"
#include "sim_sonar.h"
#include "sim_i2c.h"
#include "store.h"
#include "tendril_boards.h"
#include "tendril_contract.h"

#define WATCHDOG_MS 1000u
#define WRITE_WAIT_MS 50 /* paced: a frame no one reads is dropped after this long */
#define HOST_GONE_MS 2000 /* --fast: a host that reads nothing for this long is not there */
#define RXQ 4096

native_t native;

static int pty_master = -1;
static int pty_slave = -1;
static int eeprom_fd = -1;
/* A board with no EEPROM (pico, esp32-devkit keep their config in flash files) gets one the size the
 * store needs: the native board runs the C store on every board. */
#define NATIVE_EEPROM_MAX (STORE_END > 4096u ? STORE_END : 4096u)
static uint8_t eeprom[NATIVE_EEPROM_MAX];
static uint16_t eeprom_size = 1024;
static uint8_t rxq[RXQ];
static unsigned rx_head, rx_tail;
static struct timespec t0;
static volatile uint32_t fed_at;
static volatile int wd_armed;
static uint8_t boot_cause = TD_RESET_CAUSE_POWER_ON;

/* The reset path, prepared up front: a signal handler may only call async-signal-safe functions. */
static char **reset_argv;
static char *reset_env[256];
static char env_cause[32] = "TD_NATIVE_RESET=8";
static char env_pty[64];
static char env_world[1024];
static char env_clock[64];
static int host_absent; /* --fast: the last write found no reader; drop until one reads again */

uint64_t native_real_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)((t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_nsec - t0.tv_nsec) / 1000L);
}

uint32_t native_real_ms(void)
{
    return (uint32_t)(native_real_us() / 1000u);
}

/* CPU ms this process has used: the watchdog's clock (async-signal-safe). */
static uint32_t cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (uint32_t)(t.tv_sec * 1000L + t.tv_nsec / 1000000L);
}

static void put_hex(char *out, const uint8_t *data, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        out[2 * i] = digits[data[i] >> 4];
        out[2 * i + 1] = digits[data[i] & 15];
    }
    out[2 * n] = '\0';
}

static void watchdog_check(int sig)
{
    static const char msg[] = "reset: watchdog\n";
    size_t prefix = strlen("TD_NATIVE_WORLD=");
    (void)sig;
    if (!wd_armed || cpu_ms() - fed_at < WATCHDOG_MS) {
        return;
    }
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing to do: the reset goes ahead */
    }
    if (native.world != NULL && native.world_size * 2 + prefix < sizeof env_world) {
        put_hex(env_world + prefix, (const uint8_t *)native.world, native.world_size);
    }
    if (native.clock_state[0] != '\0') {
        size_t at = strlen("TD_NATIVE_CLOCK="), i;
        for (i = 0; native.clock_state[i] != '\0' && at + i + 1 < sizeof env_clock; i++) {
            env_clock[at + i] = native.clock_state[i];
        }
        env_clock[at + i] = '\0';
    }
    execve("/proc/self/exe", reset_argv, reset_env);
    _exit(70);
}

extern char **environ;

void native_setup(int argc, char **argv)
{
    const char *pty = getenv("TD_NATIVE_PTY");
    const char *cause = getenv("TD_NATIVE_RESET");
    size_t n = 0;
    char **e;
    sigset_t none;
    (void)argc;
    /* A reset execs from inside the SIGPROF handler, and exec keeps the signal mask: unblock. */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (cause != NULL) {
        boot_cause = (uint8_t)atoi(cause);
    }
    if (pty != NULL && sscanf(pty, "%d,%d", &pty_master, &pty_slave) != 2) {
        pty_master = pty_slave = -1;
    }
    reset_argv = argv;
    for (e = environ; *e != NULL && n < 250; e++) {
        if (strncmp(*e, "TD_NATIVE_", 10) != 0) {
            reset_env[n++] = *e;
        }
    }
    strcpy(env_world, "TD_NATIVE_WORLD=");
    strcpy(env_clock, "TD_NATIVE_CLOCK=");
    reset_env[n++] = env_clock;
    reset_env[n++] = env_cause;
    reset_env[n++] = env_pty;
    reset_env[n++] = env_world;
    reset_env[n] = NULL;
}

uint8_t native_boot_cause(void)
{
    return boot_cause;
}

/* A pty whose slave end is raw (no echo, no line editing) and stays open here, so bytes written
 * before a host opens it wait for the host instead of vanishing. */
static void open_pty(void)
{
    struct termios tio;
    if (pty_master < 0) {
        pty_master = posix_openpt(O_RDWR | O_NOCTTY);
        if (pty_master < 0 || grantpt(pty_master) != 0 || unlockpt(pty_master) != 0) {
            perror("pty");
            exit(2);
        }
        pty_slave = open(ptsname(pty_master), O_RDWR | O_NOCTTY);
        if (pty_slave < 0 || tcgetattr(pty_slave, &tio) != 0) {
            perror("pty slave");
            exit(2);
        }
        cfmakeraw(&tio);
        tcsetattr(pty_slave, TCSANOW, &tio);
        printf("port: %s\n", ptsname(pty_master));
        fflush(stdout);
    }
    fcntl(pty_master, F_SETFL, fcntl(pty_master, F_GETFL) | O_NONBLOCK);
    snprintf(env_pty, sizeof env_pty, "TD_NATIVE_PTY=%d,%d", pty_master, pty_slave);
}

static void open_eeprom(void)
{
    ssize_t got;
#if defined(TD_BOARD_MEGA2560)
    eeprom_size = 4096;
#elif defined(TD_BOARD_PICO) || defined(TD_BOARD_ESP32_DEVKIT)
    eeprom_size = (uint16_t)STORE_END;
#endif
    memset(eeprom, 0xFF, sizeof eeprom); /* an erased EEPROM reads 0xFF */
    eeprom_fd = open(native.eeprom_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (eeprom_fd < 0) {
        perror(native.eeprom_path);
        exit(2);
    }
    got = pread(eeprom_fd, eeprom, eeprom_size, 0);
    if (got < (ssize_t)eeprom_size && pwrite(eeprom_fd, eeprom, eeprom_size, 0) != (ssize_t)eeprom_size) {
        perror("eeprom");
        exit(2);
    }
}

void hal_init(uint32_t baud)
{
    struct sigaction sa;
    struct itimerval it;
    (void)baud; /* a pty has no baud rate */
    open_pty();
    open_eeprom();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = watchdog_check;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGPROF, &sa, NULL);
    it.it_interval.tv_sec = 0;
    it.it_interval.tv_usec = 100000;
    it.it_value = it.it_interval;
    setitimer(ITIMER_PROF, &it, NULL); /* every 100 ms of CPU time */
}

uint32_t hal_millis(void)
{
    return native.virtual_ms;
}

/* --- pins: the world (main.c) reads levels and sets inputs ----------------------------------- */

/* level: 0..255 (a digital HIGH is kept as 255, so PWM and relay pins compare alike); the report
 * shows a digital pin as 0/1. */
static void report(uint8_t pin, const char *what, uint8_t level, unsigned shown)
{
    if (pin < NATIVE_PINS && (!native.driven[pin] || native.level[pin] != level)) {
        native.driven[pin] = true;
        native.level[pin] = level;
        fprintf(stderr, "t=%lu %s %u %u\n", (unsigned long)hal_millis(), what, pin, shown);
    }
}

void hal_pin_mode(uint8_t pin, uint8_t mode)
{
    if (pin < NATIVE_PINS) {
        native.mode[pin] = mode;
    }
}

void hal_digital_write(uint8_t pin, uint8_t level)
{
    if (pin < NATIVE_PINS) native.servo_us[pin] = 0;
    report(pin, "pin", level ? 255 : 0, level ? 1 : 0);
}

/* A servo's pulse: `servo <pin> <width us>` whenever the width changes (the world's model of the
 * timer; the AVR's real timer is measured by the simavr runner). */
void hal_servo_write(uint8_t pin, uint16_t pulse_us)
{
    if (pin < NATIVE_PINS && native.servo_us[pin] != pulse_us) {
        native.servo_us[pin] = pulse_us;
        native.driven[pin] = true;
        fprintf(stderr, "t=%lu servo %u %u\n", (unsigned long)hal_millis(), pin, pulse_us);
    }
}

void hal_pwm_write(uint8_t pin, uint8_t duty)
{
    report(pin, "pwm", duty, duty);
}

/* 1-Wire against the world's pin-level model of the bus (sim_onewire.c), with hal.h's timings in
 * microseconds of the bus's own clock: it starts each pass at the world's time and runs on by the
 * slots the firmware makes, so a reading's bus traffic takes board time as it would on a chip. */
static uint64_t ow_us;

static uint64_t ow_now(void)
{
    uint64_t w = native_world_us();
    if (ow_us < w) ow_us = w;
    return ow_us;
}

uint8_t hal_ow_reset(uint8_t pin)
{
    ow_bus_t *b = native_ow_bus(pin);
    uint64_t t = ow_now();
    uint8_t present;
    if (b == NULL) { /* nothing there: the line floats up, no one answers */
        ow_us = t + 960;
        return 0;
    }
    if (!ow_level(b, t)) { /* held low */
        ow_us = t + 1;
        return 0;
    }
    ow_master_low(b, t);
    ow_master_release(b, t + 480);
    present = !ow_level(b, t + 480 + 70);
    ow_us = t + 960;
    return present && ow_level(b, ow_us);
}

uint8_t hal_ow_bit(uint8_t pin, uint8_t bit)
{
    ow_bus_t *b = native_ow_bus(pin);
    uint64_t t = ow_now();
    uint8_t got = 0;
    ow_us = t + 70;
    if (b == NULL) return 1;
    ow_master_low(b, t);
    if (bit) {
        ow_master_release(b, t + 6);
        got = (uint8_t)ow_level(b, t + 15);
    } else {
        ow_master_release(b, t + 60);
    }
    return got;
}

uint8_t hal_digital_read(uint8_t pin)
{
    if (pin >= NATIVE_PINS) return 0;
    if (native.input_set[pin]) return native.input[pin] ? 1 : 0;
    return native.mode[pin] == HAL_INPUT_PULLUP ? 1 : 0;
}

uint16_t hal_analog_read(uint8_t pin)
{
    /* The board's own ADC width (boards/<board>.toml adc_bits): 10 on an AVR, 12 or 16 elsewhere. */
    uint16_t full = (uint16_t)((1UL << TD_BOARD->adc_bits) - 1);
    return (pin < NATIVE_PINS && native.input_set[pin]) ? (uint16_t)(native.input[pin] & full) : 0;
}

/* --- EEPROM --------------------------------------------------------------------------------- */

uint8_t hal_eeprom_read(uint16_t addr)
{
    return addr < eeprom_size ? eeprom[addr] : 0xFF;
}

void hal_eeprom_write(uint16_t addr, uint8_t value)
{
    if (addr >= eeprom_size) return;
    if ((long)addr == native.worn_cell) {
        /* A worn-out cell: the write happens, the value does not stick (the store reads it back). */
        fprintf(stderr, "eeprom write to worn cell %u did not stick\n", addr);
    } else {
        eeprom[addr] = value;
        if (pwrite(eeprom_fd, &value, 1, addr) != 1) {
            perror("eeprom write");
        }
    }
    native.eeprom_writes++;
    if (native.cut_after > 0 && native.eeprom_writes >= native.cut_after) {
        fprintf(stderr, "power cut after eeprom write %ld (address %u)\n", native.eeprom_writes, addr);
        _exit(99); /* like losing power: nothing else gets written */
    }
}

uint16_t hal_eeprom_size(void)
{
    return eeprom_size;
}

/* --- UART ----------------------------------------------------------------------------------- */

void native_pump_uart(int wait_ms)
{
    uint8_t buf[512];
    ssize_t n, i;
    if (wait_ms > 0) {
        struct pollfd p[2] = {{pty_master, POLLIN, 0}, {native.control_fd, POLLIN, 0}};
        poll(p, native.control_fd >= 0 ? 2 : 1, wait_ms);
    }
    while ((n = read(pty_master, buf, sizeof buf)) > 0) {
        for (i = 0; i < n && (rx_head + 1) % RXQ != rx_tail; i++) {
            rxq[rx_head] = buf[i];
            rx_head = (rx_head + 1) % RXQ;
        }
    }
}

int16_t hal_uart_read(void)
{
    uint8_t b;
    if (rx_tail == rx_head) return -1;
    b = rxq[rx_tail];
    rx_tail = (rx_tail + 1) % RXQ;
    return b;
}

static bool writable(int wait_ms)
{
    struct pollfd p = {pty_master, POLLOUT, 0};
    return poll(&p, 1, wait_ms) == 1 && (p.revents & POLLOUT);
}

/* --fast: wait (board time standing still) until the host has read enough to make room, unless
 * it has been away HOST_GONE_MS; then telemetry gives way as on a real link. */
uint8_t hal_uart_tx_free(void)
{
    uint32_t start = native_real_ms();
    while (native.fast && !host_absent && !native.stop && !writable(0)) {
        if (native_real_ms() - start > HOST_GONE_MS) {
            host_absent = 1;
            break;
        }
        writable(5);
    }
    return writable(0) ? 255 : 0;
}

void hal_uart_write(const uint8_t *data, uint8_t len)
{
    uint32_t start = native_real_ms();
    while (len > 0) {
        ssize_t n = write(pty_master, data, len);
        if (n > 0) {
            data += n;
            len = (uint8_t)(len - n);
            host_absent = 0;
        } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
            return;
        } else if (native.stop || (native.fast && host_absent)) {
            return;
        } else if (native_real_ms() - start > (native.fast ? HOST_GONE_MS : WRITE_WAIT_MS)) {
            host_absent = native.fast;
            return; /* no one is reading: the bytes leave the pins and are gone */
        } else {
            struct pollfd p = {pty_master, POLLOUT, 0};
            poll(&p, 1, 5);
        }
    }
}

/* --- reset, watchdog, entropy ----------------------------------------------------------------- */

uint8_t hal_reset_cause(void)
{
    return boot_cause;
}

void hal_watchdog_start(void)
{
    fed_at = cpu_ms();
    wd_armed = 1;
}

void hal_watchdog_feed(void)
{
    fed_at = cpu_ms();
}

uint32_t hal_entropy(void)
{
    uint32_t v = native.seed;
    int fd;
    if (v == 0 && (fd = open("/dev/urandom", O_RDONLY)) >= 0) {
        if (read(fd, &v, sizeof v) != (ssize_t)sizeof v) v = (uint32_t)time(NULL);
        close(fd);
    }
    return v;
}

/* HC-SR04 ping (hal.h) against the world's model (sim_sonar.c), at the HAL: the echo the model gives
 * a ping now, timed as hal_avr.c times it (to the microsecond here). Board time stands still. */
uint16_t hal_ping(uint8_t trig, uint8_t echo, uint16_t timeout_us)
{
    uint32_t rise, width;
    int got = native_sonar_ping(trig, echo, &rise, &width);
    if (got == SIM_SONAR_NONE || got == SIM_SONAR_STUCK_HIGH || rise > timeout_us) return HAL_PING_NONE;
    if (rise + width > timeout_us) return HAL_PING_LONG;
    return (uint16_t)width;
}

/* Pulse counting (hal.h) against the world's pulse sources (sim_pulse.c), at the HAL: each count
 * walks the source's edges up to the world's time now and counts its falls as hal_avr.c's
 * interrupt does, with the same debounce (to the microsecond here). */
static struct {
    uint8_t pin, debounce_ms, used, age;
    uint32_t count;
    uint64_t last_us, k; /* the last counted fall; the next edge is edge j of pulse k */
    uint8_t j, counted;
} pulses[HAL_PULSE_MAX];

static void pulse_walk(uint8_t s, uint64_t until_us, int count)
{
    uint64_t at;
    uint8_t level, k_j;
    for (;;) {
        uint64_t k = pulses[s].k;
        k_j = pulses[s].j;
        if (!native_pulse_next(pulses[s].pin, &k, &k_j, &at, &level) || at > until_us) return;
        pulses[s].k = k;
        pulses[s].j = k_j;
        if (level || !count) continue;
        if (pulses[s].counted && at - pulses[s].last_us < pulses[s].debounce_ms * 1000ull) continue;
        pulses[s].count++;
        pulses[s].last_us = at;
        pulses[s].counted = 1;
    }
}

uint8_t hal_pulse_begin(uint8_t pin, uint8_t debounce_ms)
{
    uint8_t s, pick = 0;
    for (s = 0; s < HAL_PULSE_MAX; s++) {
        if (pulses[s].used && pulses[s].pin == pin) break;
        if (!pulses[s].used || (pulses[pick].used && pulses[s].age > pulses[pick].age)) pick = s;
    }
    if (s == HAL_PULSE_MAX) s = pick;
    for (uint8_t o = 0; o < HAL_PULSE_MAX; o++)
        if (pulses[o].age < 255) pulses[o].age++;
    memset(&pulses[s], 0, sizeof pulses[s]);
    pulses[s].pin = pin;
    pulses[s].debounce_ms = debounce_ms;
    pulses[s].used = 1;
    pulses[s].k = 1;
    pulse_walk(s, native_world_us(), 0); /* edges before now are not this count's */
    hal_pin_mode(pin, HAL_INPUT_PULLUP);
    return s;
}

uint8_t hal_pulse_count(uint8_t pin, uint32_t *count)
{
    for (uint8_t s = 0; s < HAL_PULSE_MAX; s++) {
        if (!pulses[s].used || pulses[s].pin != pin) continue;
        pulse_walk(s, native_world_us(), 1);
        *count = pulses[s].count;
        return s;
    }
    *count = 0;
    return HAL_PULSE_NONE;
}

/* DHT: the start signal's low is timed in the world's microseconds (hal_dht_start to hal_dht_read),
 * the answer is the model's bytes at the HAL (main.c, sim_dht.c); the read itself takes the ~5 ms a
 * real one does, on the bus clock the 1-Wire calls use. */
static uint64_t dht_low_since[TD_LIMIT_PINS];

void hal_dht_start(uint8_t pin)
{
    if (pin < TD_LIMIT_PINS) dht_low_since[pin] = ow_now() + 1; /* 0: not driven low */
}

uint8_t hal_dht_read(uint8_t pin, uint8_t data[5])
{
    uint64_t t = ow_now(), since;
    if (pin >= TD_LIMIT_PINS || !dht_low_since[pin]) return 0;
    since = dht_low_since[pin] - 1;
    dht_low_since[pin] = 0;
    ow_us = t + 5000;
    return (uint8_t)native_dht_answer(pin, t - since, data);
}

/* I2C (hal.h) against the world's bus (sim_i2c.c) byte by byte, on the bus clock the 1-Wire and
 * DHT calls use: a byte takes its 9 clocks (90 us at 100 kHz, 23 us at 400 kHz); a chip that
 * holds SCL costs the HAL_I2C_WAIT_US the AVR's wait gives up after. */
static uint32_t i2c_byte_us = 90;
static bool i2c_begun; /* the first begin is reported whatever its speed */

static uint32_t i2c_now_ms(uint32_t bytes)
{
    uint64_t t = ow_now();
    ow_us = t + bytes * i2c_byte_us;
    return (uint32_t)(t / 1000u);
}

void hal_i2c_end(void) {} /* the native board's pins have no second owner */

uint8_t hal_i2c_begin(uint8_t khz400)
{
    uint32_t now = i2c_now_ms(0);
    uint32_t byte_us = khz400 ? 23 : 90;
    if (byte_us != i2c_byte_us || !i2c_begun) /* `i2c <kHz>`: the bus's clock, when it changes */
        fprintf(stderr, "t=%lu i2c %u\n", (unsigned long)hal_millis(), khz400 ? 400u : 100u);
    i2c_begun = true;
    i2c_byte_us = byte_us;
    return (uint8_t)sim_i2c_recover(native_i2c_bus(), now);
}

/* The address at the transfer's start, the bytes at its end; a chip holding SCL costs the wait. */
uint8_t hal_i2c_write(uint8_t addr, const uint8_t *data, uint8_t len, uint8_t stop)
{
    uint32_t t_addr = i2c_now_ms(1u + len);
    int acks, rc = sim_i2c_xfer_write(native_i2c_bus(), addr, data, len, stop, t_addr,
                                      (uint32_t)(ow_us / 1000u), &acks);
    if (rc == HAL_I2C_TIMEOUT) ow_us += HAL_I2C_WAIT_US;
    return (uint8_t)rc;
}

uint8_t hal_i2c_read(uint8_t addr, uint8_t *data, uint8_t len)
{
    uint32_t t_addr = i2c_now_ms(1u + len);
    int rc = sim_i2c_xfer_read(native_i2c_bus(), addr, data, len, t_addr, (uint32_t)(ow_us / 1000u));
    if (rc == HAL_I2C_TIMEOUT) ow_us += HAL_I2C_WAIT_US;
    return (uint8_t)rc;
}
