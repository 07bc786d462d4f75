// tendril's Firmata-speaking test sketch for an Uno.
//
// NOT StandardFirmata: a small sketch written for tendril from the Firmata 2.x protocol description,
// enough for pyfirmata2 (and other Firmata hosts) to connect, stream analog inputs, read digital
// inputs and drive digital outputs. No servo, I2C, stepper, encoder or string messages.
//
// Wire format (57,600 baud): MIDI-like messages, a status byte (bit 7 set) then 7-bit data bytes.
//   0x90|port lsb msb  DIGITAL_MESSAGE     a port's 8 pins, both ways
//   0xE0|pin  lsb msb  ANALOG_MESSAGE      an analog reading (board->host) or a PWM duty (host->board)
//   0xC0|pin  on       REPORT_ANALOG       start/stop streaming an analog input
//   0xD0|port on       REPORT_DIGITAL      start/stop reporting a port's input changes
//   0xF4 pin mode      SET_PIN_MODE
//   0xF5 pin value     SET_DIGITAL_PIN_VALUE
//   0xF9 major minor   REPORT_VERSION      (a bare 0xF9 from the host asks for it)
//   0xFF               SYSTEM_RESET
//   0xF0 cmd data.. 0xF7  SYSEX: REPORT_FIRMWARE 0x79, CAPABILITY_QUERY 0x6B, ANALOG_MAPPING_QUERY
//                      0x69, PIN_STATE_QUERY 0x6D, SAMPLING_INTERVAL 0x7A
//
// What a host sees is what StandardFirmata 2.5 (the Arduino IDE's File > Examples > Firmata) sends
// on an Uno, so tendril's tests cover the board makers actually flash (tests/sources/
// test_firmata_replies.py holds StandardFirmata's bytes):
// - version and firmware name once at boot, then nothing until asked (opening the port of a board
//   that does not reset on open, like the simulated Uno, brings no greeting);
// - REPORT_VERSION answers protocol 2.5 (f9 02 05); REPORT_FIRMWARE answers with this sketch's own
//   name and version, in the same format;
// - the capability reply is byte for byte StandardFirmata's: per pin INPUT, PULLUP, OUTPUT, then
//   ANALOG 10 bits, PWM 8 bits, SERVO 14 bits, I2C on SDA/SCL. Servo and I2C are listed so hosts
//   learn the same layout from both firmwares; this sketch has neither, and a SET_PIN_MODE to them
//   leaves the pin as it was (PIN_STATE_QUERY tells its real mode);
// - the analog mapping reply is StandardFirmata's (channels 0..5 on pins 14..19, 0x7F elsewhere);
// - analog inputs are sampled every SAMPLING_INTERVAL ms on average (the next sample is due one
//   interval after the last was due, not after it was taken), 19 ms by default.
//
// Unlike StandardFirmata, digital pins stay inputs (high impedance) at boot and after a reset, so a
// relay board wired to them is not switched on before the host asks for an output, and pin 13 does
// not blink the version at boot.

const byte PROTOCOL_MAJOR = 2;  // Firmata protocol version answered to REPORT_VERSION
const byte PROTOCOL_MINOR = 5;
const byte FIRMWARE_MAJOR = 0;  // this sketch's own version, in REPORT_FIRMWARE
const byte FIRMWARE_MINOR = 2;
const char FIRMWARE_NAME[] = "tendril-firmata";

const long BAUD = 57600;
const unsigned int DEFAULT_SAMPLING_MS = 19;

// Status bytes
const byte DIGITAL_MESSAGE = 0x90;
const byte ANALOG_MESSAGE = 0xE0;
const byte REPORT_ANALOG = 0xC0;
const byte REPORT_DIGITAL = 0xD0;
const byte START_SYSEX = 0xF0;
const byte SET_PIN_MODE = 0xF4;
const byte SET_DIGITAL_PIN_VALUE = 0xF5;
const byte END_SYSEX = 0xF7;
const byte REPORT_VERSION = 0xF9;
const byte SYSTEM_RESET = 0xFF;

