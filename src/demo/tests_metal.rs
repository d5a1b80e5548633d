//! Tests of the simulated metal-api through the metal client.
