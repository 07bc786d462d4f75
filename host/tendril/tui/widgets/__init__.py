"""The monitor's widgets. Each is handed plain values (views, buckets) by the app's screen-rate
timer; none of them reads the serial port or the disk."""