// Sysex commands
const byte ANALOG_MAPPING_QUERY = 0x69;
const byte ANALOG_MAPPING_RESPONSE = 0x6A;
const byte CAPABILITY_QUERY = 0x6B;
const byte CAPABILITY_RESPONSE = 0x6C;
const byte PIN_STATE_QUERY = 0x6D;
const byte PIN_STATE_RESPONSE = 0x6E;
const byte REPORT_FIRMWARE = 0x79;
const byte SAMPLING_INTERVAL = 0x7A;

// Pin modes (Firmata numbers)
const byte MODE_INPUT = 0;
const byte MODE_OUTPUT = 1;
const byte MODE_ANALOG = 2;
const byte MODE_PWM = 3;
const byte MODE_SERVO = 4;        // listed in the capability reply only (see the top)
const byte MODE_I2C = 6;          // listed in the capability reply only
const byte MODE_PULLUP = 11;
const byte MODE_NONE = 127;  // RX/TX: not available
const byte NO_ANALOG = 127;  // analog mapping: "not an analog pin"

const byte PWM_BITS = 8;
const byte ANALOG_BITS = 10;
const byte SERVO_BITS = 14;       // a servo value is an angle or a pulse width in us
const byte I2C_BITS = 1;

const byte PIN_COUNT = NUM_DIGITAL_PINS;  // 20 on an Uno: D0..D13, A0..A5 as 14..19
const byte PORT_COUNT = (PIN_COUNT + 7) / 8;
const byte FIRST_USABLE_PIN = 2;          // 0 and 1 are the serial port

// A sysex longer than this is dropped whole (no query this sketch answers needs more than 3 bytes).
const byte SYSEX_MAX = 16;

byte modes[PIN_COUNT];
byte outputs[PIN_COUNT];          // last level or duty written to each output
unsigned int analogReporting;     // bit n: stream analog input n
byte portReporting[PORT_COUNT];
byte lastPortInputs[PORT_COUNT];
unsigned int samplingMs = DEFAULT_SAMPLING_MS;
unsigned long lastSampleMs;

// Parser state: a channel message collecting its data bytes, or a sysex collecting its body.
byte command;                     // status byte of the message being collected, 0 = none
byte needed;                      // data bytes it takes
byte got;
byte data[2];
bool inSysex;
bool sysexTooLong;
byte sysexLen;
byte sysex[SYSEX_MAX];

bool isAnalogPin(byte pin) {
  return pin >= analogInputToDigitalPin(0) && pin < analogInputToDigitalPin(0) + NUM_ANALOG_INPUTS;
}

byte analogChannel(byte pin) {
  return pin - analogInputToDigitalPin(0);
}

void send3(byte status, byte lsb, byte msb) {
  Serial.write(status);
  Serial.write(lsb);
  Serial.write(msb);
}

void sendVersion() {
  send3(REPORT_VERSION, PROTOCOL_MAJOR, PROTOCOL_MINOR);
}

void sendFirmware() {
  Serial.write(START_SYSEX);
  Serial.write(REPORT_FIRMWARE);
  Serial.write(FIRMWARE_MAJOR);
  Serial.write(FIRMWARE_MINOR);
  for (const char *c = FIRMWARE_NAME; *c; c++) {  // each character as two 7-bit bytes
    Serial.write(*c & 0x7F);
    Serial.write((*c >> 7) & 0x7F);
  }
  Serial.write(END_SYSEX);
}

void sendMode(byte mode, byte bits) {
  Serial.write(mode);
  Serial.write(bits);
}

// Per pin: (mode, resolution) pairs, then 0x7F. StandardFirmata's order, so the bytes are the same.
void sendCapabilities() {
  Serial.write(START_SYSEX);
  Serial.write(CAPABILITY_RESPONSE);
  for (byte pin = 0; pin < PIN_COUNT; pin++) {
    if (pin >= FIRST_USABLE_PIN) {
      sendMode(MODE_INPUT, 1);
      sendMode(MODE_PULLUP, 1);
      sendMode(MODE_OUTPUT, 1);
      if (isAnalogPin(pin)) {
        sendMode(MODE_ANALOG, ANALOG_BITS);
      }
      if (digitalPinHasPWM(pin)) {
        sendMode(MODE_PWM, PWM_BITS);
      }
      sendMode(MODE_SERVO, SERVO_BITS);
      if (pin == PIN_WIRE_SDA || pin == PIN_WIRE_SCL) {
        sendMode(MODE_I2C, I2C_BITS);
      }
    }
    Serial.write(0x7F);  // end of this pin
  }
  Serial.write(END_SYSEX);
}

