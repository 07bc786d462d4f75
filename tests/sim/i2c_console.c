/* i2c_console.c: the simulated I2C bus (firmware/sim/sim_i2c.c) driven line by line from stdin,
 * for tests/sim/test_i2c_models.py. One answer line per command:
 *   scn LINE...          a scenario line (sim_scenario_line)            -> ok | error: why
 *   at MS                the board's time                              -> ok
 *   w ADDR B.. [nostop]  START, address+W, the bytes, STOP unless nostop -> ack|nack|hang per step
 *   r ADDR N             START, address+R, N bytes, STOP               -> nack|hang, or the bytes in hex
 *   sda / scl            SDA's level / one SCL clock                   -> 0|1 / ok
 *   bme ADC_T ADC_P ADC_H  the model's own compensation of raw values  -> T P H */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_i2c.h"
#include "sim_scenario.h"

static sim_scenario_t scn;

int main(void)
{
    char line[SCN_LINE_MAX], err[200];
    uint32_t now = 0;
    const sim_board_t *board = sim_board_find("uno");
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        sim_i2c_t *b = &scn.i2c;
        if (strncmp(line, "scn ", 4) == 0) {
            if (sim_scenario_line(&scn, board, line + 4, err, sizeof err) < 0) printf("error: %s\n", err);
            else printf("ok\n");
        } else if (strncmp(line, "at ", 3) == 0) {
            now = (uint32_t)strtoul(line + 3, NULL, 10);
            printf("ok\n");
        } else if (line[0] == 'w' || line[0] == 'r') {
            char *p = line + 1;
            uint8_t addr = (uint8_t)strtoul(p, &p, 0);
            int read = line[0] == 'r', got = sim_i2c_start(b, addr, (uint8_t)read, now);
            if (got != SIM_I2C_ACK) {
                printf("%s\n", got == SIM_I2C_HANG ? "hang" : "nack");
                sim_i2c_stop(b, now);
                continue;
            }
            if (read) {
                long n = strtol(p, NULL, 0);
                for (long k = 0; k < n; k++) printf("%s%02x", k ? " " : "", sim_i2c_read(b, now));
                printf("\n");
                sim_i2c_stop(b, now);
                continue;
            }
            printf("ack");
            int stop = 1;
            for (char *t = strtok(p, " "); t; t = strtok(NULL, " ")) {
                if (strcmp(t, "nostop") == 0) stop = 0;
                else printf(" %s", sim_i2c_write(b, (uint8_t)strtoul(t, NULL, 16), now) ? "ack" : "nack");
            }
            printf("\n");
            if (stop) sim_i2c_stop(b, now);
        } else if (strcmp(line, "sda") == 0) {
            printf("%d\n", sim_i2c_sda(b, now));
        } else if (strcmp(line, "scl") == 0) {
            sim_i2c_scl_pulse(b, now);
            printf("ok\n");
        } else if (strncmp(line, "bme ", 4) == 0) {
            long t, p, h;
            double T, P, H;
            sscanf(line + 4, "%ld %ld %ld", &t, &p, &h);
            for (uint8_t i = 0; i < b->n; i++)
                if (b->dev[i].chip <= SIM_I2C_BMP280) {
                    sim_bme280_compensate(b->dev[i].reg, (int32_t)t, (int32_t)p, (int32_t)h, &T, &P, &H);
                    printf("%.4f %.4f %.4f\n", T, P, H);
                    break;
                }
        } else {
            printf("error: unknown command\n");
        }
        fflush(stdout);
    }
    return 0;
}
