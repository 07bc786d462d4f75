# tendril firmware entry point: MicroPython runs this file at every boot.
# The board is found from sys.platform (rp2: pico, esp32: esp32-devkit); see docs/micropython.md.
import tdfw.app

tdfw.app.main()