void sendAnalogMapping() {
  Serial.write(START_SYSEX);
  Serial.write(ANALOG_MAPPING_RESPONSE);
  for (byte pin = 0; pin < PIN_COUNT; pin++) {
    Serial.write(isAnalogPin(pin) ? analogChannel(pin) : NO_ANALOG);
  }
  Serial.write(END_SYSEX);
}

void sendPinState(byte pin) {
  if (pin >= PIN_COUNT) {
    return;
  }
  byte state = outputs[pin];
  if (modes[pin] == MODE_INPUT || modes[pin] == MODE_PULLUP) {
    state = digitalRead(pin);
  }
  Serial.write(START_SYSEX);
  Serial.write(PIN_STATE_RESPONSE);
  Serial.write(pin);
  Serial.write(modes[pin]);
  Serial.write(state & 0x7F);
  Serial.write(END_SYSEX);
}

// The input pins of a port as a bit mask (outputs read as 0).
byte portInputs(byte port) {
  byte bits = 0;
  for (byte i = 0; i < 8; i++) {
    byte pin = port * 8 + i;
    if (pin < PIN_COUNT && (modes[pin] == MODE_INPUT || modes[pin] == MODE_PULLUP) &&
        digitalRead(pin) == HIGH) {
      bits |= 1 << i;
    }
  }
  return bits;
}

void sendPort(byte port, byte bits) {
  send3(DIGITAL_MESSAGE | port, bits & 0x7F, bits >> 7);
}

void setMode(byte pin, byte mode) {
  if (pin < FIRST_USABLE_PIN || pin >= PIN_COUNT) {
    return;
  }
  if (isAnalogPin(pin) && mode != MODE_ANALOG) {
    analogReporting &= ~(1u << analogChannel(pin));  // a digital use ends its analog stream
  }
  switch (mode) {
    case MODE_INPUT:
      pinMode(pin, INPUT);
      break;
    case MODE_PULLUP:
      pinMode(pin, INPUT_PULLUP);
      break;
    case MODE_OUTPUT:
      outputs[pin] = 0;
      digitalWrite(pin, LOW);
      pinMode(pin, OUTPUT);
      break;
    case MODE_ANALOG:
      if (!isAnalogPin(pin)) {
        return;
      }
      pinMode(pin, INPUT);
      break;
    case MODE_PWM:
      if (!digitalPinHasPWM(pin)) {
        return;
      }
      outputs[pin] = 0;
      pinMode(pin, OUTPUT);
      analogWrite(pin, 0);
      break;
    default:
      return;  // a mode this sketch does not have: the pin keeps its mode
  }
  modes[pin] = mode;
}

void writePin(byte pin, byte level) {
  if (pin < PIN_COUNT && modes[pin] == MODE_OUTPUT) {
    outputs[pin] = level ? 1 : 0;
    digitalWrite(pin, outputs[pin] ? HIGH : LOW);
  }
}

void resetState() {
  for (byte pin = 0; pin < PIN_COUNT; pin++) {
    modes[pin] = MODE_NONE;
    outputs[pin] = 0;
    if (pin >= FIRST_USABLE_PIN) {
      setMode(pin, isAnalogPin(pin) ? MODE_ANALOG : MODE_INPUT);
    }
  }
  analogReporting = 0;
  for (byte port = 0; port < PORT_COUNT; port++) {
    portReporting[port] = 0;
    lastPortInputs[port] = 0;
  }
  samplingMs = DEFAULT_SAMPLING_MS;
  command = 0;
  inSysex = false;
}

