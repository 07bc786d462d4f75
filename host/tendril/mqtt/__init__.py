"""tendril on MQTT, the pure part: the topic design (topics), the retained state and event JSON
(state), Home Assistant device-based discovery (discovery) and a check of it against HA's documented
rules (ha_rules), and commands checked before they reach a board (commands). Nothing here opens a
connection or a file; `tendril serve` (not built yet) feeds these and publishes what they give.
docs/fleet.md describes the topics and payloads."""
