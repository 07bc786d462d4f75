// Plant sensors for the Arduino Serial Plotter (or `tendril log --format plotter`).
//
// A0: capacitive soil moisture sensor (about 800 in dry air, 350 in water)
// A1: light dependent resistor in a divider (0..1023, brighter = higher)
// A2: TMP36 temperature sensor (10 mV per degree C, 500 mV at 0 C)

const int SOIL_PIN = A0;
const int LIGHT_PIN = A1;
const int TEMP_PIN = A2;

const int SOIL_DRY = 800;
const int SOIL_WET = 350;

void setup() {
  Serial.begin(115200);
  // A header line names the columns for the plotter.
  Serial.println("soil light temp");
}

void loop() {
  int soilRaw = analogRead(SOIL_PIN);
  int light = analogRead(LIGHT_PIN);
  int tempRaw = analogRead(TEMP_PIN);

  float soil = (SOIL_DRY - soilRaw) * 100.0 / (SOIL_DRY - SOIL_WET);  // percent
  float volts = tempRaw * 5.0 / 1024.0;
  float temp = (volts - 0.5) * 100.0;  // degrees C

  Serial.print("soil:");
  Serial.print(soil);  // two decimals
  Serial.print(" light:");
  Serial.print(light);
  Serial.print(" temp:");
  Serial.println(temp, 1);

  delay(20);
}
