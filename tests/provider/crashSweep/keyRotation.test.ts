import { describeSweep, scenario } from "./sweep";

// The crash sweep (tests/provider/crashSweep/sweep.ts) of one scenario: a file each, so parallel workers share the sweep.
describeSweep(scenario("key rotation"));