void runMessage() {
  byte channel = command & 0x0F;
  unsigned int value = data[0] | (data[1] << 7);
  switch (command & 0xF0) {
    case DIGITAL_MESSAGE:
      for (byte i = 0; i < 8; i++) {
        writePin(channel * 8 + i, (value >> i) & 1);
      }
      return;
    case ANALOG_MESSAGE:
      if (channel < PIN_COUNT && modes[channel] == MODE_PWM) {
        outputs[channel] = value > 255 ? 255 : value;
        analogWrite(channel, outputs[channel]);
      }
      return;
    case REPORT_ANALOG:
      if (channel < NUM_ANALOG_INPUTS) {
        if (data[0]) {
          analogReporting |= 1u << channel;
        } else {
          analogReporting &= ~(1u << channel);
        }
      }
      return;
    case REPORT_DIGITAL:
      if (channel < PORT_COUNT) {
        portReporting[channel] = data[0];
        if (data[0]) {  // the current state at once, then every change
          lastPortInputs[channel] = portInputs(channel);
          sendPort(channel, lastPortInputs[channel]);
        }
      }
      return;
  }
  if (command == SET_PIN_MODE) {
    setMode(data[0], data[1]);
  } else if (command == SET_DIGITAL_PIN_VALUE) {
    writePin(data[0], data[1]);
  }
}

void runSysex() {
  if (sysexLen == 0) {
    return;
  }
  switch (sysex[0]) {
    case REPORT_FIRMWARE:
      sendFirmware();
      break;
    case CAPABILITY_QUERY:
      sendCapabilities();
      break;
    case ANALOG_MAPPING_QUERY:
      sendAnalogMapping();
      break;
    case PIN_STATE_QUERY:
      if (sysexLen >= 2) {
        sendPinState(sysex[1]);
      }
      break;
    case SAMPLING_INTERVAL:
      if (sysexLen >= 3) {
        unsigned int ms = sysex[1] | (sysex[2] << 7);
        samplingMs = ms < 1 ? 1 : ms;
      }
      break;
  }
}

// How many data bytes a status byte takes; 0 for one this sketch ignores.
byte dataBytesFor(byte status) {
  switch (status & 0xF0) {
    case DIGITAL_MESSAGE:
    case ANALOG_MESSAGE:
      return 2;
    case REPORT_ANALOG:
    case REPORT_DIGITAL:
      return 1;
  }
  if (status == SET_PIN_MODE || status == SET_DIGITAL_PIN_VALUE) {
    return 2;
  }
  return 0;
}

void feed(byte b) {
  if (inSysex) {
    if (b == END_SYSEX) {
      inSysex = false;
      if (!sysexTooLong) {
        runSysex();
      }
      return;
    }
    if (!(b & 0x80)) {
      if (sysexLen < SYSEX_MAX) {
        sysex[sysexLen++] = b;
      } else {
        sysexTooLong = true;
      }
      return;
    }
    inSysex = false;  // a status byte inside a sysex: the sysex was cut off; start over with b
  }
  if (b & 0x80) {
    command = 0;
    if (b == START_SYSEX) {
      inSysex = true;
      sysexTooLong = false;
      sysexLen = 0;
    } else if (b == REPORT_VERSION) {
      sendVersion();
    } else if (b == SYSTEM_RESET) {
      resetState();
    } else {
      needed = dataBytesFor(b);
      if (needed) {
        command = b;
        got = 0;
      }
    }
    return;
  }
  if (command == 0) {
    return;  // a data byte with no message: noise or the tail of something we ignored
  }
  data[got++] = b;
  if (got == needed) {
    runMessage();
    command = 0;
  }
}

void setup() {
  resetState();
  Serial.begin(BAUD);
  sendVersion();
  sendFirmware();
  lastSampleMs = millis();
}

void loop() {
  while (Serial.available() > 0) {
    feed(Serial.read());
  }

  for (byte port = 0; port < PORT_COUNT; port++) {
    if (portReporting[port]) {
      byte bits = portInputs(port);
      if (bits != lastPortInputs[port]) {
        lastPortInputs[port] = bits;
        sendPort(port, bits);
      }
    }
  }

  unsigned long now = millis();
  if (now - lastSampleMs >= samplingMs) {
    // Due one interval after the last was due: the pace holds on average. A loop held up for
    // more than an interval (a long reply) starts over rather than sending a burst.
    lastSampleMs = now - lastSampleMs >= 2UL * samplingMs ? now : lastSampleMs + samplingMs;
    for (byte ch = 0; ch < NUM_ANALOG_INPUTS; ch++) {
      if (analogReporting & (1u << ch)) {
        int value = analogRead(ch);
        send3(ANALOG_MESSAGE | ch, value & 0x7F, value >> 7);
      }
    }
  }
}
