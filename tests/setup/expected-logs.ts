import { installLogCapture } from "../support/expected-logs";

// Log lines a test declares with `expectLogs` are captured instead of printed (see there).
installLogCapture();
