/* main.c: the AVR port's entry point. Everything else is app_boot()/app_poll() (firmware/core) on
 * top of hal_avr.c; the reset cause and the watchdog were already dealt with in .init3. */
#include "app.h"

int main(void)
{
    app_boot();
    for (;;) {
        app_poll();
    }
}
