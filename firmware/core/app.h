/* app.h: the whole firmware behind the HAL. A port's main() is:
 *
 *     int main(void) { app_boot(); for (;;) app_poll(); }
 *
 * app_boot drives every actuator to its safe state before anything else, then counts the boot,
 * detects boot loops (safe mode), loads the newest valid config image from the two storage slots
 * and says HELLO. app_poll is one main-loop pass: receive and answer requests, tick the engine,
 * drive the outputs, stream TELEMETRY and EVENTs, feed the watchdog.
 */
#ifndef TD_APP_H
#define TD_APP_H

void app_boot(void);
void app_poll(void);

#endif
